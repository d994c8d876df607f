import { join } from 'node:path'
import { HelperProcess } from '../children.js'
import { profileDirOf, type Context } from '../context.js'
import { fillBacklog } from '../backlog.js'
import { runLoad, type LoadResult } from '../load.js'
import type { Phase } from '../options.js'
import { CpuMeter, peakRss } from '../proc-metrics.js'
import { withRatio, type Row } from '../report.js'
import { NOWHERE, SOURCE, SidehookProcess, writeSidehookConfig } from '../sidehook-process.js'
import { log, median, sleep } from '../stats.js'

interface Server { id: string, phase: Phase, url: string, pid: number, stop: () => Promise<unknown>, problems: () => unknown[] }
interface Round extends LoadResult { round: number, cpu: number | null }
/** What a row is compared with, and the ratio the issue asks for (null: information only). */
interface Judged { title: string, baseline: string | null, targetRatio: number | null }

const TITLES: Record<string, string> = {
  a: 'bare Fastify 202 (ceiling)',
  b: 'ingest, worker paused',
  f: 'ingest with the pending backlog'
}

async function prefilled (ctx: Context, dir: string, pending: number): Promise<string> {
  const { configPath, dbPath } = writeSidehookConfig({ dir, targetUrl: NOWHERE, deliveryConcurrency: ctx.options.deliveryConcurrency, durability: ctx.options.durability })
  if (pending > 0) {
    log(`(f) writing ${pending} pending deliveries into the outbox`)
    const { seconds, flushSeconds, dropped } = await fillBacklog(dbPath, pending, ctx.body, { dropFromCache: ctx.options.dropFillCache })
    log(`(f) backlog written in ${seconds.toFixed(1)} s, flushed to disk in ${flushSeconds.toFixed(1)} s` +
      (!ctx.options.dropFillCache ? ', left in the page cache' : dropped ? ', dropped from the page cache (--drop-fill-cache)' : '; WARNING: could not drop it from the page cache (no GNU dd?)'))
  }
  return configPath
}

async function baseline (id: string): Promise<Server> {
  const base = new HelperProcess('./baseline-server.ts')
  const url = await base.ready()
  return { id, phase: 'a', url: `${url}/in/${SOURCE}`, pid: base.pid, stop: () => base.stop(), problems: () => [] }
}

async function paused (ctx: Context, id: string, phase: Phase, configPath: string): Promise<Server> {
  const sh = await new SidehookProcess(configPath, id === 'b' ? profileDirOf(ctx, 'b') : undefined).ready()
  // Hold the worker back: nothing is delivered, so only ingest is measured.
  await sh.pause()
  return { id, phase, url: `${sh.ingestUrl}/in/${SOURCE}`, pid: sh.pid, stop: () => sh.stop(), problems: () => sh.problems }
}

const emptyOutbox = (ctx: Context, dir: string): string =>
  writeSidehookConfig({ dir: join(ctx.workDir, dir), targetUrl: NOWHERE, deliveryConcurrency: ctx.options.deliveryConcurrency, durability: ctx.options.durability }).configPath

/**
 * The servers of one block side by side: every one is up at once and the rounds alternate
 * between them, so a noisy neighbour on the machine hurts all of them alike. Returns a row
 * per server, in the order given.
 */
async function sideBySide (ctx: Context, starting: Array<Promise<Server>>, judged: Record<string, Judged>): Promise<Row[]> {
  const { options } = ctx
  const servers: Server[] = []
  try {
    const settled = await Promise.allSettled(starting)
    for (const s of settled) if (s.status === 'fulfilled') servers.push(s.value)
    for (const s of settled) if (s.status === 'rejected') throw s.reason
    const load = (s: Server, seconds: number) => runLoad({ url: s.url, body: ctx.body, connections: options.connections, seconds })
    if (options.warmup > 0) {
      for (const s of servers) {
        log(`(${s.id}) warm-up ${options.warmup} s`)
        await load(s, options.warmup)
      }
    }
    const rounds = new Map<string, Round[]>(servers.map((s) => [s.id, []]))
    for (let r = 0; r < options.repeats; r++) {
      // Forward, then backward: neighbours swap who goes first every round, so when the
      // machine drifts during a block, (b*) and (f) (or (a) and (b)) drift alike.
      const order = r % 2 === 0 ? servers : [...servers].reverse()
      for (const s of order) {
        await sleep(300)
        const meter = new CpuMeter(s.pid)
        const res = await load(s, options.duration)
        const cpu = meter.cores()
        log(`(${s.id}) round ${r + 1}/${options.repeats}: ${res.rps.toFixed(0)} req/s, p99 ${res.p99.toFixed(2)} ms, non-2xx ${res.non2xx}, errors ${res.errors}`)
        rounds.get(s.id)!.push({ ...res, round: r + 1, cpu })
      }
    }
    const rows: Row[] = []
    for (const s of servers) {
      const rs = rounds.get(s.id)!
      const bad = rs.reduce((n, x) => n + x.non2xx + x.errors + x.timeouts, 0)
      const problems = s.problems()
      const gen = median(rs.map((x) => x.generatorCpu))
      const notes = [
        `server CPU ${median(rs.map((x) => x.cpu))?.toFixed(2)} cores, load generator CPU ${gen?.toFixed(2)} cores` +
          (gen !== null && gen > 0.85 ? ' (the generator was near one full core: this rate may be its limit, not the server\'s)' : ''),
        ...(bad > 0 ? [`${bad} requests were not acknowledged with 2xx`] : []),
        ...(problems.length > 0 ? [`${problems.length} warn/error log lines, e.g. ${JSON.stringify(problems[0]).slice(0, 300)}`] : [])
      ]
      const { title, baseline, targetRatio } = judged[s.id]
      const row = {
        id: s.id,
        phase: s.phase,
        title,
        rps: median(rs.map((x) => x.rps)),
        p50: median(rs.map((x) => x.p50)),
        p99: median(rs.map((x) => x.p99)),
        peakRss: peakRss(s.pid),
        cpu: median(rs.map((x) => x.cpu)),
        baseline,
        targetRatio,
        rounds: rs,
        notes
      }
      rows.push(withRatio(row, rows.find((x) => x.id === baseline)))
    }
    return rows
  } finally {
    await Promise.all(servers.map((s) => s.stop()))
  }
}

/**
 * (a), (b) and (f) in two blocks. First (a) and (b) side by side on a machine that has not
 * yet written the big outbox of (f); then the fill, and (f) side by side with a Sidehook on an
 * empty outbox (b*) and the bare route again (a*). Writing 1.7 GB into an outbox leaves this
 * kind of machine slower for every Sidehook whose outbox grows (bench/README.md): in one block
 * with (f), (b) would measure that state, not the cost of ingest. Each ratio compares servers
 * measured in the same block; the b*-vs-a* ratio is reported as information.
 */
export async function ingestPhases (ctx: Context): Promise<Row[]> {
  const { options } = ctx
  const rows: Row[] = []
  const first: Array<Promise<Server>> = []
  if (ctx.runs('a')) first.push(baseline('a'))
  if (ctx.runs('b')) first.push(paused(ctx, 'b', 'b', emptyOutbox(ctx, 'b')))
  if (first.length > 0) {
    rows.push(...await sideBySide(ctx, first, {
      a: { title: TITLES.a, baseline: null, targetRatio: null },
      b: { title: TITLES.b, baseline: 'a', targetRatio: 0.4 }
    }))
  }
  if (!ctx.runs('f')) return rows
  const fConfig = await prefilled(ctx, join(ctx.workDir, 'f'), options.pending)
  const second: Array<Promise<Server>> = []
  if (ctx.runs('a')) second.push(baseline('a*'))
  second.push(paused(ctx, 'b*', 'b', emptyOutbox(ctx, 'b-star')))
  second.push(paused(ctx, 'f', 'f', fConfig))
  rows.push(...await sideBySide(ctx, second, {
    'a*': { title: `${TITLES.a}, beside (f)`, baseline: null, targetRatio: null },
    'b*': { title: `${TITLES.b}, empty outbox, beside (f)`, baseline: ctx.runs('a') ? 'a*' : null, targetRatio: null },
    f: { title: `${TITLES.f} (${options.pending} pending)`, baseline: 'b*', targetRatio: 0.9 }
  }))
  return rows
}
