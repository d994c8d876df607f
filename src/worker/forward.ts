import { Agent, type Dispatcher } from 'undici'
import type { TargetConfig } from '../config/types.js'
import { buildForwardHeaders, forwardLocation } from '../core/forward-headers.js'
import type { NetworkErrorCode } from '../core/outcome.js'
import type { LeasedDelivery } from '../store/types.js'
import type { Logger } from 'pino'

export const SNIPPET_BYTES = 4096
// Past this much response body the connection is closed instead of drained for reuse.
const DRAIN_LIMIT = 256 * 1024

/**
 * What one try produced; `forward` never throws, every failure is a value. `error` is set
 * when no complete answer arrived; `status` may then still be set (the body broke off).
 */
export interface ForwardResult {
  readonly startedAt: number
  readonly durationMs: number
  readonly status: number | null
  readonly error: NetworkErrorCode | null
  readonly errorMessage: string | null
  readonly retryAfter: string | null
  readonly responseHeaders: Array<[string, string]> | null
  readonly responseBody: Buffer | null
}

export function createTargetAgent (target: TargetConfig): Dispatcher {
  return new Agent({
    connect: { timeout: target.connectTimeoutMs },
    connections: target.concurrency,
    headersTimeout: target.timeoutMs,
    bodyTimeout: target.timeoutMs
  })
}

export interface ForwardOptions {
  readonly dispatcher: Dispatcher
  /** Traces each request's URL and headers when its level is trace. */
  readonly logger?: Logger
  readonly target: TargetConfig
  readonly delivery: LeasedDelivery
  /** Aborts the attempt from outside (shutdown). */
  readonly signal: AbortSignal
  readonly clock: () => number
}

/**
 * One HTTP attempt of a delivery: no redirects, bounded in time and memory, body always drained.
 * It goes straight to undici's dispatch API: the response body is consumed chunk by chunk in
 * callbacks, with no stream, promise or abort signal per chunk or per request.
 */
export function forward (options: ForwardOptions): Promise<ForwardResult> {
  return new Promise((resolve) => { new Attempt(options, resolve).start() })
}

class Attempt implements Dispatcher.DispatchHandler {
  readonly #o: ForwardOptions
  readonly #resolve: (r: ForwardResult) => void
  readonly #startedAt: number
  #controller: Dispatcher.DispatchController | null = null
  #timer: NodeJS.Timeout | undefined
  #settled = false
  #status: number | null = null
  #retryAfter: string | null = null
  #responseHeaders: Array<[string, string]> | null = null
  readonly #snippet: Buffer[] = []
  #kept = 0
  #seen = 0

  constructor (options: ForwardOptions, resolve: (r: ForwardResult) => void) {
    this.#o = options
    this.#resolve = resolve
    this.#startedAt = options.clock()
  }

  start (): void {
    const { delivery, target, signal, logger } = this.#o
    const { event } = delivery
    if (signal.aborted) {
      this.#settle('aborted', describe(null, 'aborted', target))
      return
    }
    signal.addEventListener('abort', this.#onOuterAbort, { once: true })
    this.#timer = setTimeout(this.#onTimeout, target.timeoutMs)
    const { origin, path } = forwardLocation(target.url, event.path, event.query)
    const headers = buildForwardHeaders({
      headers: event.headers,
      remoteAddress: event.remoteAddress,
      eventId: event.id,
      deliveryId: delivery.id,
      attempt: delivery.attempt,
      extra: target.headers
    })
    if (logger?.isLevelEnabled('trace') === true) {
      const shown: Record<string, string> = {}
      for (let i = 0; i < headers.length; i += 2) shown[headers[i].toLowerCase()] = headers[i + 1]
      logger.trace({ deliveryId: delivery.id, url: origin + path, headers: shown }, 'Forwarding')
    }
    this.#o.dispatcher.dispatch({
      origin,
      path,
      method: event.method as Dispatcher.HttpMethod,
      headers,
      body: event.body.length === 0 ? undefined : event.body
    }, this)
  }

  onRequestStart (controller: Dispatcher.DispatchController): void {
    this.#controller = controller
    // Cut short while it waited for a connection: it must not go out now.
    if (this.#settled) controller.abort(new Error('attempt already ended'))
  }

  onResponseStart (_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    // 1xx answers are interim; the final answer follows.
    if (statusCode < 200) return
    this.#status = statusCode
    this.#responseHeaders = headerPairs(headers)
    const ra = headers['retry-after']
    this.#retryAfter = Array.isArray(ra) ? ra[0] : ra ?? null
  }

  onResponseData (controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#settled) return
    this.#seen += chunk.length
    if (this.#kept < SNIPPET_BYTES) {
      const part = chunk.subarray(0, SNIPPET_BYTES - this.#kept)
      this.#snippet.push(part)
      this.#kept += part.length
    }
    if (this.#seen > DRAIN_LIMIT) {
      // The answer is complete enough to judge; closing the connection is cheaper than reading on.
      this.#settle(null, null)
      controller.abort(new Error('response body over the drain limit'))
    }
  }

  onResponseEnd (): void {
    this.#settle(null, null)
  }

  onResponseError (_controller: Dispatcher.DispatchController, err: Error): void {
    // An answer whose body broke off is not a complete answer: the status is kept for the
    // record, but the attempt counts as a network failure and is retried.
    const error = classifyNetworkError(err)
    this.#settle(error, describe(err, error, this.#o.target))
  }

  readonly #onTimeout = (): void => {
    this.#settle('timeout', describe(null, 'timeout', this.#o.target))
    this.#controller?.abort(new Error('attempt timed out'))
  }

  readonly #onOuterAbort = (): void => {
    this.#settle('aborted', describe(null, 'aborted', this.#o.target))
    this.#controller?.abort(new Error('attempt aborted'))
  }

  #settle (error: NetworkErrorCode | null, errorMessage: string | null): void {
    if (this.#settled) return
    this.#settled = true
    clearTimeout(this.#timer)
    this.#o.signal.removeEventListener('abort', this.#onOuterAbort)
    this.#resolve({
      startedAt: this.#startedAt,
      durationMs: Math.max(0, this.#o.clock() - this.#startedAt),
      status: this.#status,
      error,
      errorMessage,
      retryAfter: this.#retryAfter,
      responseHeaders: this.#responseHeaders,
      responseBody: this.#status === null ? null : Buffer.concat(this.#snippet)
    })
  }
}

function headerPairs (headers: Record<string, string | string[] | undefined>): Array<[string, string]> {
  const out: Array<[string, string]> = []
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    if (Array.isArray(value)) for (const v of value) out.push([name, v])
    else out.push([name, value])
  }
  return out
}

const TLS_CODE = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH|ERR_CERT)/

export function classifyNetworkError (err: unknown): NetworkErrorCode {
  for (let e = err as { code?: unknown, cause?: unknown, name?: unknown } | undefined, i = 0; e != null && i < 5; e = e.cause as typeof e, i++) {
    const code = typeof e.code === 'string' ? e.code : ''
    if (code === 'ECONNREFUSED') return 'connection_refused'
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET') return 'connection_reset'
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') return 'dns_failure'
    if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') return 'connect_timeout'
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timeout'
    if (TLS_CODE.test(code)) return 'tls_failure'
    if (code.startsWith('HPE_') || code === 'UND_ERR_INFO' || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' || code === 'UND_ERR_HEADERS_OVERFLOW') return 'protocol_error'
    if (e.name === 'HTTPParserError') return 'protocol_error'
  }
  return 'network_error'
}

function describe (err: unknown, code: NetworkErrorCode, target: TargetConfig): string {
  if (code === 'timeout') return `No complete answer within ${target.timeoutMs} ms`
  if (code === 'aborted') return 'Attempt cut short because Sidehook was shutting down'
  const parts: string[] = []
  for (let e = err as { message?: unknown, cause?: unknown } | undefined, i = 0; e != null && i < 4; e = e.cause as typeof e, i++) {
    if (typeof e.message === 'string' && e.message !== '' && !parts.includes(e.message)) parts.push(e.message)
  }
  return parts.join(': ').slice(0, 500) || String(err)
}
