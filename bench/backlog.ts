import { spawn, spawnSync } from 'node:child_process'
import { open } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { newId } from '../src/ids.js'
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js'
import type { NewEvent } from '../src/store/types.js'
import { REPO, track } from './children.js'
import { SOURCE, TARGET } from './sidehook-process.js'

const BATCH = 2000

export interface FillResult {
  readonly seconds: number
  readonly flushSeconds: number
  /** The file's pages were dropped from the page cache after the flush. */
  readonly dropped: boolean
}

/**
 * Writes `count` events, each with one pending delivery to the bench target, straight into
 * the outbox file through the store itself (so the rows are exactly what ingest writes and
 * migrations are applied), and leaves the target paused so nothing is sent before the bench
 * says so. Much faster than ingesting over HTTP: 1M rows take tens of seconds, not minutes.
 *
 * It runs in a process of its own, so the load generator's process does not carry the heap
 * of a million events through the phases that follow.
 */
export function fillBacklog (dbPath: string, count: number, body: string, options: { dropFromCache?: boolean } = {}): Promise<FillResult> {
  const args = [dbPath, String(count), body, options.dropFromCache === true ? 'drop' : 'keep']
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], {
    cwd: REPO,
    stdio: ['ignore', 'inherit', 'pipe', 'ipc']
  })
  track(child)
  let stderr = ''
  child.stderr!.on('data', (c: Buffer) => { stderr += c.toString() })
  return new Promise((resolve, reject) => {
    let result: FillResult | undefined
    child.on('message', (m: FillResult) => { result = m })
    child.once('exit', (code) => {
      if (code === 0 && result !== undefined) resolve(result)
      else reject(new Error(`filling the backlog failed (exit ${code}): ${stderr}`))
    })
  })
}

async function fill (dbPath: string, count: number, body: Buffer, dropFromCache: boolean): Promise<FillResult> {
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
    }
  } finally {
    await store.close()
  }
  const filled = performance.now()
  // The fill is written without syncs, so a gigabyte of it would still sit in the page cache
  // when the measured phases start, and the kernel's writeback would compete with their own
  // WAL syncs for the disk. Flush it first: each phase then measures only itself.
  const file = await open(dbPath, 'r+')
  try { await file.datasync() } finally { await file.close() }
  const flushSeconds = (performance.now() - filled) / 1000
  return { seconds: (filled - t0) / 1000, flushSeconds, dropped: dropFromCache && dropCached(dbPath) }
}

/**
 * Drops a file's (clean, flushed) pages from the page cache: posix_fadvise(DONTNEED), through
 * GNU dd, as Node has no binding for it (`--drop-fill-cache`; bench/README.md says what it
 * changes and why the default keeps them). False where dd cannot do it.
 */
function dropCached (path: string): boolean {
  const r = spawnSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none'], { stdio: 'ignore' })
  return r.status === 0
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dbPath, count, body, cache] = process.argv.slice(2)
  const result = await fill(dbPath, Number(count), Buffer.from(body), cache === 'drop')
  // Run by fillBacklog, it answers over IPC; run by hand, it prints.
  if (process.send === undefined) console.log(JSON.stringify(result))
  else process.send(result, () => process.disconnect())
}
