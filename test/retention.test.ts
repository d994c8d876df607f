import { statSync } from 'node:fs'
import { join } from 'node:path'
import { pino } from 'pino'
import t from 'tap'
import { Retention } from '../src/retention.js'
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js'
import { makeEvent } from './helpers/events.js'

function fileSize (path: string): number {
  let size = 0
  for (const suffix of ['', '-wal']) {
    try { size += statSync(path + suffix).size } catch { /* no WAL yet */ }
  }
  return size
}

t.test('under steady load with short retention the database stops growing', async (t) => {
  const path = join(t.testdir(), 'outbox.db')
  const store = new SqliteStore({ path, durability: 'normal' })
  t.teardown(() => store.close())
  let now = 1_700_000_000_000
  const retention = new Retention(store, { succeededMs: 2_000, failedMs: 4_000, intervalMs: 1000, batchSize: 50 }, pino({ level: 'silent' }), () => now)
  const body = Buffer.alloc(2048, 'x')
  const sizes: number[] = []
  // Simulated seconds: each one ingests 200 webhooks, delivers them (a few fail), and prunes.
  for (let second = 0; second < 30; second++) {
    const batch = Array.from({ length: 200 }, () => makeEvent({ receivedAt: now, body }))
    await store.insertEvents(batch)
    const leased = await store.leaseDue({ owner: 'w', now, leaseMs: 1000, targets: [{ name: 'app', limit: 500 }] })
    await store.completeAttempts(leased.map((d, i) => ({
      deliveryId: d.id, owner: 'w', target: 'app', n: d.attempt, startedAt: now, durationMs: 1, status: i % 20 === 0 ? 404 : 200,
      error: null, errorMessage: null, retryAfterMs: null, outcome: i % 20 === 0 ? 'fail' : 'success', responseHeaders: null,
      responseBody: null, nextState: i % 20 === 0 ? 'failed' : 'succeeded', nextAttemptAt: null, failReason: null,
      holdTargetUntil: null, countsForHealth: true
    })))
    await retention.runOnce()
    now += 1000
    sizes.push(fileSize(path))
  }
  const live = await store.listEvents({}, { limit: 10_000 })
  t.ok(live.items.length <= 200 * 3 + 10 * 5, `${live.items.length} events kept: the last seconds' successes and failures`)
  const atTen = sizes[9]
  const atEnd = sizes[29]
  t.ok(atEnd <= atTen * 1.25, `file size flat: ${atTen} bytes after 10 s, ${atEnd} after 30 s`)
})

t.test('start and stop run on the timer and stop cleanly', async (t) => {
  const store = new SqliteStore({ path: join(t.testdir(), 'outbox.db'), durability: 'normal' })
  t.teardown(() => store.close())
  await store.insertEvents([makeEvent({ receivedAt: 1 })])
  const [d] = await store.leaseDue({ owner: 'w', now: 1, leaseMs: 1000, targets: [{ name: 'app', limit: 1 }] })
  await store.completeAttempts([{
    deliveryId: d.id, owner: 'w', target: 'app', n: 1, startedAt: 1, durationMs: 1, status: 200, error: null, errorMessage: null,
    retryAfterMs: null, outcome: 'success', responseHeaders: null, responseBody: null, nextState: 'succeeded', nextAttemptAt: null,
    failReason: null, holdTargetUntil: null, countsForHealth: true
  }])
  const retention = new Retention(store, { succeededMs: 1, failedMs: 1, intervalMs: 20, batchSize: 10 }, pino({ level: 'silent' }))
  retention.start()
  const end = Date.now() + 5000
  while ((await store.getEvent(d.eventId)) !== null && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20))
  await retention.stop()
  t.equal(await store.getEvent(d.eventId), null, 'pruned by the timer')
})
