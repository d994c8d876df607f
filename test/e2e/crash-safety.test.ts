import t, { type Test } from 'tap'
import { Pool, request } from 'undici'
import { ServerProcess, writeConfig } from '../helpers/spawn-server.js'
import { startTarget } from '../helpers/target-server.js'

const TOTAL = 3000
const CONNECTIONS = 50

/**
 * Sends TOTAL webhooks over CONNECTIONS connections, stops the server with `signal` once
 * about half were acknowledged, restarts it, and checks that every acknowledged webhook
 * reaches the target at least once.
 */
async function crashRun (t: Test, signal: NodeJS.Signals) {
  const dir = t.testdir()
  // A little slow, so attempts are in flight when the signal comes.
  const app = await startTarget((_r, res) => { setTimeout(() => res.writeHead(200).end(), 50) })
  t.teardown(() => app.close())
  const cfg = writeConfig(dir, {
    server: { host: '127.0.0.1', port: 0, rateLimit: false },
    targets: { app: { url: app.url, concurrency: 32, timeoutMs: 2000, retry: { initialDelayMs: 100, maxDelayMs: 500 } } },
    sources: { s: { targets: ['app'], dedupe: false } },
    worker: { concurrency: 64, shutdownGraceMs: 2000 }
  })
  const first = new ServerProcess(cfg, { LOG_LEVEL: 'info' })
  t.teardown(async () => { if (first.child.exitCode === null) await first.kill('SIGKILL') })
  const { ingest } = await first.ready()

  const pool = new Pool(ingest, { connections: CONNECTIONS, pipelining: 1 })
  const acknowledged = new Set<string>()
  let refused = 0
  let stopped = false
  let receivedBeforeStop = 0
  let next = 0
  const sendOne = async (): Promise<void> => {
    while (next < TOTAL) {
      const i = next++
      try {
        const res = await pool.request({ path: '/in/s', method: 'POST', body: JSON.stringify({ i, pad: 'x'.repeat(900) }), headers: { 'content-type': 'application/json' } })
        const body = await res.body.json() as { id?: string }
        if (res.statusCode === 202 && body.id !== undefined) acknowledged.add(body.id)
        else refused++
        if (!stopped && acknowledged.size >= TOTAL / 2) {
          stopped = true
          receivedBeforeStop = app.received.length
          first.child.kill(signal)
        }
      } catch {
        refused++ // the server went away mid-request: the sender got no 202, so it would retry
      }
    }
  }
  await Promise.all(Array.from({ length: CONNECTIONS }, sendOne))
  await pool.close().catch(() => {})
  const exit = await first.exited
  t.ok(stopped, `stopped with ${signal} after ${acknowledged.size} acknowledgements, ${receivedBeforeStop} deliveries seen by then`)

  const second = new ServerProcess(cfg, { LOG_LEVEL: 'info' })
  t.teardown(async () => { if (second.child.exitCode === null) await second.kill('SIGKILL') })
  const { admin } = await second.ready()
  const receivedIds = () => new Set(app.received.map((r) => r.headers['sidehook-event-id'] as string))
  const deadline = Date.now() + 90_000
  while ([...acknowledged].some((id) => !receivedIds().has(id)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  // Attempts that were in flight at the stop are redelivered once their lease expires; wait
  // for the outbox to settle so the duplicate count is complete.
  for (;;) {
    const res = await request(`${admin}/admin/targets`)
    const { items } = await res.body.json() as { items: Array<{ counts: { pending: number, in_flight: number } }> }
    if (items.every((i) => i.counts.pending === 0 && i.counts.in_flight === 0) || Date.now() > deadline) break
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  const received = receivedIds()
  const lost = [...acknowledged].filter((id) => !received.has(id))
  const deliveriesSeen = app.received.length
  const duplicates = deliveriesSeen - received.size
  await second.kill('SIGTERM')
  return { exit, lost, duplicates, acknowledged: acknowledged.size, refused, received: received.size }
}

t.test('SIGKILL mid-load: every acknowledged webhook is delivered at least once', async (t) => {
  const r = await crashRun(t, 'SIGKILL')
  t.equal(r.exit.signal, 'SIGKILL')
  t.same(r.lost, [], `${r.acknowledged} acknowledged, ${r.received} distinct delivered, ${r.refused} not acknowledged`)
  t.comment(`SIGKILL run: ${r.duplicates} duplicate deliveries (attempts in flight at the kill, sent again once their lease expired)`)
  t.ok(r.duplicates <= 64, 'duplicates are bounded by the attempts that can be in flight at once')
})

t.test('SIGTERM mid-load: zero loss and a clean exit', async (t) => {
  const r = await crashRun(t, 'SIGTERM')
  t.equal(r.exit.code, 0, 'clean exit')
  t.same(r.lost, [], `${r.acknowledged} acknowledged, ${r.received} distinct delivered`)
  // A graceful stop lets attempts finish within the grace period and records them; only an
  // attempt still running when the grace ran out is aborted and sent again after restart.
  t.comment(`SIGTERM run: ${r.duplicates} duplicate deliveries`)
  t.ok(r.duplicates <= 64, 'duplicates only from attempts cut at the end of the grace period')
})
