import t from 'tap'
import { request } from 'undici'
import { ServerProcess, writeConfig } from '../helpers/spawn-server.js'
import { githubHeaders, stripeHeaders } from '../helpers/sign.js'
import { startTarget } from '../helpers/target-server.js'

// Every value below must never appear in a log line, at any level.
const SECRETS = {
  adminToken: 'admin-token-9f8e7d6c',
  targetAuth: 'target-bearer-5a4b3c2d',
  senderAuth: 'sender-basic-1a2b3c4d',
  cookie: 'session=cookie-secret-77aa',
  githubSecret: 'gh-secret-0011223344',
  stripeSecret: 'whsec_stripe_secret_5566',
  smtpPassword: 'smtp-pass-8899aabb',
  webhookSecret: 'alert-hmac-secret-ccdd'
}

t.test('secrets never reach the log, even at trace level', async (t) => {
  const app = await startTarget((_r, res) => { res.writeHead(500, { 'Set-Cookie': 'target-cookie-secret=1' }).end() })
  t.teardown(() => app.close())
  const cfg = writeConfig(t.testdir(), {
    logLevel: 'trace',
    targets: {
      app: { url: app.url, headers: { Authorization: `Bearer ${SECRETS.targetAuth}` }, retry: { maxAttempts: 2, initialDelayMs: 100, maxDelayMs: 100 } }
    },
    sources: {
      gh: { targets: ['app'], verify: { scheme: 'github', secret: SECRETS.githubSecret } },
      stripe: { targets: ['app'], verify: { scheme: 'stripe', secret: SECRETS.stripeSecret } }
    },
    alerts: {
      smtp: { url: `smtp://sidehook:${SECRETS.smtpPassword}@127.0.0.1:2525` },
      channels: { webhook: { url: 'http://127.0.0.1:9/alerts', secret: SECRETS.webhookSecret } }
    }
  })
  const server = new ServerProcess(cfg, { SIDEHOOK_ADMIN_TOKEN: SECRETS.adminToken, LOG_LEVEL: 'trace' })
  t.teardown(async () => { if (server.child.exitCode === null) await server.kill('SIGKILL') })
  const urls = await server.ready()

  const body = '{"id":"evt_1","object":"event"}'
  const gh = await githubHeaders(body, SECRETS.githubSecret)
  const st = stripeHeaders(body, SECRETS.stripeSecret)
  const common = { authorization: `Basic ${SECRETS.senderAuth}`, cookie: SECRETS.cookie, 'content-type': 'application/json' }
  for (const [source, headers] of [['gh', gh], ['stripe', st], ['gh', { 'x-hub-signature-256': 'sha256=00' }]] as const) {
    const res = await request(`${urls.ingest}/in/${source}`, { method: 'POST', body, headers: { ...common, ...headers } })
    await res.body.dump()
  }
  for (const auth of [`Bearer ${SECRETS.adminToken}`, 'Bearer wrong-token']) {
    const res = await request(`${urls.admin}/admin/deliveries`, { headers: { authorization: auth } })
    await res.body.dump()
  }
  await app.waitFor(4)
  await server.waitForLog((l) => l.msg === 'Attempt recorded')
  await server.kill('SIGTERM')

  const text = server.lines.map((l) => JSON.stringify(l)).join('\n') + server.stderr
  t.ok(server.lines.some((l) => l.msg === 'Webhook received'), 'trace lines with headers were written')
  t.ok(server.lines.some((l) => l.msg === 'Forwarding'), 'trace lines with forwarded headers were written')
  t.ok(server.lines.some((l) => l.msg === 'Configuration loaded'), 'the config was logged')
  const signatureValues = [gh['x-hub-signature-256'], st['stripe-signature']]
  for (const [name, secret] of [...Object.entries(SECRETS), ['github signature', signatureValues[0]], ['stripe signature', signatureValues[1]]]) {
    t.notOk(text.includes(secret!), `${name} is not in the log`)
  }
  t.match(text, /\[REDACTED\]/)
})
