import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { packageRoot } from '../../src/package-root.js'
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { StorageOpenError } from '../../src/store/sqlite/open-database.js'
import type { AttemptRecord, LeasedDelivery } from '../../src/store/types.js'
import { makeEvent } from '../helpers/events.js'
import { Prng, seedFromEnv } from '../helpers/prng.js'
import { storeContract } from './store-contract.js'

storeContract(t, async (t) => {
  const store = new SqliteStore({ path: join(t.testdir(), 'outbox.db'), durability: 'full' })
  t.teardown(() => store.close())
  return store
})

t.test('data survives closing and reopening the file', async (t) => {
  const path = join(t.testdir(), 'nested', 'dir', 'outbox.db')
  const first = new SqliteStore({ path, durability: 'normal' })
  const e = makeEvent()
  await first.insertEvents([e])
  await first.close()
  const second = new SqliteStore({ path, durability: 'full' })
  t.teardown(() => second.close())
  t.same((await second.getEvent(e.id))?.body, e.body)
})

t.test('a file that is not a database gives a clear error', async (t) => {
  const path = join(t.testdir(), 'junk.db')
  writeFileSync(path, 'this is not a database, just some text that is long enough to look like a header '.repeat(100))
  t.throws(() => new SqliteStore({ path, durability: 'full' }), StorageOpenError)
  t.throws(() => new SqliteStore({ path, durability: 'full' }), { message: /not a SQLite database/ })
})

t.test('delivery counts always equal a recount of the rows, whatever moves them', async (t) => {
  const seed = seedFromEnv(0x5eed)
  const rnd = new Prng(seed)
  const store = new SqliteStore({ path: join(t.testdir(), 'outbox.db'), durability: 'normal' })
  t.teardown(() => store.close())
  const recount = (): Record<string, Record<string, number>> => {
    const out: Record<string, Record<string, number>> = {}
    const rows = store.db.$client.prepare('SELECT target, state, count(*) AS n FROM deliveries GROUP BY target, state').all() as Array<{ target: string, state: string, n: number }>
    for (const r of rows) {
      out[r.target] ??= { pending: 0, in_flight: 0, succeeded: 0, failed: 0, cancelled: 0 }
      out[r.target][r.state] = r.n
    }
    return out
  }
  const T0 = 1_700_000_000_000
  let now = T0
  const leased: LeasedDelivery[] = []
  const owners = ['w1', 'w2']
  const outcome = (d: LeasedDelivery, owner: string): AttemptRecord => {
    const next = rnd.pick(['succeeded', 'pending', 'failed'] as const)
    return {
      deliveryId: d.id, owner, target: d.target, n: d.attempt, startedAt: now, durationMs: 1, status: next === 'succeeded' ? 200 : 500,
      error: null, errorMessage: null, retryAfterMs: null, outcome: next === 'succeeded' ? 'success' : next === 'failed' ? 'fail' : 'retry',
      responseHeaders: null, responseBody: null, nextState: next, nextAttemptAt: next === 'pending' ? now + rnd.int(0, 50) : null,
      failReason: next === 'failed' ? 'non_retryable_status' : null, holdTargetUntil: null, countsForHealth: rnd.chance(0.9)
    }
  }
  for (let step = 0; step < 400; step++) {
    now += rnd.int(1, 20)
    const op = rnd.weighted<string>([[4, 'insert'], [4, 'lease'], [4, 'complete'], [1, 'reclaim'], [1, 'release'],
      [1, 'retry'], [1, 'retryAll'], [1, 'cancel'], [1, 'prune'], [3, 'pass']])
    const owner = rnd.pick(owners)
    if (op === 'insert') {
      const targets = rnd.chance(0.5) ? ['a'] : ['a', 'b']
      await store.insertEvents(Array.from({ length: rnd.int(1, 4) }, () => makeEvent({ receivedAt: now, targets })))
    } else if (op === 'lease') {
      leased.push(...await store.leaseDue({ owner, now, leaseMs: rnd.int(5, 200), targets: [{ name: 'a', limit: rnd.int(0, 3) }, { name: 'b', limit: rnd.int(0, 3) }] }))
    } else if (op === 'complete' || op === 'pass') {
      const done = leased.splice(0, rnd.int(0, leased.length))
      // Some records come from a worker that is not the owner: they must change nothing.
      const records = done.map((d) => outcome(d, rnd.chance(0.8) ? ownerOf(d) : 'stranger'))
      if (op === 'complete') await store.completeAttempts(records)
      else leased.push(...(await store.runPass({ owner, now, leaseMs: 100, records, plan: () => [{ name: rnd.pick(['a', 'b']), limit: rnd.int(0, 4) }] })).leased)
    } else if (op === 'reclaim') {
      await store.runPass({ owner, now, leaseMs: 100, records: [], plan: () => [] })
    } else if (op === 'release') {
      const some = leased.splice(0, rnd.int(0, 2))
      await store.releaseLeases(owner, some.map((d) => d.id), now)
    } else if (op === 'retry' || op === 'cancel') {
      const page = await store.listDeliveries({}, { limit: 200 })
      if (page.items.length > 0) {
        const id = rnd.pick(page.items).id
        if (op === 'retry') await store.retryDelivery(id, now)
        else await store.cancelDelivery(id, now)
      }
    } else if (op === 'retryAll') {
      await store.retryDeliveries({ state: rnd.pick(['failed', 'cancelled', 'succeeded', 'in_flight'] as const), target: rnd.chance(0.5) ? 'a' : undefined }, now)
    } else {
      await store.pruneEvents({ succeededBefore: now - rnd.int(0, 500), failedBefore: now - rnd.int(0, 500) }, rnd.int(1, 10))
    }
    const want = recount()
    const got = await store.countsByTarget()
    if (!sameCounts(got, want)) {
      t.same(got, want, `seed ${seed}, step ${step} (${op})`)
      return
    }
  }
  t.pass(`seed ${seed}: counts matched a recount after each of 400 random operations`)

  function ownerOf (d: LeasedDelivery): string {
    const row = store.db.$client.prepare('SELECT lease_owner FROM deliveries WHERE id = ?').pluck().get(d.id) as string | null
    return row ?? 'gone'
  }
})

function sameCounts (a: Record<string, Record<string, number>>, b: Record<string, Record<string, number>>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  for (const k of keys) {
    for (const s of ['pending', 'in_flight', 'succeeded', 'failed', 'cancelled']) {
      if ((a[k]?.[s] ?? 0) !== (b[k]?.[s] ?? 0)) return false
    }
  }
  return true
}

t.test('an outbox from before delivery_counts starts with true counts after the upgrade', async (t) => {
  const dir = t.testdir()
  const path = join(dir, 'old.db')
  // The migrations as they were before 0003: the same files, the journal cut short.
  const oldFolder = join(dir, 'drizzle-old')
  cpSync(join(packageRoot(), 'drizzle'), oldFolder, { recursive: true })
  const journalPath = join(oldFolder, 'meta', '_journal.json')
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: Array<{ tag: string }> }
  journal.entries = journal.entries.filter((e) => e.tag < '0003')
  writeFileSync(journalPath, JSON.stringify(journal))
  const client = new Database(path)
  migrate(drizzle(client), { migrationsFolder: oldFolder })
  const insert = client.prepare(`INSERT INTO deliveries (id, event_id, source, target, state, cycle_started_at, created_at, updated_at)
    VALUES (?, 'evt', 's', ?, ?, 0, 0, 0)`)
  const rows: Array<[string, string, number]> = [['a', 'pending', 3], ['a', 'succeeded', 5], ['a', 'failed', 2], ['b', 'in_flight', 1], ['b', 'cancelled', 4]]
  let i = 0
  for (const [target, state, n] of rows) for (let k = 0; k < n; k++) insert.run(`dlv_${i++}`, target, state)
  client.close()

  const store = new SqliteStore({ path, durability: 'normal' })
  t.teardown(() => store.close())
  t.same(await store.countsByTarget(), {
    a: { pending: 3, in_flight: 0, succeeded: 5, failed: 2, cancelled: 0 },
    b: { pending: 0, in_flight: 1, succeeded: 0, failed: 0, cancelled: 4 }
  })
  t.equal((await store.listDeliveries({ state: 'failed' }, { limit: 10 })).items.length, 2, 'the new partial indexes serve the old rows')
})
