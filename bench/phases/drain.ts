import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { fillBacklog } from '../backlog.js'
import { profileDirOf, resetTarget, targetReached, type Context } from '../context.js'
import { CpuMeter, peakRss } from '../proc-metrics.js'
import { rawPoolSend, type RawResult } from '../raw-pool.js'
import { withRatio, type Row } from '../report.js'
import { SidehookProcess, TARGET, writeSidehookConfig } from '../sidehook-process.js'
import { log, max, median, sleep } from '../stats.js'

interface DrainRound {
  round: number
  delivered: number
  seconds: number
  rps: number
  complete: boolean
  cpu: number | null
  /** CPU of the target process meanwhile, in cores. */
  targetCpu: number | null
  peakRss: number | null
  /** `counts` of the target in GET /admin/targets after the drain. */
  counts: Record<string, number>
  fillSeconds: number
}

/** One drain: a fresh outbox holding `backlog` due deliveries, resumed, timed until all arrived. */
async function drainOnce (ctx: Context, round: number): Promise<DrainRound> {
  const { options } = ctx
  const dir = join(ctx.workDir, `d${round}`)
  const { configPath, dbPath } = writeSidehookConfig({ dir, targetUrl: `${ctx.targetUrl}/hooks`, deliveryConcurrency: options.deliveryConcurrency, durability: options.durability })
  const { seconds: fillSeconds } = await fillBacklog(dbPath, options.backlog, ctx.body)
  // Only the first round is profiled: one profile is enough and profiling slows the rest.
  const sh = await new SidehookProcess(configPath, round === 1 ? profileDirOf(ctx, 'd') : undefined).ready()
  try {
    await resetTarget(ctx)
    await sleep(300)
    const meter = new CpuMeter(sh.pid)
    const targetMeter = new CpuMeter(ctx.target!.pid)
    const t0 = performance.now()
    await sh.resume()
    const complete = await targetReached(ctx, options.backlog, options.drainTimeout * 1000)
    const seconds = (performance.now() - t0) / 1000
    const cpu = meter.cores()
    const targetCpu = targetMeter.cores()
    const delivered = complete ? options.backlog : (await ctx.target!.ask({ type: 'count' })).count as number
    // The last outcomes are written just after the answers arrive; give them a moment.
    let counts: Record<string, number> = {}
    for (let i = 0; i < 50; i++) {
      counts = await sh.counts()
      if ((counts.succeeded ?? 0) >= delivered) break
      await sleep(100)
    }
    return { round, delivered, seconds, rps: delivered / seconds, complete, cpu, targetCpu, peakRss: peakRss(sh.pid), counts, fillSeconds }
  } finally {
    await sh.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * (d) and (e), alternating per round: Sidehook draining a pre-filled backlog to the fast
 * target, and a raw undici Pool sending as many requests of the same body with the same
 * concurrency to the same target.
 */
export async function drainPhases (ctx: Context): Promise<Row[]> {
  const { options } = ctx
  const drains: DrainRound[] = []
  const raws: Array<RawResult & { round: number, targetCpu: number | null }> = []
  for (let r = 1; r <= options.repeats; r++) {
    if (ctx.runs('d')) {
      log(`(d) round ${r}/${options.repeats}: filling ${options.backlog} deliveries, then draining`)
      const d = await drainOnce(ctx, r)
      log(`(d) round ${r}/${options.repeats}: ${d.delivered} delivered in ${d.seconds.toFixed(1)} s = ${d.rps.toFixed(0)}/s${d.complete ? '' : ' (TIMED OUT)'}; counts ${JSON.stringify(d.counts)}`)
      drains.push(d)
    }
    if (ctx.runs('e')) {
      await resetTarget(ctx)
      await sleep(300)
      const targetMeter = new CpuMeter(ctx.target!.pid)
      const e = await rawPoolSend(`${ctx.targetUrl}/hooks`, ctx.bodyBuffer, options.backlog, options.deliveryConcurrency)
      const targetCpu = targetMeter.cores()
      log(`(e) round ${r}/${options.repeats}: ${e.ok}/${e.sent} in ${e.seconds.toFixed(1)} s = ${e.rps.toFixed(0)}/s; client CPU ${e.clientCpu.toFixed(2)}, target CPU ${targetCpu?.toFixed(2)} cores`)
      raws.push({ ...e, round: r, targetCpu })
    }
  }
  const rows: Row[] = []
  if (raws.length > 0) {
    rows.push(withRatio({
      id: 'e', phase: 'e', title: `raw undici Pool, ${options.backlog} POSTs (ceiling)`,
      rps: median(raws.map((x) => x.rps)), p50: null, p99: null, peakRss: null, cpu: median(raws.map((x) => x.clientCpu)),
      baseline: null, targetRatio: null, rounds: raws,
      notes: [
        `CPU is the undici client's; the target used ${median(raws.map((x) => x.targetCpu))?.toFixed(2)} cores`,
        ...(raws.some((x) => x.ok < x.sent) ? ['some raw requests were not answered 2xx'] : [])
      ]
    }, undefined))
  }
  if (drains.length > 0) {
    const notes = [
      `the target used ${median(drains.map((x) => x.targetCpu))?.toFixed(2)} cores; filling each backlog took ${median(drains.map((x) => x.fillSeconds))?.toFixed(1)} s (not timed)`,
      ...(drains.some((x) => !x.complete) ? [`a drain did not finish within ${options.drainTimeout} s; its rate is what arrived by then`] : []),
      ...(drains.some((x) => (x.counts.succeeded ?? 0) < x.delivered) ? [`admin counts.succeeded lagged the target: ${JSON.stringify(drains.map((x) => x.counts))}`] : [])
    ]
    rows.unshift(withRatio({
      id: 'd', phase: 'd', title: `drain ${options.backlog} backlog to '${TARGET}'`,
      rps: median(drains.map((x) => x.rps)), p50: null, p99: null,
      peakRss: max(drains.map((x) => x.peakRss)), cpu: median(drains.map((x) => x.cpu)),
      baseline: 'e', targetRatio: 0.25, rounds: drains, notes
    }, rows.find((x) => x.id === 'e')))
  }
  return rows
}
