// The part of autocannon's API the bench uses (the package ships no types).
declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string
      method?: string
      headers?: Record<string, string>
      body?: string | Buffer
      connections?: number
      duration?: number
      amount?: number
      pipelining?: number
      timeout?: number
      sampleInt?: number
    }
    interface Histogram {
      average: number
      mean: number
      stddev: number
      min: number
      max: number
      p50: number
      p90: number
      p99: number
      p99_9?: number
      totalCount?: number
    }
    interface Result {
      latency: Histogram
      requests: Histogram
      throughput: Histogram
      errors: number
      timeouts: number
      non2xx: number
      resets: number
      duration: number
      '2xx': number
      '4xx': number
      '5xx': number
      statusCodeStats: Record<string, { count: number }>
      start: Date
      finish: Date
    }
    interface Instance extends PromiseLike<Result> {
      stop (): void
      on (event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTimeMs: number) => void): this
    }
  }
  function autocannon (options: autocannon.Options): autocannon.Instance
  export = autocannon
}
