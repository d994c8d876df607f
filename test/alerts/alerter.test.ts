import { createHmac } from 'node:crypto'
import { join } from 'node:path'
import { pino } from 'pino'
import t from 'tap'
import { Alerter } from '../../src/alerts/alerter.js'
import type { AlertPayload } from '../../src/alerts/webhook-payload.js'
import type { AlertsConfig } from '../../src/config/alerts-schema.js'
import { SqliteAlertStore } from '../../src/store/sqlite/sqlite-alert-store.js'
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import type { AttemptRecord } from '../../src/store/types.js'
import { answer, FAST_RETRY, failingTarget, harness, startAlertReceiver, until } from '../helpers/alerts.js'
import { testTarget } from '../helpers/config.js'
import { makeEvent } from '../helpers/events.js'

const silent = pino({ level: 'silent' })

const typesOf = (bodies: AlertPayload[]) => bodies.map((b) => b.type)

t.test('threshold, one alert per incident, recovery; webhook and Slack at once', async (t) => {
  const app = await startAlertReceiver(t, answer(503))
  const hook = await startAlertReceiver(t)
  const slack = await startAlertReceiver(t)
  const h = await harness(t, {
    targets: [failingTarget('app', app.url)],
    alerts: {
      consecutiveFailures: 3,
      channels: { webhook: { url: `${hook.url}/alerts`, secret: 'alert-secret' }, slack: { webhookUrl: `${slack.url}/services/T1/B1/sl4ck` } }
    }
  })
  const [id] = await h.send('app')
  await app.waitFor(7)
  await h.alerter.idle()
  t.same(typesOf(hook.bodies()), ['target.failing'], 'one alert although seven attempts failed')
  // Raised at exactly the third failure: nothing went out under the threshold.
  t.match(hook.bodies()[0], {
    target: 'app', threshold: 3, consecutiveFailures: 3, deliveryIds: [id],
    lastAttempt: { deliveryId: id, status: 503, statusName: 'Service Unavailable', retryable: true, source: 'sample' }
  })
  t.ok(hook.bodies()[0].lastAttempt!.commonCauses.length > 0, 'common causes from the catalog')
  t.equal(slack.received.length, 1, 'Slack got the same alert')
  t.match(slack.bodies<{ text: string }>()[0].text, 'app is failing: 3 failed attempts in a row')

  app.setResponder(answer(200))
  await until(async () => await h.state(id) === 'succeeded')
  await h.alerter.idle()
  const bodies = hook.bodies()
  t.same(typesOf(bodies), ['target.failing', 'target.recovered'])
  t.equal(bodies[1].consecutiveFailures, app.received.length - 1, 'recovery counts every failed attempt')
  t.ok(bodies[1].durationMs! > 0, 'and says how long it lasted')
  t.equal(slack.received.length, 2)

  const history = await h.alerter.history({}, { limit: 10 })
  t.equal(history.items.length, 4, 'two alerts times two channels')
  t.ok(history.items.every((e) => e.status === 'sent' && e.attempts === 1))
  t.same(history.items.map((e) => e.alert.kind).sort(), ['target.failing', 'target.failing', 'target.recovered', 'target.recovered'])
})

t.test('while still failing, one reminder per cooldown', async (t) => {
  const app = await startAlertReceiver(t, answer(502))
  const hook = await startAlertReceiver(t)
  const offset = { ms: 0 }
  const h = await harness(t, {
    targets: [failingTarget('app', app.url)],
    offset,
    alerts: { consecutiveFailures: 2, cooldownMs: 600_000, channels: { webhook: { url: hook.url } } }
  })
  await h.send('app')
  await until(() => hook.received.length === 1, 20_000, 'first alert')
  await app.waitFor(app.received.length + 3)
  await h.alerter.idle()
  t.same(typesOf(hook.bodies()), ['target.failing'], 'no reminder inside the cooldown')

  offset.ms += 600_000
  await app.waitFor(app.received.length + 3)
  await h.alerter.idle()
  t.same(typesOf(hook.bodies()), ['target.failing', 'target.still_failing'])
  await app.waitFor(app.received.length + 3)
  await h.alerter.idle()
  t.equal(hook.received.length, 2, 'one reminder per cooldown, not one per attempt')

  offset.ms += 600_000
  await app.waitFor(app.received.length + 2)
  await h.alerter.idle()
  t.same(typesOf(hook.bodies()), ['target.failing', 'target.still_failing', 'target.still_failing'])
  t.ok(hook.bodies()[2].consecutiveFailures! > hook.bodies()[1].consecutiveFailures!, 'the count keeps growing')
})

t.test('permanent failures: the first at once, the rest of the burst in one message with a count', async (t) => {
  const app = await startAlertReceiver(t, answer(404))
  const hook = await startAlertReceiver(t)
  const offset = { ms: 0 }
  const h = await harness(t, {
    targets: [testTarget('app', app.url)],
    offset,
    alerts: { consecutiveFailures: 100, cooldownMs: 600_000, channels: { webhook: { url: hook.url } } }
  })
  const ids = await h.send('app', 5)
  await until(async () => (await Promise.all(ids.map(h.state))).every((s) => s === 'failed'))
  await h.alerter.idle()
  const first = hook.bodies()
  t.same(typesOf(first), ['deliveries.needs_attention'])
  t.match(first[0], { failedDeliveries: 1, lastAttempt: { status: 404, statusName: 'Not Found', failReason: 'non_retryable_status', retryable: false } })

  offset.ms += 600_000
  h.alerter.wake()
  await h.alerter.idle()
  const bodies = hook.bodies()
  t.same(typesOf(bodies), ['deliveries.needs_attention', 'deliveries.needs_attention'])
  t.equal(bodies[1].failedDeliveries, 4, 'the other four, grouped')
  t.same([...bodies[0].deliveryIds, ...bodies[1].deliveryIds].sort(), [...ids].sort(), 'every failed delivery is named once')

  offset.ms += 600_000
  h.alerter.wake()
  await h.alerter.idle()
  t.equal(hook.received.length, 2, 'a window with nothing new sends nothing')
})

t.test('the grouped message goes out on its own when the window ends', async (t) => {
  const app = await startAlertReceiver(t, answer(410))
  const hook = await startAlertReceiver(t)
  const h = await harness(t, {
    targets: [testTarget('app', app.url)],
    alerts: { consecutiveFailures: 100, cooldownMs: 300, channels: { webhook: { url: hook.url } } }
  })
  await h.send('app', 6)
  const total = () => hook.bodies().reduce((n, b) => n + (b.failedDeliveries ?? 0), 0)
  await until(() => total() === 6, 20_000, 'all six reported')
  t.ok(hook.received.length >= 2, `grouped into ${hook.received.length} messages`)
  t.ok(hook.bodies().every((b) => b.type === 'deliveries.needs_attention'))
})

t.test('a per-target override wins over the global threshold', async (t) => {
  const failing = await startAlertReceiver(t, answer(500))
  const hook = await startAlertReceiver(t)
  const h = await harness(t, {
    targets: [failingTarget('app', failing.url), failingTarget('billing', failing.url)],
    alerts: { consecutiveFailures: 4, targets: { app: { consecutiveFailures: 2 } }, channels: { webhook: { url: hook.url } } }
  })
  await h.send('app')
  await h.send('billing')
  await until(() => hook.received.length === 2, 20_000, 'an alert for each target')
  await failing.waitFor(failing.received.length + 6)
  await h.alerter.idle()
  const byTarget = new Map(hook.bodies().map((b) => [b.target, b]))
  t.equal(hook.received.length, 2, 'still one each')
  t.match(byTarget.get('app'), { type: 'target.failing', threshold: 2, consecutiveFailures: 2 })
  t.match(byTarget.get('billing'), { type: 'target.failing', threshold: 4, consecutiveFailures: 4 })
})

t.test('settings live in the database: a restart keeps them, the config only seeds', async (t) => {
  const hook = await startAlertReceiver(t)
  const path = join(t.testdir(), 'outbox.db')
  const open = async (config: AlertsConfig) => {
    const store = new SqliteStore({ path, durability: 'normal' })
    const alerter = new Alerter({ store: new SqliteAlertStore(store.db), config, targets: ['app'], logger: silent, retry: FAST_RETRY })
    await alerter.start()
    return { alerter, close: async () => { await alerter.stop(100); await store.close() } }
  }

  const first = await open({ consecutiveFailures: 7 })
  t.equal(first.alerter.publicSettings().consecutiveFailures, 7, 'seeded from the config file')
  await first.alerter.updateSettings({
    consecutiveFailures: 2,
    cooldownMs: 5000,
    channels: { webhook: { url: `${hook.url}/hook`, secret: 'persisted-secret' } },
    targets: { app: { notifyOnRecovery: false } }
  })
  await first.close()

  const second = await open({ consecutiveFailures: 9, channels: {} })
  t.teardown(second.close)
  t.same(second.alerter.publicSettings(), {
    consecutiveFailures: 2,
    cooldownMs: 5000,
    notifyOnRecovery: true,
    notifyOnPermanentFailure: true,
    channels: { webhook: { url: `${hook.url}/hook`, secret: '***' } },
    targets: { app: { notifyOnRecovery: false } }
  })
  const { results } = await second.alerter.sendTest()
  t.match(results, [{ channel: 'webhook', ok: true }])
  const req = hook.received[0]
  const [, ts, v1] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(String(req.headers['sidehook-signature']))!
  t.equal(createHmac('sha256', 'persisted-secret').update(`${ts}.${req.body.toString()}`).digest('hex'), v1, 'signed with the stored secret')
})

t.test('an open incident survives a restart: the first success after it sends the recovery', async (t) => {
  const app = await startAlertReceiver(t, answer(503))
  const hook = await startAlertReceiver(t)
  const path = join(t.testdir(), 'outbox.db')
  const alerts: AlertsConfig = { consecutiveFailures: 2, channels: { webhook: { url: hook.url } } }
  const first = await harness(t, { targets: [failingTarget('app', app.url)], alerts, path })
  const [id] = await first.send('app')
  await until(() => hook.received.length === 1, 20_000, 'alert before the restart')
  await first.stop()
  const failedBefore = hook.bodies()[0].consecutiveFailures!

  app.setResponder(answer(200))
  const second = await harness(t, { targets: [failingTarget('app', app.url)], alerts, path })
  second.worker.wake()
  await until(async () => await second.state(id) === 'succeeded')
  await second.alerter.idle()
  t.same(typesOf(hook.bodies()), ['target.failing', 'target.recovered'])
  t.ok(hook.bodies()[1].consecutiveFailures! >= failedBefore)
})

t.test('a failed send is retried with backoff under the same alert id', async (t) => {
  let calls = 0
  const hook = await startAlertReceiver(t, (_r, res) => { calls++; res.writeHead(calls < 3 ? 500 : 200).end() })
  const h = await harness(t, { targets: [testTarget('app', 'http://127.0.0.1:9')], alerts: { channels: { webhook: { url: hook.url } } } })
  const { results } = await h.alerter.sendTest()
  t.match(results, [{ channel: 'webhook', ok: false, attempts: 1, result: 'HTTP 500' }], 'the test route tries once')

  const app = await startAlertReceiver(t, answer(400))
  await h.stop()
  const h2 = await harness(t, { targets: [testTarget('app', app.url)], alerts: { channels: { webhook: { url: hook.url } } } })
  calls = 0
  const before = hook.received.length
  await h2.send('app')
  await until(() => hook.received.length - before === 3, 20_000, 'three tries')
  await h2.alerter.idle()
  const tries = hook.received.slice(before)
  t.equal(new Set(tries.map((r) => r.headers['sidehook-alert-id'])).size, 1, 'one alert id across tries')
  const [entry] = (await h2.alerter.history({ status: 'sent' }, { limit: 5 })).items
  t.match(entry, { channel: 'webhook', status: 'sent', attempts: 3, result: 'HTTP 200' })
})

t.test('attempts cut short by our own shutdown do not count', async (t) => {
  const hook = await startAlertReceiver(t)
  const store = new SqliteStore({ path: join(t.testdir(), 'outbox.db'), durability: 'normal' })
  const alerter = new Alerter({ store: new SqliteAlertStore(store.db), config: { consecutiveFailures: 3, channels: { webhook: { url: hook.url } } }, targets: ['app'], logger: silent })
  await alerter.start()
  t.teardown(async () => { await alerter.stop(100); await store.close() })
  const event = makeEvent()
  await store.insertEvents([event])
  const [delivery] = await store.leaseDue({ owner: 'w', now: event.receivedAt, leaseMs: 60_000, targets: [{ name: 'app', limit: 1 }] })
  const record = (countsForHealth: boolean): AttemptRecord => ({
    deliveryId: delivery.id, owner: 'w', target: 'app', n: 9, startedAt: event.receivedAt, durationMs: 5, status: null,
    error: countsForHealth ? 'connection_refused' : 'aborted', errorMessage: null, retryAfterMs: null, outcome: 'retry',
    responseHeaders: null, responseBody: null, nextState: 'pending', nextAttemptAt: event.receivedAt, failReason: null,
    holdTargetUntil: null, countsForHealth
  })
  const completion = { deliveryId: delivery.id, applied: true, consecutiveFailures: 8 }
  alerter.onAttempt({ delivery, record: record(false), completion })
  await alerter.idle()
  t.equal(hook.received.length, 0, 'an aborted attempt raises nothing')
  alerter.onAttempt({ delivery, record: record(true), completion })
  await alerter.idle()
  t.same(typesOf(hook.bodies()), ['target.failing'])
})
