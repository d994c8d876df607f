import { join } from 'node:path'
import { request } from 'undici'
import { resetTarget, targetReached, type Context } from '../context.js'
import { CpuMeter, peakRss } from '../proc-metrics.js'
import type { Row } from '../report.js'
import { SOURCE, SidehookProcess, writeSidehookConfig } from '../sidehook-process.js'
import { log, median, sleep } from '../stats.js'

const WEBHOOKS = 20

/** (h): CPU of a Sidehook that has delivered a little and then has nothing to do. */
export async function idlePhase (ctx: Context): Promise<Row[]> {
  const { options } = ctx
  const { configPath } = writeSidehookConfig({ dir: join(ctx.workDir, 'h'), targetUrl: `${ctx.targetUrl}/hooks`, deliveryConcurrency: options.deliveryConcurrency, durability: options.durability })
  const sh = await new SidehookProcess(configPath).ready()
  try {
    await resetTarget(ctx)
    for (let i = 0; i < WEBHOOKS; i++) {
      const res = await request(`${sh.ingestUrl}/in/${SOURCE}`, { method: 'POST', body: ctx.body, headers: { 'content-type': 'application/json' } })
      await res.body.dump()
    }
    await targetReached(ctx, WEBHOOKS, 30_000)
    // V8 runs one round of major GCs about 8 s after start (its memory reducer): a one-off,
    // not idle work. The first window starts after it. Like every phase, (h) repeats and
    // reports the median window; a later one-off collection shows up in one window's reading
    // (kept in the rounds and the notes), not in the median.
    await sleep(options.smoke ? 300 : 12_000)
    const rounds: Array<{ round: number, cpu: number | null }> = []
    for (let r = 0; r < options.repeats; r++) {
      const meter = new CpuMeter(sh.pid)
      await sleep(options.idleSeconds * 1000)
      const cpu = meter.cores()
      log(`(h) round ${r + 1}/${options.repeats}: idle CPU over ${options.idleSeconds} s: ${cpu === null ? 'n/a' : `${(cpu * 100).toFixed(2)}% of a core`}`)
      rounds.push({ round: r + 1, cpu })
    }
    const counts = await sh.counts()
    const cpus = rounds.map((x) => x.cpu)
    const highest = Math.max(...cpus.map((c) => c ?? 0))
    return [{
      id: 'h', phase: 'h', title: `idle for ${options.idleSeconds} s after ${WEBHOOKS} deliveries`,
      rps: null, p50: null, p99: null, peakRss: peakRss(sh.pid), cpu: median(cpus),
      baseline: null, ratio: null, targetRatio: null, pass: null, rounds: rounds.map((x) => ({ ...x, counts })),
      notes: [`idle CPU per ${options.idleSeconds} s window: ${cpus.map((c) => c === null ? 'n/a' : `${(c * 100).toFixed(2)}%`).join(', ')} of a core` +
        (highest >= 0.01 ? ' (a window at 1% or more is most often one of V8\'s one-off collections; the median is judged)' : '')]
    }]
  } finally {
    await sh.stop()
  }
}
