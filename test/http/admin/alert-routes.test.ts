import { createHmac } from 'node:crypto'
import { join } from 'node:path'
import { pino } from 'pino'
import t, { type Test } from 'tap'
import { Alerter } from '../../../src/alerts/alerter.js'
import type { AlertsConfig } from '../../../src/config/alerts-schema.js'
import { buildAdminApp } from '../../../src/http/admin/admin-app.js'
import { SqliteAlertStore } from '../../../src/store/sqlite/sqlite-alert-store.js'
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js'
import { startAlertReceiver } from '../../helpers/alerts.js'
import { testTarget } from '../../helpers/config.js'
import { startSmtp } from '../../helpers/smtp-server.js'
import { startTarget } from '../../helpers/target-server.js'

const TOKEN = 'test-admin-token'
const auth = { authorization: `Bearer ${TOKEN}` }
const WEBHOOK_SECRET = 'whsec-route-secret'
const SLACK_PATH = '/services/T0001/B0002/sl4ckS3cretPath'
const SMTP_PASS = 'smtp-pass-777'

async function setup (t: Test, alerts: (urls: { hook: string, slack: string, smtpPort: number }) => AlertsConfig) {
  const hook = await startAlertReceiver(t)
  const slack = await startAlertReceiver(t)
  const smtp = await startSmtp({ auth: { user: 'mailer', pass: SMTP_PASS } })
  t.teardown(() => smtp.close())
  const store = new SqliteStore({ path: join(t.testdir(), 'outbox.db'), durability: 'normal' })
  const logger = pino({ level: 'silent' })
  const alerter = new Alerter({
    store: new SqliteAlertStore(store.db),
    config: alerts({ hook: hook.url, slack: slack.url, smtpPort: smtp.port }),
    targets: ['app'],
    logger,
    retry: { attempts: 1, timeoutMs: 5000 }
  })
  await alerter.start()
  const app = buildAdminApp({
    store, targets: { app: testTarget('app', 'http://127.0.0.1:9') }, token: TOKEN, health: { ready: () => store.checkWritable() },
    logger, wake: () => {}, alerter
  })
  t.teardown(async () => { await app.close(); await alerter.stop(100); await store.close() })
  const answers: string[] = []
  const call = async (method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown) => {
    const res = await app.inject({ method, url, headers: auth, ...(payload === undefined ? {} : { payload: payload as object }) })
    answers.push(res.body)
    return res
  }
  return { app, hook, slack, smtp, call, answers }
}

const full = (u: { hook: string, slack: string, smtpPort: number }): AlertsConfig => ({
  consecutiveFailures: 4,
  channels: {
    webhook: { url: `${u.hook}/alerts`, secret: WEBHOOK_SECRET },
    slack: { webhookUrl: `${u.slack}${SLACK_PATH}` },
    email: { to: ['oncall@example.com'], from: 'sidehook@example.com' }
  },
  targets: { app: { cooldownMs: 60_000 } },
  smtp: { url: `smtp://mailer:${SMTP_PASS}@127.0.0.1:${u.smtpPort}` }
})

t.test('GET answers the settings with every default and the secrets masked', async (t) => {
  const { call, hook, slack } = await setup(t, full)
  const res = await call('GET', '/admin/alerts/settings')
  t.equal(res.statusCode, 200)
  t.same(res.json(), {
    consecutiveFailures: 4,
    cooldownMs: 3_600_000,
    notifyOnRecovery: true,
    notifyOnPermanentFailure: true,
    channels: {
      webhook: { url: `${hook.url}/alerts`, secret: '***' },
      slack: { webhookUrl: `${slack.url}/services/***` },
      email: { to: ['oncall@example.com'], from: 'sidehook@example.com' }
    },
    targets: { app: { cooldownMs: 60_000 } }
  })
  t.notMatch(res.body, 'smtp', 'the SMTP server is not a setting')
})

t.test('PUT refuses bad input and names the field; nothing changes', async (t) => {
  const { app, call } = await setup(t, full)
  const before = (await call('GET', '/admin/alerts/settings')).json()
  const rows: Array<[string, unknown, RegExp]> = [
    ['threshold 0', { consecutiveFailures: 0 }, /consecutiveFailures must be >= 1/],
    ['cooldown not a number', { cooldownMs: 'soon' }, /cooldownMs must be integer/],
    ['flag not a boolean', { notifyOnRecovery: 'sometimes' }, /notifyOnRecovery must be boolean/],
    ['misspelt key', { consecutiveFailure: 3 }, /unknown field "consecutiveFailure"/],
    ['SMTP cannot be changed here', { smtp: { url: 'smtp://evil:25' } }, /unknown field "smtp"/],
    ['webhook URL not http', { channels: { webhook: { url: 'ftp://ops.example.com/' } } }, /channels\/webhook\/url must match/],
    ['webhook without URL', { channels: { webhook: { secret: 'x' } } }, /webhook must have required property 'url'/],
    ['bad email address', { channels: { email: { to: ['not-an-address'] } } }, /channels\/email\/to\/0 must match format "email"/],
    ['no recipients', { channels: { email: { to: [] } } }, /channels\/email\/to must NOT have fewer than 1 items/],
    ['unknown target', { targets: { nope: { consecutiveFailures: 2 } } }, /^body\/targets\/nope is not a configured target \(known targets: app\)$/],
    ['bad override', { targets: { app: { consecutiveFailures: -1 } } }, /targets\/app\/consecutiveFailures must be >= 1/],
    ['masked secret of another URL', { channels: { slack: { webhookUrl: 'https://hooks.slack.com/services/***' } } }, /^body\/channels\/slack\/webhookUrl contains \*\*\*/],
    ['not an object', [1, 2], /body must be object/]
  ]
  for (const [name, body, message] of rows) {
    const res = await call('PUT', '/admin/alerts/settings', body)
    t.equal(res.statusCode, 400, name)
    t.equal(res.json().error, 'bad_request', name)
    t.match(res.json().message, message, name)
  }
  const proto = await app.inject({
    method: 'PUT', url: '/admin/alerts/settings', headers: { ...auth, 'content-type': 'application/json' },
    payload: '{"targets":{"__proto__":{"consecutiveFailures":2}}}'
  })
  t.equal(proto.statusCode, 400)
  t.match(proto.json().message, 'body/targets/__proto__ is not a configured target')
  t.same((await call('GET', '/admin/alerts/settings')).json(), before, 'the stored settings are untouched')
})

t.test('email needs an SMTP server from the config file', async (t) => {
  const { call } = await setup(t, () => ({}))
  const res = await call('PUT', '/admin/alerts/settings', { channels: { email: { to: ['a@example.com'] } } })
  t.equal(res.statusCode, 400)
  t.match(res.json().message, 'body/channels/email cannot be used: no SMTP server is configured (alerts.smtp in the config file)')
})

t.test('GET, edit, PUT back: masked secrets keep their stored values', async (t) => {
  const { call, hook, slack } = await setup(t, full)
  const settings = (await call('GET', '/admin/alerts/settings')).json()
  const res = await call('PUT', '/admin/alerts/settings', { ...settings, cooldownMs: 120_000, targets: {} })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { ...settings, cooldownMs: 120_000, targets: {} }, 'answers the new settings, masked')
  t.same((await call('GET', '/admin/alerts/settings')).json(), { ...settings, cooldownMs: 120_000, targets: {} })

  const test = await call('POST', '/admin/alerts/test')
  t.equal(test.statusCode, 200)
  t.equal(slack.received[0].url, SLACK_PATH, 'Slack still posts to the full stored URL')
  const req = hook.received[0]
  const [, ts, v1] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(String(req.headers['sidehook-signature']))!
  t.equal(createHmac('sha256', WEBHOOK_SECRET).update(`${ts}.${req.body.toString()}`).digest('hex'), v1, 'still signed with the stored secret')

  const off = await call('PUT', '/admin/alerts/settings', { consecutiveFailures: 2 })
  t.same(off.json(), { consecutiveFailures: 2, cooldownMs: 3_600_000, notifyOnRecovery: true, notifyOnPermanentFailure: true, channels: {}, targets: {} },
    'absent keys take their defaults; absent channels are off')
})

t.test('POST test: every channel tried, each one reported', async (t) => {
  const down = await startTarget()
  await down.close()
  const { call, hook, smtp } = await setup(t, (u) => ({ ...full(u), channels: { ...full(u).channels, slack: { webhookUrl: `${down.url}${SLACK_PATH}` } } }))
  const res = await call('POST', '/admin/alerts/test')
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.match(body, { alertId: /^alr_/, ok: false })
  t.match(body.results, [
    { channel: 'webhook', ok: true, attempts: 1, result: 'HTTP 200: ok' },
    { channel: 'slack', ok: false, attempts: 1, result: /ECONNREFUSED/ },
    { channel: 'email', ok: true, attempts: 1, result: /^250 / }
  ])
  t.match(hook.bodies()[0], { id: body.alertId, type: 'test', target: null, title: 'Test alert from Sidehook' })
  await smtp.waitFor(1)
  t.equal(smtp.received[0].mail.headers.get('subject'), '[Sidehook] Test alert')
  t.match(smtp.received[0].mail.text, 'If you can read it, this channel works.')
})

t.test('POST test without any channel is a conflict', async (t) => {
  const { call } = await setup(t, () => ({}))
  const res = await call('POST', '/admin/alerts/test')
  t.equal(res.statusCode, 409)
  t.match(res.json(), { error: 'conflict', message: /No alert channel is configured/ })
})

t.test('history: what was sent, when, where, and how it went; filtered and paginated', async (t) => {
  const down = await startTarget()
  await down.close()
  const { call } = await setup(t, (u) => ({ ...full(u), channels: { ...full(u).channels, slack: { webhookUrl: `${down.url}${SLACK_PATH}` } } }))
  await call('POST', '/admin/alerts/test')
  await call('POST', '/admin/alerts/test')
  const all = (await call('GET', '/admin/alerts/history')).json()
  t.equal(all.items.length, 6)
  t.equal(all.nextCursor, null)
  t.match(all.items[0], {
    id: /^alh_/, alertId: /^alr_/, type: 'test', target: null, channel: /webhook|slack|email/, status: /sent|failed/,
    attempts: 1, createdAt: /^\d{4}-\d{2}-\d{2}T/, updatedAt: /^\d{4}-/, alert: { type: 'test', title: 'Test alert from Sidehook' }
  })
  const failed = (await call('GET', '/admin/alerts/history?status=failed')).json()
  t.same(failed.items.map((i: { channel: string }) => i.channel), ['slack', 'slack'])
  t.match(failed.items[0].result, /ECONNREFUSED/)
  t.equal((await call('GET', '/admin/alerts/history?channel=email')).json().items.length, 2)

  const seen: string[] = []
  let cursor: string | null = null
  do {
    const page: { items: Array<{ id: string }>, nextCursor: string | null } =
      (await call('GET', `/admin/alerts/history?limit=4${cursor === null ? '' : `&cursor=${cursor}`}`)).json()
    seen.push(...page.items.map((i) => i.id))
    cursor = page.nextCursor
  } while (cursor !== null)
  t.same(seen, all.items.map((i: { id: string }) => i.id), 'pages add up to the list, newest first')

  t.equal((await call('GET', '/admin/alerts/history?cursor=bm9wZQ')).statusCode, 400)
  t.equal((await call('GET', '/admin/alerts/history?channel=pager')).statusCode, 400)
})

t.test('the routes need the token, and no answer ever holds a secret', async (t) => {
  const { app, call, answers } = await setup(t, full)
  for (const [method, url] of [['GET', '/admin/alerts/settings'], ['PUT', '/admin/alerts/settings'], ['POST', '/admin/alerts/test'], ['GET', '/admin/alerts/history']] as const) {
    t.equal((await app.inject({ method, url })).statusCode, 401, `${method} ${url}`)
  }
  await call('GET', '/admin/alerts/settings')
  await call('POST', '/admin/alerts/test')
  await call('GET', '/admin/alerts/history')
  await call('PUT', '/admin/alerts/settings', { channels: { slack: { webhookUrl: 'https://hooks.slack.com/services/T9/B9/n3wS3cret' } } })
  const everything = answers.join('\n')
  for (const secret of [WEBHOOK_SECRET, SLACK_PATH, 'sl4ckS3cretPath', SMTP_PASS, 'n3wS3cret']) t.notMatch(everything, secret, secret)
})
