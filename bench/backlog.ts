import { newId } from '../src/ids.js'
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js'
import type { NewEvent } from '../src/store/types.js'
import { SOURCE, TARGET } from './sidehook-process.js'

const BATCH = 2000

/**
 * Writes `count` events, each with one pending delivery to the bench target, straight into
 * the outbox file through the store itself (so the rows are exactly what ingest writes and
 * migrations are applied), and leaves the target paused so nothing is sent before the bench
 * says so. Much faster than ingesting over HTTP: 1M rows take tens of seconds, not minutes.
 */
export async function fillBacklog (dbPath: string, count: number, body: Buffer): Promise<{ seconds: number }> {
  const t0 = performance.now()
  // Nothing acknowledged depends on these rows, so the filler need not sync to disk.
  const store = new SqliteStore({ path: dbPath, durability: 'normal', pragmas: ['synchronous = OFF'] })
  try {
    await store.pauseTarget(TARGET, null)
    const headers: Array<[string, string]> = [['Host', '127.0.0.1'], ['Content-Type', 'application/json'], ['Content-Length', String(body.length)], ['User-Agent', 'sidehook-bench']]
    // Due in the past, oldest first, as a backlog built up during an outage would be.
    const start = Date.now() - 3_600_000
    for (let done = 0; done < count;) {
      const n = Math.min(BATCH, count - done)
      const batch: NewEvent[] = []
      for (let i = 0; i < n; i++) {
        const at = start + Math.floor(((done + i) / count) * 3_000_000)
        batch.push({
          id: newId('evt', at),
          source: SOURCE,
          method: 'POST',
          path: '',
          query: '',
          headers,
          body,
          remoteAddress: '127.0.0.1',
          receivedAt: at,
          dedupeKey: null,
          dedupeSince: 0,
          deliveries: [{ id: newId('dlv', at), target: TARGET }]
        })
      }
      await store.insertEvents(batch)
      done += n
      // The store is synchronous underneath: let this process's timers and messages run.
      await new Promise((resolve) => setImmediate(resolve))
    }
  } finally {
    await store.close()
  }
  return { seconds: (performance.now() - t0) / 1000 }
}
