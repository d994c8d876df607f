import { createHmac } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { verify as githubVerify } from '@octokit/webhooks-methods'
import { Webhook } from 'standardwebhooks'
import Stripe from 'stripe'
import t from 'tap'
import { request } from 'undici'
import { ServerProcess, writeConfig } from '../helpers/spawn-server.js'
import { githubHeaders, shopifyHeaders, STANDARD_WEBHOOKS_SECRET, standardWebhooksHeaders, stripeHeaders } from '../helpers/sign.js'
import { startTarget } from '../helpers/target-server.js'

const STRIPE = 'whsec_e2e_stripe_secret'
const GITHUB = 'e2e github secret'
const SHOPIFY = 'e2e-shopify-secret'

t.test('signed webhooks pass, and still verify at the target with the providers\' own libraries', async (t) => {
  const app = await startTarget()
  t.teardown(() => app.close())
  const cfg = writeConfig(t.testdir(), {
    targets: { app: { url: app.url } },
    sources: {
      stripe: { targets: ['app'], verify: { scheme: 'stripe', secrets: ['whsec_old_rotated_out', STRIPE] } },
      github: { targets: ['app'], verify: { scheme: 'github', secret: GITHUB } },
      shopify: { targets: ['app'], verify: { scheme: 'shopify', secret: SHOPIFY } },
      svix: { targets: ['app'], verify: { scheme: 'standard-webhooks', secret: STANDARD_WEBHOOKS_SECRET } }
    }
  })
  const server = new ServerProcess(cfg, { LOG_LEVEL: 'info' })
  t.teardown(async () => { if (server.child.exitCode === null) await server.kill('SIGKILL') })
  const { ingest } = await server.ready()
  const send = async (source: string, body: string, headers: Record<string, string>) => {
    const res = await request(`${ingest}/in/${source}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } })
    return { status: res.statusCode, body: await res.body.json() as Record<string, unknown> }
  }

  // Odd spacing and non-ASCII: any re-serialisation would break the signatures.
  const body = '{ "id" : "evt_e2e_1",  "object":"event", "data": {"name":"Zoë ✓"} }\n'
  const cases = [
    ['stripe', stripeHeaders(body, STRIPE)],
    ['github', { ...await githubHeaders(body, GITHUB), 'x-github-delivery': 'gh-1' }],
    ['shopify', { ...shopifyHeaders(body, SHOPIFY), 'x-shopify-webhook-id': 'sh-1' }],
    ['svix', standardWebhooksHeaders(body, STANDARD_WEBHOOKS_SECRET, { id: 'msg_e2e_1' })]
  ] as const
  for (const [source, headers] of cases) {
    const res = await send(source, body, headers)
    t.equal(res.status, 202, `${source} accepted`)
    const bad = await send(source, body.replace('Zoë', 'Zoe'), headers)
    t.equal(bad.status, 401, `${source} with a changed body is refused`)
    t.equal(bad.body.error, 'invalid_signature')
  }
  await app.waitFor(4)
  t.equal(app.received.length, 4, 'only the four good ones were forwarded')
  for (const r of app.received) t.equal(r.body.toString(), body, 'the body arrives byte for byte')

  const byHeader = (name: string) => app.received.find((r) => r.headers[name] !== undefined)!
  const stripeReq = byHeader('stripe-signature')
  const event = Stripe.webhooks.constructEvent(stripeReq.body, stripeReq.headers['stripe-signature'] as string, STRIPE)
  t.equal(event.id, 'evt_e2e_1', 'stripe-node verifies the forwarded request')
  const ghReq = byHeader('x-hub-signature-256')
  t.ok(await githubVerify(GITHUB, ghReq.body.toString(), ghReq.headers['x-hub-signature-256'] as string), '@octokit/webhooks-methods verifies it')
  const shReq = byHeader('x-shopify-hmac-sha256')
  t.equal(createHmac('sha256', SHOPIFY).update(shReq.body).digest('base64'), shReq.headers['x-shopify-hmac-sha256'], 'the Shopify HMAC matches')
  const swReq = byHeader('webhook-signature')
  t.doesNotThrow(() => new Webhook(STANDARD_WEBHOOKS_SECRET).verify(swReq.body.toString(), {
    'webhook-id': swReq.headers['webhook-id'] as string,
    'webhook-timestamp': swReq.headers['webhook-timestamp'] as string,
    'webhook-signature': swReq.headers['webhook-signature'] as string
  }), 'standardwebhooks verifies it')

  // A sender's retry of the same delivery is acknowledged with the original id, not stored again.
  const retry = await send('github', body, { ...await githubHeaders(body, GITHUB), 'x-github-delivery': 'gh-1' })
  t.equal(retry.body.duplicate, true)
  const stripeRetry = await send('stripe', body, stripeHeaders(body, STRIPE))
  t.equal(stripeRetry.body.duplicate, true, 'Stripe retries are recognised by the event id in the body')
})

t.test('a database file that is not a database: a clear error and exit 1, no stack trace', async (t) => {
  const dir = t.testdir()
  writeFileSync(join(dir, 'outbox.db'), 'not a database '.repeat(500))
  const server = new ServerProcess(writeConfig(dir, { targets: { app: { url: 'http://127.0.0.1:9' } }, sources: {} }))
  const exit = await server.exited
  t.equal(exit.code, 1)
  t.match(server.stderr, /Cannot open the database at .*outbox\.db: the file is not a SQLite database/)
  t.notMatch(server.stderr, /\n\s+at /, 'no stack trace')
})
