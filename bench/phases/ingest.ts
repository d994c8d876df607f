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

interface Server { phase: Phase, url: string, pid: number, stop: () => Promise<unknown>, problems: () => unknown[] }
interface Round extends LoadResult { round: number, cpu: number | null }

const TITLES: Record<string, string> = {
  a: 'bare Fastify 202 (ceiling)',
  b: 'ingest, worker paused',
  f: 'ingest with the pending backlog'
}

async function prefilled (ctx: Context, dir: string, pending: number): Promise<string> {
  const { configPath, dbPath } = writeSidehookConfig({ dir, targetUrl: NOWHERE, deliveryConcurrency: ctx.options.deliveryConcurrency, durability: ctx.options.durability })
  if (pending > 0) {
    log(`(f) writing ${pending} pending deliveries into the outbox`)
    const { seconds, flushSeconds, dropped } = await fillBacklog(dbPath, pending, ctx.body, { dropFromCache: !ctx.options.keepFillCached })
    log(`(f) backlog written in ${seconds.toFixed(1)} s, flushed to disk in ${flushSeconds.toFixed(1)} s` +
      (ctx.options.keepFillCached ? ', left in the page cache (--keep-fill-cached)' : dropped ? ', dropped from the page cache' : '; WARNING: could not drop it from the page cache (no GNU dd?)'))
  }
  return configPath
}

async function paused (ctx: Context, phase: Phase, configPath: string): Promise<Server> {
  const sh = await new SidehookProcess(configPath, phase === 'b' ? profileDirOf(ctx, 'b') : undefined).ready()
  // Hold the worker back: nothing is delivered, so only ingest is measured.
  await sh.pause()
  return { phase, url: `${sh.ingestUrl}/in/${SOURCE}`, pid: sh.pid, stop: () => sh.stop(), problems: () => sh.problems }
}

/**
 * (a), (b) and (f) side by side: every server is up at once and the rounds alternate between
 * them (rotating who goes first), so a noisy neighbour on the machine hurts all of them alike.
 */
export async function ingestPhases (ctx: Context): Promise<Row[]> {
  const { options } = ctx
  const servers: Server[] = []
  try {
    // The big fill runs first, alone (it keeps this process busy); then the servers start together.
    const fPrepared = ctx.runs('f') ? await prefilled(ctx, join(ctx.workDir, 'f'), options.pending) : undefined
    const starting: Array<Promise<Server>> = []
    if (ctx.runs('a')) {
      starting.push((async () => {
        const base = new HelperProcess('./baseline-server.ts')
        const url = await base.ready()
        return { phase: 'a' as const, url: `${url}/in/${SOURCE}`, pid: base.pid, stop: () => base.stop(), problems: () => [] }
      })())
    }
    if (ctx.runs('b')) starting.push(paused(ctx, 'b', writeSidehookConfig({ dir: join(ctx.workDir, 'b'), targetUrl: NOWHERE, deliveryConcurrency: options.deliveryConcurrency, durability: options.durability }).configPath))
    if (fPrepared !== undefined) starting.push(paused(ctx, 'f', fPrepared))
    const settled = await Promise.allSettled(starting)
    for (const s of settled) if (s.status === 'fulfilled') servers.push(s.value)
    for (const s of settled) if (s.status === 'rejected') throw s.reason
    if (servers.length === 0) return []
    const load = (s: Server, seconds: number) => runLoad({ url: s.url, body: ctx.body, connections: options.connections, seconds })
    if (options.warmup > 0) {
      for (const s of servers) {
        log(`(${s.phase}) warm-up ${options.warmup} s`)
        await load(s, options.warmup)
      }
    }
    const rounds = new Map<Phase, Round[]>(servers.map((s) => [s.phase, []]))
    for (let r = 0; r < options.repeats; r++) {
      const order = servers.slice(r % servers.length).concat(servers.slice(0, r % servers.length))
      for (const s of order) {
        await sleep(300)
        const meter = new CpuMeter(s.pid)
        const res = await load(s, options.duration)
        const cpu = meter.cores()
        log(`(${s.phase}) round ${r + 1}/${options.repeats}: ${res.rps.toFixed(0)} req/s, p99 ${res.p99.toFixed(2)} ms, non-2xx ${res.non2xx}, errors ${res.errors}`)
        rounds.get(s.phase)!.push({ ...res, round: r + 1, cpu })
      }
    }
    const rows: Row[] = []
    for (const s of servers) {
      const rs = rounds.get(s.phase)!
      const bad = rs.reduce((n, x) => n + x.non2xx + x.errors + x.timeouts, 0)
      const problems = s.problems()
      const gen = median(rs.map((x) => x.generatorCpu))
      const notes = [
        `server CPU ${median(rs.map((x) => x.cpu))?.toFixed(2)} cores, load generator CPU ${gen?.toFixed(2)} cores` +
          (gen !== null && gen > 0.85 ? ' (the generator was near one full core: this rate may be its limit, not the server\'s)' : ''),
        ...(bad > 0 ? [`${bad} requests were not acknowledged with 2xx`] : []),
        ...(problems.length > 0 ? [`${problems.length} warn/error log lines, e.g. ${JSON.stringify(problems[0]).slice(0, 300)}`] : [])
      ]
      const baseline = s.phase === 'b' ? 'a' : s.phase === 'f' ? 'b' : null
      const row = {
        id: s.phase,
        phase: s.phase,
        title: s.phase === 'f' ? `${TITLES.f} (${options.pending} pending)` : TITLES[s.phase],
        rps: median(rs.map((x) => x.rps)),
        p50: median(rs.map((x) => x.p50)),
        p99: median(rs.map((x) => x.p99)),
        peakRss: peakRss(s.pid),
        cpu: median(rs.map((x) => x.cpu)),
        baseline,
        targetRatio: s.phase === 'b' ? 0.4 : s.phase === 'f' ? 0.9 : null,
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
