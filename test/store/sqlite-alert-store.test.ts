import { join } from 'node:path'
import t, { type Test } from 'tap'
import { EMPTY_STATE } from '../../src/alerts/rules.js'
import { normalizeSettings } from '../../src/alerts/settings.js'
import type { Alert, TargetAlertState } from '../../src/alerts/types.js'
import { newId } from '../../src/ids.js'
import { SqliteAlertStore } from '../../src/store/sqlite/sqlite-alert-store.js'
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'

const T0 = Date.UTC(2026, 0, 1)

function open (t: Test, path = join(t.testdir(), 'outbox.db')) {
  const store = new SqliteStore({ path, durability: 'normal' })
  t.teardown(() => store.close())
  return { store, alerts: new SqliteAlertStore(store.db), path }
}

const alert = (id: string, target: string | null = 'app'): Alert => ({
  id, kind: target === null ? 'test' : 'target.failing', target, at: T0, threshold: 3, consecutiveFailures: 3,
  failingSince: T0, durationMs: null, failedDeliveries: null, last: null, deliveryIds: []
})

const failing: TargetAlertState = {
  failing: {
    since: T0,
    failures: 4,
    alertedAt: T0 + 10,
    notifiedAt: T0 + 10,
    last: { deliveryId: 'dlv_1', eventId: 'evt_1', source: 's', attempt: 4, at: T0, status: 503, error: null, errorMessage: null, failReason: null }
  },
  permanent: null
}

t.test('settings: seeded once, then only saves change them, across reopening', async (t) => {
  const { alerts, store, path } = open(t)
  t.equal(await alerts.getSettings(), null)
  const seed = normalizeSettings({ consecutiveFailures: 7 })
  t.same(await alerts.seedSettings(seed, T0), seed)
  t.same(await alerts.seedSettings(normalizeSettings({ consecutiveFailures: 9 }), T0), seed, 'a second seed changes nothing')
  const saved = normalizeSettings({ consecutiveFailures: 2, channels: { slack: { webhookUrl: 'https://hooks.slack.com/services/a/b/c' } } })
  await alerts.saveSettings(saved, T0 + 1)
  await store.close()
  const again = open(t, path)
  t.same(await again.alerts.getSettings(), saved)
  t.same(await again.alerts.seedSettings(seed, T0 + 2), saved, 'the config file no longer wins')
})

t.test('target states: written and deleted together with history, atomically', async (t) => {
  const { alerts } = open(t)
  const a = alert(newId('alr', T0))
  const h1 = newId('alh', T0)
  await alerts.commit({ states: new Map([['app', failing]]), history: [{ id: h1, alert: a, channel: 'webhook', createdAt: T0 }] }, T0)
  t.same(await alerts.loadStates(), new Map([['app', failing]]))

  // The duplicate history id fails the whole commit: the state change must not be written either.
  await t.rejects(alerts.commit({ states: new Map([['app', EMPTY_STATE]]), history: [{ id: h1, alert: a, channel: 'slack', createdAt: T0 }] }, T0))
  t.same(await alerts.loadStates(), new Map([['app', failing]]), 'nothing half-written')

  await alerts.commit({ states: new Map([['app', EMPTY_STATE]]), history: [] }, T0)
  t.same(await alerts.loadStates(), new Map(), 'an empty state deletes the row')
})

t.test('history: updates, unfinished rows, filters, pages, pruning', async (t) => {
  const { alerts } = open(t)
  const ids: string[] = []
  for (let i = 0; i < 5; i++) {
    const id = newId('alh', T0 + i)
    ids.push(id)
    await alerts.commit({
      states: new Map(),
      history: [{ id, alert: alert(newId('alr', T0 + i), i === 4 ? null : 'app'), channel: i % 2 === 0 ? 'webhook' : 'email', createdAt: T0 + i }]
    }, T0 + i)
  }
  await alerts.updateHistory(ids[0], { status: 'sent', attempts: 2, result: 'HTTP 200', updatedAt: T0 + 100 })
  t.equal(await alerts.failUnfinished('stopped', T0 + 200), 4)
  const all = await alerts.listHistory({}, { limit: 10 })
  t.same(all.items.map((h) => h.id), [...ids].reverse(), 'newest first')
  t.match(all.items.at(-1), { status: 'sent', attempts: 2, result: 'HTTP 200', updatedAt: T0 + 100, channel: 'webhook', alert: { kind: 'target.failing' } })
  t.match(all.items[0], { status: 'failed', result: 'stopped', alert: { kind: 'test', target: null } })
  t.same((await alerts.listHistory({ channel: 'email' }, { limit: 10 })).items.map((h) => h.id), [ids[3], ids[1]])
  t.same((await alerts.listHistory({ status: 'sent' }, { limit: 10 })).items.map((h) => h.id), [ids[0]])
  t.equal((await alerts.listHistory({ target: 'app' }, { limit: 10 })).items.length, 4)
  const page = await alerts.listHistory({}, { limit: 2 })
  t.equal(page.next, ids[3])
  t.same((await alerts.listHistory({}, { limit: 2, before: page.next! })).items.map((h) => h.id), [ids[2], ids[1]])
  t.equal(await alerts.pruneHistory(T0 + 2), 2)
  t.equal((await alerts.listHistory({}, { limit: 10 })).items.length, 3)
})
