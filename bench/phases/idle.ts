import { join } from 'node:path'
import { request } from 'undici'
import { resetTarget, targetReached, type Context } from '../context.js'
import { CpuMeter, peakRss } from '../proc-metrics.js'
import type { Row } from '../report.js'
import { SOURCE, SidehookProcess, writeSidehookConfig } from '../sidehook-process.js'
import { log, sleep } from '../stats.js'

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
    // not idle work. The window starts after it so it measures the steady state.
    await sleep(options.smoke ? 300 : 12_000)
    log(`(h) measuring idle CPU for ${options.idleSeconds} s`)
    const meter = new CpuMeter(sh.pid)
    await sleep(options.idleSeconds * 1000)
    const cpu = meter.cores()
    const counts = await sh.counts()
    return [{
      id: 'h', phase: 'h', title: `idle for ${options.idleSeconds} s after ${WEBHOOKS} deliveries`,
      rps: null, p50: null, p99: null, peakRss: peakRss(sh.pid), cpu,
      baseline: null, ratio: null, targetRatio: null, pass: null, rounds: [{ cpu, counts }]
    }]
  } finally {
    await sh.stop()
  }
}
