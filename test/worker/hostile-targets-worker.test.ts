/**
 * Hostile targets through the real Worker and SqliteStore, all at once: what each attempt
 * records (status, error code, kept body, outcome) and what comes next (pending with a next
 * attempt time, or succeeded), then proof that the process is still healthy: every hostile
 * connection was hung up, memory did not balloon, and a normal webhook to a healthy target is
 * delivered afterwards. test/worker/hostile-targets.test.ts covers each target in detail.
 */
import { join } from 'node:path'
import { pino } from 'pino'
import t from 'tap'
import type { Dispatcher } from 'undici'
import type { TargetConfig } from '../../src/config/types.js'
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { createTargetAgent, forward, SNIPPET_BYTES } from '../../src/worker/forward.js'
import { Worker, type AttemptReport } from '../../src/worker/worker.js'
import { testRetry, testTarget } from '../helpers/config.js'
import { makeEvent } from '../helpers/events.js'
import { behaviours, closedPortUrl, fullListener, httpsServer, rawServer, type HostileServer } from '../helpers/hostile.js'
import { startTarget } from '../helpers/target-server.js'

const MB = 1024 * 1024
// The first retry is a minute away, so each delivery is seen after exactly one attempt.
const retry = { ...testRetry, initialDelayMs: 60_000, maxDelayMs: 60_000, maxAgeMs: 3_600_000, jitter: 0 }

interface Expected {
  readonly status: number | null
  readonly error: string | null
  readonly outcome: 'retry' | 'success'
  /** The kept response body, when one is expected. */
  readonly body?: (b: Buffer) => boolean
}

t.test('every hostile target is recorded right, and the worker stays healthy', async (t) => {
  const servers: Array<[string, HostileServer]> = []
  const cleanups: Array<() => Promise<void>> = []
  t.teardown(async () => { for (const c of cleanups.reverse()) await c() })
  const hostile = async (name: string, s: Promise<HostileServer>): Promise<string> => {
    const server = await s
    cleanups.push(() => server.close())
    servers.push([name, server])
    return server.url
  }

  const urls: Record<string, string> = {
    'never-answers': await hostile('never-answers', rawServer(behaviours.neverAnswers())),
    'drips-body': await hostile('drips-body', rawServer(behaviours.dripsBody())),
    'drips-headers': await hostile('drips-headers', rawServer(behaviours.dripsHeaders())),
    'endless-status-line': await hostile('endless-status-line', rawServer(behaviours.endlessStatusLine())),
    'header-flood': await hostile('header-flood', rawServer(behaviours.headerFlood())),
    'huge-200': await hostile('huge-200', rawServer(behaviours.hugeBody(200))),
    'huge-500': await hostile('huge-500', rawServer(behaviours.hugeBody(500))),
    'endless-chunked': await hostile('endless-chunked', rawServer(behaviours.endlessChunked())),
    'resets-mid-response': await hostile('resets-mid-response', rawServer(behaviours.resetsMidResponse())),
    garbage: await hostile('garbage', rawServer(behaviours.garbage())),
    'closes-on-accept': await hostile('closes-on-accept', rawServer(behaviours.closesOnAccept())),
    'resets-on-accept': await hostile('resets-on-accept', rawServer(behaviours.resetsOnAccept())),
    'self-signed': await hostile('self-signed', httpsServer('cert.pem')),
    'https-on-plain-port': await hostile('https-on-plain-port', rawServer(behaviours.plainHttpAnswer(), 'https')),
    'tls-never-handshakes': await hostile('tls-never-handshakes', rawServer(behaviours.neverAnswers(), 'https')),
    'does-not-resolve': 'http://sidehook-test.invalid/',
    refused: await closedPortUrl()
  }
  const full = await fullListener()
  if (full !== null) {
    cleanups.push(() => full.close())
    urls['connect-never-completes'] = full.url
  } else {
    t.comment('no /proc/net/tcp: the full accept queue case is left out')
  }

  const timeout: Expected = { status: null, error: 'timeout', outcome: 'retry' }
  const zeros = (b: Buffer): boolean => b.length === SNIPPET_BYTES && b.every((x) => x === 0)
  const expected: Record<string, Expected> = {
    'never-answers': timeout,
    // What dripped in before the timeout is kept (how much depends on the CPU the floods leave).
    'drips-body': { status: 200, error: 'timeout', outcome: 'retry', body: (b) => /^x*$/.test(b.toString()) },
    'drips-headers': timeout,
    'endless-status-line': timeout,
    'header-flood': { status: null, error: 'protocol_error', outcome: 'retry' },
    'huge-200': { status: 200, error: null, outcome: 'success', body: zeros },
    'huge-500': { status: 500, error: null, outcome: 'retry', body: zeros },
    'endless-chunked': { status: 200, error: null, outcome: 'success', body: zeros },
    'resets-mid-response': { status: 200, error: 'connection_reset', outcome: 'retry', body: (b) => b.toString() === 'partial' },
    garbage: { status: null, error: 'protocol_error', outcome: 'retry' },
    'closes-on-accept': { status: null, error: 'connection_reset', outcome: 'retry' },
    'resets-on-accept': { status: null, error: 'connection_reset', outcome: 'retry' },
    'self-signed': { status: null, error: 'tls_failure', outcome: 'retry' },
    'https-on-plain-port': { status: null, error: 'tls_failure', outcome: 'retry' },
    'tls-never-handshakes': { status: null, error: 'connect_timeout', outcome: 'retry' },
    'connect-never-completes': { status: null, error: 'connect_timeout', outcome: 'retry' },
    'does-not-resolve': { status: null, error: 'dns_failure', outcome: 'retry' },
    refused: { status: null, error: 'connection_refused', outcome: 'retry' }
  }

  const healthy = await startTarget()
  cleanups.push(() => healthy.close())
  // Floods that a limit must stop get a timeout far beyond what the limit needs, so they cannot
  // pass by running into the clock (the other floods share the CPU with them here).
  const stoppedByLimits = new Set(['header-flood', 'huge-200', 'huge-500', 'endless-chunked'])
  const timeoutOf = (name: string): number => stoppedByLimits.has(name) ? 20_000 : 1500
  const targets: TargetConfig[] = [
    ...Object.entries(urls).map(([name, url]) => testTarget(name, url, { timeoutMs: timeoutOf(name), connectTimeoutMs: 500, concurrency: 1, retry })),
    testTarget('healthy', healthy.url, { retry })
  ]
  const store = new SqliteStore({ path: join(t.testdir(), 'outbox.db'), durability: 'normal' })
  cleanups.push(() => store.close())
  const agents = new Map<string, Dispatcher>(targets.map((tc) => [tc.name, createTargetAgent(tc)]))
  cleanups.push(async () => { for (const a of agents.values()) await a.close() })
  const reports: AttemptReport[] = []
  // Errors are kept for the failure messages: a worker that cannot schedule or record an
  // attempt says so only in its log.
  const logLines: string[] = []
  const logger = pino({ level: 'error' }, { write: (line: string) => { logLines.push(line) } })
  const worker = new Worker({
    store,
    targets: Object.fromEntries(targets.map((tc) => [tc.name, tc])),
    concurrency: 32,
    owner: 'hostile-test',
    logger,
    random: () => 0.5,
    onAttempt: (r) => reports.push(r),
    send: (delivery, target, signal) => forward({ dispatcher: agents.get(target.name)!, target, delivery, signal, clock: Date.now })
  })
  cleanups.push(() => worker.stop(100))

  const rss0 = process.memoryUsage().rss
  let peak = rss0
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 10)
  cleanups.push(async () => { clearInterval(sampler) })

  // One webhook fanned out to every hostile target at once.
  const names = Object.keys(urls)
  const event = makeEvent({ receivedAt: Date.now(), targets: names })
  await store.insertEvents([event])
  worker.wake()
  await until(() => reports.length === names.length, 30_000, () => `${reports.length} of ${names.length} attempts recorded; in flight ${worker.inFlight}; log: ${logLines.slice(-5).join('')}`)

  for (const d of event.deliveries) {
    const want = expected[d.target]
    const [attempt, ...more] = await store.getAttempts(d.id)
    t.equal(more.length, 0, `${d.target}: one attempt`)
    t.match(attempt, { n: 1, status: want.status, error: want.error, outcome: want.outcome }, `${d.target}: the attempt`)
    if (want.body !== undefined) t.ok(attempt.responseBody !== null && want.body(attempt.responseBody), `${d.target}: the kept body`)
    const view = await store.getDelivery(d.id)
    const end = attempt.startedAt + attempt.durationMs
    if (want.outcome === 'success') {
      t.match(view, { state: 'succeeded', attemptCount: 1, nextAttemptAt: null }, `${d.target}: succeeded`)
    } else {
      t.match(view, { state: 'pending', attemptCount: 1, lastStatus: want.status, lastError: want.error }, `${d.target}: pending`)
      t.equal(view!.nextAttemptAt, end + retry.initialDelayMs, `${d.target}: next attempt one backoff step after this one ended`)
    }
    // Bounded by the target's own limits: its timeout at most, or the drain and header limits.
    const bound = stoppedByLimits.has(d.target) ? timeoutOf(d.target) : timeoutOf(d.target) + 5000
    t.ok(attempt.durationMs < bound, `${d.target}: took ${attempt.durationMs} ms`)
  }

  for (const [name, server] of servers) {
    await server.allClosed()
    t.equal(server.open, 0, `${name}: the worker hung up on it (${server.accepted} connections, all closed)`)
  }

  // Still healthy: a normal webhook to a normal target goes through, promptly.
  const normal = makeEvent({ receivedAt: Date.now(), targets: ['healthy'] })
  await store.insertEvents([normal])
  worker.wake()
  await healthy.waitFor(1)
  await until(async () => (await store.getDelivery(normal.deliveries[0].id))?.state === 'succeeded', 10_000, () => `the healthy delivery did not succeed; log: ${logLines.slice(-5).join('')}`)
  t.match(await store.getAttempts(normal.deliveries[0].id), [{ status: 200, error: null, outcome: 'success' }])
  t.same(healthy.received[0].body, normal.body)
  t.equal(worker.inFlight, 0, 'nothing left in flight')
  t.same(logLines, [], 'the worker logged no error')

  clearInterval(sampler)
  const growth = Math.max(peak, process.memoryUsage().rss) - rss0
  t.ok(growth < 200 * MB, `RSS grew ${Math.round(growth / MB)} MiB while the targets flooded and dripped`)
})

async function until (cond: () => boolean | Promise<boolean>, timeoutMs: number, what: () => string): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(what())
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
