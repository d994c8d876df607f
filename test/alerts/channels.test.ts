import { createHmac, timingSafeEqual } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import t, { type Test } from 'tap'
import { Agent } from 'undici'
import { ChannelError, type AlertChannel } from '../../src/alerts/channels/channel.js'
import { createSmtpTransport, emailChannel } from '../../src/alerts/channels/email-channel.js'
import { slackChannel } from '../../src/alerts/channels/slack-channel.js'
import { webhookChannel } from '../../src/alerts/channels/webhook-channel.js'
import { emailMessage } from '../../src/alerts/render-email.js'
import { slackMessage } from '../../src/alerts/render-slack.js'
import { redactor } from '../../src/alerts/secrets.js'
import type { Alert } from '../../src/alerts/types.js'
import { alertPayload } from '../../src/alerts/webhook-payload.js'
import { startSmtp } from '../helpers/smtp-server.js'
import { startTarget, type Responder } from '../helpers/target-server.js'

const T0 = Date.UTC(2026, 0, 1, 12, 0)
const alert: Alert = {
  id: 'alr_01jtest0000000000000000000',
  kind: 'target.failing',
  target: 'app',
  at: T0,
  threshold: 5,
  consecutiveFailures: 5,
  failingSince: T0 - 60_000,
  durationMs: null,
  failedDeliveries: null,
  last: { deliveryId: 'dlv_1', eventId: 'evt_1', source: 'stripe', attempt: 5, at: T0 - 1000, status: 502, error: null, errorMessage: null, failReason: null },
  deliveryIds: ['dlv_1']
}

function agent (t: Test) {
  const a = new Agent()
  t.teardown(() => a.close())
  return a
}

async function serve (t: Test, respond?: Responder) {
  const server = await startTarget(respond)
  t.teardown(() => server.close())
  return server
}

async function sendError (channel: AlertChannel, signal: AbortSignal = AbortSignal.timeout(10_000)): Promise<ChannelError> {
  try {
    await channel.send(alert, signal)
  } catch (err) {
    if (err instanceof ChannelError) return err
    throw err
  }
  throw new Error('the send did not fail')
}

t.test('webhook: the documented payload, signed over "<t>.<body>"', async (t) => {
  const receiver = await serve(t)
  const channel = webhookChannel({ url: `${receiver.url}/hooks/sidehook`, secret: 'whsec-test-secret' }, {
    dispatcher: agent(t), clock: () => T0 + 5000, redact: (s) => s
  })
  t.equal(await channel.send(alert, AbortSignal.timeout(10_000)), 'HTTP 200: ok')
  t.equal(receiver.received.length, 1)
  const req = receiver.received[0]
  t.equal(req.method, 'POST')
  t.equal(req.url, '/hooks/sidehook')
  t.equal(req.headers['content-type'], 'application/json')
  t.equal(req.headers['sidehook-alert-id'], alert.id)
  t.equal(req.headers['sidehook-alert-type'], 'target.failing')
  t.same(JSON.parse(req.body.toString()), alertPayload(alert), 'the body is exactly the payload')
  const header = String(req.headers['sidehook-signature'])
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header)
  t.ok(match, header)
  t.equal(match![1], String((T0 + 5000) / 1000))
  const expected = createHmac('sha256', 'whsec-test-secret').update(`${match![1]}.${req.body.toString()}`).digest()
  t.ok(timingSafeEqual(expected, Buffer.from(match![2], 'hex')), 'signature verifies with the raw body')
})

t.test('the verification snippet in README.md (Alerts) accepts our signature and nothing else', async (t) => {
  const docs = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const code = /<!-- verify-snippet[^>]*-->\s*```js\n([\s\S]*?)```/.exec(docs)?.[1]
  t.ok(code, 'the snippet is there')
  const file = join(t.testdir(), 'verify.mjs')
  writeFileSync(file, code!)
  const { verifySidehookSignature } = await import(pathToFileURL(file).href) as {
    verifySidehookSignature: (raw: Buffer, header: unknown, secret: string, tolerance?: number) => boolean
  }
  const receiver = await serve(t)
  const channel = webhookChannel({ url: receiver.url, secret: 'doc-secret' }, { dispatcher: agent(t), clock: Date.now, redact: (s) => s })
  await channel.send(alert, AbortSignal.timeout(10_000))
  const { body, headers } = receiver.received[0]
  const header = headers['sidehook-signature']
  t.equal(verifySidehookSignature(body, header, 'doc-secret'), true)
  t.equal(verifySidehookSignature(Buffer.concat([body, Buffer.from(' ')]), header, 'doc-secret'), false, 'a changed body')
  t.equal(verifySidehookSignature(body, header, 'other-secret'), false, 'another secret')
  t.equal(verifySidehookSignature(body, undefined, 'doc-secret'), false, 'no header')
  const old = webhookChannel({ url: receiver.url, secret: 'doc-secret' }, { dispatcher: agent(t), clock: () => Date.now() - 3_600_000, redact: (s) => s })
  await old.send(alert, AbortSignal.timeout(10_000))
  t.equal(verifySidehookSignature(receiver.received[1].body, receiver.received[1].headers['sidehook-signature'], 'doc-secret'), false, 'an hour-old timestamp')
})

t.test('webhook without a secret is sent unsigned', async (t) => {
  const receiver = await serve(t)
  const channel = webhookChannel({ url: receiver.url }, { dispatcher: agent(t), clock: Date.now, redact: (s) => s })
  await channel.send(alert, AbortSignal.timeout(10_000))
  t.equal(receiver.received[0].headers['sidehook-signature'], undefined)
  t.equal(receiver.received[0].headers['sidehook-alert-id'], alert.id)
})

t.test('webhook failures say whether a retry can help', async (t) => {
  const receiver = await serve(t)
  const dispatcher = agent(t)
  const channel = webhookChannel({ url: receiver.url }, { dispatcher, clock: Date.now, redact: (s) => s })
  receiver.setResponder((_r, res) => { res.writeHead(503).end('busy, try later') })
  t.match(await sendError(channel), { message: 'HTTP 503: busy, try later', retryable: true })
  receiver.setResponder((_r, res) => { res.writeHead(429).end() })
  t.match(await sendError(channel), { message: 'HTTP 429', retryable: true })
  receiver.setResponder((_r, res) => { res.writeHead(404).end('no such hook') })
  t.match(await sendError(channel), { message: 'HTTP 404: no such hook', retryable: false })
  receiver.setResponder((_r, res) => { res.writeHead(301, { location: 'http://elsewhere/' }).end() })
  t.match(await sendError(channel), { message: 'HTTP 301', retryable: false }, 'redirects are not followed')

  const closed = await startTarget()
  await closed.close()
  const refused = webhookChannel({ url: closed.url }, { dispatcher, clock: Date.now, redact: (s) => s })
  t.match(await sendError(refused), { message: /^request failed: .*ECONNREFUSED/, retryable: true })

  const hanging = await serve(t, () => { /* never answers */ })
  const slow = webhookChannel({ url: hanging.url }, { dispatcher, clock: Date.now, redact: (s) => s })
  t.match(await sendError(slow, AbortSignal.timeout(200)), { message: /no answer in time/, retryable: true })
})

t.test('Slack: an incoming-webhook message of the exact shape', async (t) => {
  const receiver = await serve(t)
  const webhookUrl = `${receiver.url}/services/T0001/B0002/xoxSECRETpath`
  const channel = slackChannel({ webhookUrl }, { dispatcher: agent(t), redact: redactor([webhookUrl, '/services/T0001/B0002/xoxSECRETpath']) })
  t.equal(await channel.send(alert, AbortSignal.timeout(10_000)), 'HTTP 200: ok')
  const req = receiver.received[0]
  t.equal(req.url, '/services/T0001/B0002/xoxSECRETpath')
  t.equal(req.headers['content-type'], 'application/json')
  const body = JSON.parse(req.body.toString()) as { text: string, blocks: Array<{ type: string }> }
  t.same(body, slackMessage(alert))
  t.same(body.blocks.map((b) => b.type), ['header', 'section', 'section', 'section', 'section', 'section', 'context'])
  t.match(body.text, 'app is failing: 5 failed attempts in a row')
  t.match(JSON.stringify(body), '502 Bad Gateway', 'the status with its catalog name')
})

t.test('Slack errors never echo the URL', async (t) => {
  const receiver = await serve(t, (r, res) => { res.writeHead(404).end(`no_service for ${r.url}`) })
  const webhookUrl = `${receiver.url}/services/T0001/B0002/xoxSECRETpath`
  const channel = slackChannel({ webhookUrl }, { dispatcher: agent(t), redact: redactor([webhookUrl, '/services/T0001/B0002/xoxSECRETpath']) })
  const err = await sendError(channel)
  t.equal(err.message, 'HTTP 404: no_service for ***')
  t.equal(err.retryable, false)
})

t.test('email: plain text and HTML over SMTP with credentials from the URL', async (t) => {
  const smtp = await startSmtp({ auth: { user: 'mailer', pass: 's3cret-pass' } })
  t.teardown(() => smtp.close())
  const transport = createSmtpTransport({ url: `smtp://mailer:s3cret-pass@127.0.0.1:${smtp.port}` })
  t.teardown(() => transport.close())
  const channel = emailChannel({ to: ['oncall@example.com', 'ops@example.com'], from: 'sidehook@example.com' }, { transport, redact: (s) => s })
  const answer = await channel.send(alert, AbortSignal.timeout(10_000))
  t.match(answer, /^250 /)
  t.equal(smtp.received.length, 1)
  const got = smtp.received[0]
  t.equal(got.user, 'mailer', 'authenticated with the URL credentials')
  t.equal(got.from, 'sidehook@example.com')
  t.same(got.to, ['oncall@example.com', 'ops@example.com'])
  const expected = emailMessage(alert)
  t.equal(got.mail.headers.get('subject'), expected.subject)
  t.equal(got.mail.headers.get('from'), 'sidehook@example.com')
  t.equal(got.mail.headers.get('to'), 'oncall@example.com, ops@example.com')
  t.equal(got.mail.headers.get('sidehook-alert-id'), alert.id)
  t.match(got.mail.headers.get('content-type'), /^multipart\/alternative/)
  t.equal(got.mail.text, expected.text, 'the plain-text part, byte for byte')
  t.equal(got.mail.html, expected.html, 'the HTML part, byte for byte')
  t.match(got.mail.text, 'Last answer: 502 Bad Gateway')
})

t.test('email by host and port, with the default sender', async (t) => {
  const smtp = await startSmtp()
  t.teardown(() => smtp.close())
  const transport = createSmtpTransport({ host: '127.0.0.1', port: smtp.port, secure: false })
  t.teardown(() => transport.close())
  await emailChannel({ to: ['oncall@example.com'] }, { transport, redact: (s) => s }).send(alert, AbortSignal.timeout(10_000))
  t.match(smtp.received[0].from, /^sidehook@/)
  t.equal(smtp.received[0].mail.headers.get('subject'), '[Sidehook] app is failing: 5 failed attempts in a row')
})

t.test('email failures: refused credentials and recipients are not retried, and say no secret', async (t) => {
  const smtp = await startSmtp({
    auth: { user: 'mailer', pass: 'right-pass' },
    server: {
      onRcptTo (address, _session, callback) {
        if (address.address.endsWith('@nowhere.invalid')) callback(new Error('No such user here'))
        else callback()
      }
    }
  })
  t.teardown(() => smtp.close())
  const wrong = createSmtpTransport({ url: `smtp://mailer:wrong-pass-123@127.0.0.1:${smtp.port}` })
  t.teardown(() => wrong.close())
  const authErr = await sendError(emailChannel({ to: ['a@example.com'] }, { transport: wrong, redact: redactor(['wrong-pass-123']) }))
  t.equal(authErr.retryable, false)
  t.match(authErr.message, /EAUTH/)
  t.notMatch(authErr.message, 'wrong-pass-123')

  const right = createSmtpTransport({ host: '127.0.0.1', port: smtp.port, auth: { user: 'mailer', pass: 'right-pass' } })
  t.teardown(() => right.close())
  const rcptErr = await sendError(emailChannel({ to: ['x@nowhere.invalid'] }, { transport: right, redact: (s) => s }))
  t.equal(rcptErr.retryable, false)
  t.match(rcptErr.message, /No such user here/)

  const down = await startSmtp()
  await down.close()
  const nowhere = createSmtpTransport({ host: '127.0.0.1', port: down.port })
  t.teardown(() => nowhere.close())
  const connErr = await sendError(emailChannel({ to: ['a@example.com'] }, { transport: nowhere, redact: (s) => s }))
  t.equal(connErr.retryable, true, 'a server that is down may be back soon')
  t.equal(smtp.received.length, 0)
})
