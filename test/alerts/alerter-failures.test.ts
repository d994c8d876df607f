import { join } from 'node:path'
import { pino } from 'pino'
import t from 'tap'
import { Alerter } from '../../src/alerts/alerter.js'
import { SqliteAlertStore } from '../../src/store/sqlite/sqlite-alert-store.js'
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { answer, captureLogger, failingTarget, harness, startAlertReceiver, until } from '../helpers/alerts.js'
import { startSmtp } from '../helpers/smtp-server.js'
import { startTarget } from '../helpers/target-server.js'

const SECRETS = ['hook-secret-value', 'slack-secret-path', 'smtp-pass-999']

t.test('channels that are down or hang never hold deliveries back, and no secret reaches the log', async (t) => {
  const closed = await startTarget()
  await closed.close()
  const smtpDown = await startSmtp()
  await smtpDown.close()
  const hanging = await startAlertReceiver(t, () => { /* never answers */ })
  const app = await startAlertReceiver(t, answer(503))
  const { logger, text } = captureLogger()
  const h = await harness(t, {
    targets: [failingTarget('app', app.url)],
    logger,
    retry: { attempts: 3, initialDelayMs: 20, timeoutMs: 60_000 },
    alerts: {
      consecutiveFailures: 2,
      channels: {
        webhook: { url: `${closed.url}/hook`, secret: SECRETS[0] },
        slack: { webhookUrl: `${hanging.url}/services/T1/B1/${SECRETS[1]}` },
        email: { to: ['oncall@example.com'] }
      },
      smtp: { url: `smtp://mailer:${SECRETS[2]}@127.0.0.1:${smtpDown.port}` }
    }
  })
  const [first] = await h.send('app')
  const failedOn = async (channel: string) => (await h.alerter.history({ channel: channel as 'webhook', status: 'failed' }, { limit: 5 })).items
  await until(async () => (await failedOn('webhook')).length === 1 && (await failedOn('email')).length === 1, 20_000, 'webhook and email gave up')
  t.match((await failedOn('webhook'))[0], { attempts: 3, result: /ECONNREFUSED/ }, 'three tries, then given up')
  t.match((await failedOn('email'))[0], { attempts: 3, result: /ECONNREFUSED|ESOCKET|ECONNECTION/ })
  await hanging.waitFor(1)

  // The Slack send is still hanging; deliveries go on regardless.
  app.setResponder(answer(200))
  const more = await h.send('app', 5)
  await until(async () => (await Promise.all([first, ...more].map(h.state))).every((s) => s === 'succeeded'), 20_000, 'deliveries went through')
  const slackRows = (await h.alerter.history({ channel: 'slack' }, { limit: 5 })).items
  t.ok(slackRows.length >= 1 && slackRows.every((r) => r.status === 'sending'), 'while Slack still has not answered')

  await h.worker.stop(100)
  await h.alerter.stop(100)
  const after = (await h.alerter.history({ channel: 'slack' }, { limit: 5 })).items
  t.ok(after.every((r) => r.status === 'failed' && /no answer in time/.test(r.result ?? '')), 'a hanging send is cut at shutdown and recorded')

  const log = text()
  t.match(log, 'Alert could not be sent through webhook; giving up')
  t.match(log, 'Alerts go to webhook, slack, email')
  for (const secret of SECRETS) t.notMatch(log, secret, `the log never holds ${secret}`)
  const history = JSON.stringify((await h.alerter.history({}, { limit: 50 })).items)
  for (const secret of SECRETS) t.notMatch(history, secret, `the history never holds ${secret}`)
})

t.test('a retry still waiting at shutdown is recorded as not sent', async (t) => {
  const hook = await startAlertReceiver(t, answer(503))
  const app = await startAlertReceiver(t, answer(500))
  const h = await harness(t, {
    targets: [failingTarget('app', app.url)],
    retry: { attempts: 4, initialDelayMs: 600_000 },
    alerts: { consecutiveFailures: 1, channels: { webhook: { url: hook.url } } }
  })
  await h.send('app')
  await until(async () => (await h.alerter.history({}, { limit: 1 })).items[0]?.attempts === 1, 20_000, 'first try made')
  await h.worker.stop(100)
  await h.alerter.stop(100)
  const [row] = (await h.alerter.history({}, { limit: 1 })).items
  t.match(row, { status: 'failed', attempts: 1, result: 'HTTP 503: status 503 (not retried: Sidehook stopped)' })
})

t.test('a send cut off by a crash is marked failed at the next start', async (t) => {
  const path = join(t.testdir(), 'outbox.db')
  const store = new SqliteStore({ path, durability: 'normal' })
  const alertStore = new SqliteAlertStore(store.db)
  const now = Date.now()
  const alert = {
    id: 'alr_x', kind: 'test' as const, target: null, at: now, threshold: null, consecutiveFailures: null,
    failingSince: null, durationMs: null, failedDeliveries: null, last: null, deliveryIds: []
  }
  await alertStore.commit({ states: new Map(), history: [{ id: 'alh_01jcrash000000000000000000', alert, channel: 'webhook', createdAt: now }] }, now)
  const alerter = new Alerter({ store: alertStore, config: {}, targets: [], logger: pino({ level: 'silent' }) })
  await alerter.start()
  t.teardown(async () => { await alerter.stop(0); await store.close() })
  const [row] = (await alerter.history({}, { limit: 5 })).items
  t.match(row, { id: 'alh_01jcrash000000000000000000', status: 'failed', result: 'not sent: Sidehook stopped while sending it' })
})
