import autocannon from 'autocannon'

export interface LoadResult {
  /** Acknowledged (2xx) requests per second over the run. */
  readonly rps: number
  readonly ok: number
  readonly non2xx: number
  readonly errors: number
  readonly timeouts: number
  /** Latency percentiles of the 2xx answers in ms (sub-millisecond, from every response). */
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly max: number
  readonly seconds: number
  readonly statusCodes: Record<string, number>
  /** CPU this process (autocannon) used, in cores: near 1 means the load generator was the limit. */
  readonly generatorCpu: number
}

/** A webhook-like JSON body of exactly `size` bytes. */
export function jsonBody (size: number): string {
  const head = { id: 'evt_1NqYjK2eZvKYlo2C0a1b2c3d', type: 'invoice.paid', created: 1_700_000_000, livemode: false, data: { object: { amount: 4200, currency: 'eur', pad: '' } } }
  const base = JSON.stringify(head).length
  if (size < base) throw new Error(`body size must be at least ${base}`)
  head.data.object.pad = 'x'.repeat(size - base)
  const body = JSON.stringify(head)
  if (Buffer.byteLength(body) !== size) throw new Error('body size mismatch')
  return body
}

export interface LoadSpec {
  readonly url: string
  readonly body: string
  readonly connections: number
  readonly seconds: number
}

/** Latencies of one run, grown as needed; percentiles by sorting once at the end. */
class Latencies {
  #xs = new Float64Array(1 << 16)
  #n = 0
  add (ms: number): void {
    if (this.#n === this.#xs.length) {
      const bigger = new Float64Array(this.#xs.length * 2)
      bigger.set(this.#xs)
      this.#xs = bigger
    }
    this.#xs[this.#n++] = ms
  }

  percentiles (): { p50: number, p90: number, p99: number, max: number } {
    const xs = this.#xs.subarray(0, this.#n).sort()
    const at = (q: number) => xs.length === 0 ? NaN : xs[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)]
    return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) }
  }
}

/**
 * Runs autocannon (in this process, no pipelining) against `url`. Latencies are taken from
 * every 2xx response (autocannon's own histogram has 1 ms resolution).
 */
export async function runLoad (spec: LoadSpec): Promise<LoadResult> {
  const latencies = new Latencies()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const instance = autocannon({
    url: spec.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'sidehook-bench' },
    body: spec.body,
    connections: spec.connections,
    duration: spec.seconds,
    pipelining: 1,
    timeout: 10,
    // autocannon checks for the end of the run once per sample interval; 1 s would round short runs up.
    sampleInt: 250
  })
  instance.on('response', (_client, statusCode, _bytes, ms) => {
    if (statusCode >= 200 && statusCode < 300) latencies.add(ms)
  })
  const r = await instance
  const used = process.cpuUsage(cpu0)
  const generatorCpu = (used.user + used.system) / 1000 / (performance.now() - t0)
  const statusCodes: Record<string, number> = {}
  for (const [code, { count }] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = count
  return {
    rps: r['2xx'] / r.duration,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    ...latencies.percentiles(),
    seconds: r.duration,
    statusCodes,
    generatorCpu
  }
}
