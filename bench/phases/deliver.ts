import { join } from 'node:path'
import { resetTarget, targetCount, targetReached, type Context } from '../context.js'
import { runLoad, type LoadResult } from '../load.js'
import { CpuMeter, peakRss } from '../proc-metrics.js'
import { withRatio, type Row } from '../report.js'
import { SOURCE, SidehookProcess, writeSidehookConfig } from '../sidehook-process.js'
import { log, median, sleep } from '../stats.js'

interface Round extends LoadResult {
  round: number
  cpu: number | null
  /** Requests that reached the target during the load window, per second. */
  deliveredRps: number
  /** Acknowledged but not yet delivered when the load stopped. */
  lagAtEnd: number
  /** Seconds after the load stopped until the target had everything; null if it timed out. */
  catchUpSeconds: number | null
}

/**
 * (c): ingest and delivery at once, to the fast local target. Each round starts with nothing
 * left to deliver, so what arrives during the window was ingested during the window.
 */
export async function deliverPhase (ctx: Context, rows: readonly Row[]): Promise<Row[]> {
  const { options } = ctx
  const { configPath } = writeSidehookConfig({ dir: join(ctx.workDir, 'c'), targetUrl: `${ctx.targetUrl}/hooks`, deliveryConcurrency: options.deliveryConcurrency, durability: options.durability })
  const sh = await new SidehookProcess(configPath).ready()
  const catchUpMs = Math.max(30_000, options.duration * 10_000)
  try {
    await resetTarget(ctx)
    const url = `${sh.ingestUrl}/in/${SOURCE}`
    const load = (seconds: number) => runLoad({ url, body: ctx.body, connections: options.connections, seconds })
    let accepted = 0
    if (options.warmup > 0) {
      log(`(c) warm-up ${options.warmup} s`)
      accepted += (await load(options.warmup)).ok
      await targetReached(ctx, accepted, catchUpMs)
    }
    const rounds: Round[] = []
    for (let r = 0; r < options.repeats; r++) {
      await sleep(300)
      const before = await targetCount(ctx)
      accepted = Math.max(accepted, before)
      const meter = new CpuMeter(sh.pid)
      const res = await load(options.duration)
      const cpu = meter.cores()
      const delivered = (await targetCount(ctx)) - before
      const t0 = performance.now()
      accepted += res.ok
      const caught = await targetReached(ctx, accepted, catchUpMs)
      const catchUpSeconds = caught ? (performance.now() - t0) / 1000 : null
      const round: Round = { ...res, round: r + 1, cpu, deliveredRps: delivered / res.seconds, lagAtEnd: Math.max(0, res.ok - delivered), catchUpSeconds }
      log(`(c) round ${r + 1}/${options.repeats}: ingest ${res.rps.toFixed(0)} req/s, delivered ${round.deliveredRps.toFixed(0)}/s, lag ${round.lagAtEnd}, caught up in ${catchUpSeconds?.toFixed(1) ?? 'timeout'} s`)
      rounds.push(round)
    }
    const problems = sh.problems
    const bad = rounds.reduce((n, x) => n + x.non2xx + x.errors + x.timeouts, 0)
    const notes = [
      `server CPU ${median(rounds.map((x) => x.cpu))?.toFixed(2)} cores, load generator ${median(rounds.map((x) => x.generatorCpu))?.toFixed(2)} cores`,
      `median lag at the end of the window: ${median(rounds.map((x) => x.lagAtEnd))}; catch-up ${median(rounds.map((x) => x.catchUpSeconds))?.toFixed(1)} s after the load stopped`,
      ...(bad > 0 ? [`${bad} requests were not acknowledged with 2xx`] : []),
      ...(problems.length > 0 ? [`${problems.length} warn/error log lines, e.g. ${JSON.stringify(problems[0]).slice(0, 300)}`] : [])
    ]
    const rss = peakRss(sh.pid)
    const ingest = withRatio({
      id: 'c', phase: 'c', title: 'ingest while delivering (acks)',
      rps: median(rounds.map((x) => x.rps)), p50: median(rounds.map((x) => x.p50)), p99: median(rounds.map((x) => x.p99)),
      peakRss: rss, cpu: median(rounds.map((x) => x.cpu)), baseline: 'b', targetRatio: null, rounds, notes
    }, rows.find((x) => x.id === 'b'))
    const delivered = withRatio({
      id: 'c.out', phase: 'c', title: 'delivered to the target meanwhile',
      rps: median(rounds.map((x) => x.deliveredRps)), p50: null, p99: null,
      peakRss: rss, cpu: null, baseline: 'c', targetRatio: null, rounds: []
    }, ingest)
    return [ingest, delivered]
  } finally {
    await sh.stop()
  }
}
