import { Pool } from 'undici'

export interface RawResult {
  readonly sent: number
  readonly ok: number
  readonly seconds: number
  readonly rps: number
  /** CPU of this process (the undici client), in cores. */
  readonly clientCpu: number
}

/**
 * (e): what plain undici does on this machine: `total` POSTs of the same body to the same
 * target through one Pool of `concurrency` connections with `concurrency` requests in flight,
 * no storage in between. The ceiling for the drain (d).
 */
export async function rawPoolSend (targetUrl: string, body: Buffer, total: number, concurrency: number): Promise<RawResult> {
  const url = new URL(targetUrl)
  const pool = new Pool(url.origin, { connections: concurrency, keepAliveTimeout: 60_000 })
  const headers = { 'content-type': 'application/json', 'user-agent': 'sidehook-bench-raw' }
  let next = 0
  let ok = 0
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  const lane = async () => {
    while (next < total) {
      next++
      const res = await pool.request({ path: `${url.pathname}`, method: 'POST', headers, body })
      await res.body.dump()
      if (res.statusCode >= 200 && res.statusCode < 300) ok++
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane))
  const seconds = (performance.now() - t0) / 1000
  const used = process.cpuUsage(cpu0)
  await pool.close()
  return { sent: total, ok, seconds, rps: total / seconds, clientCpu: (used.user + used.system) / 1e6 / seconds }
}
