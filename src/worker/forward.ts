import { Agent, request, type Dispatcher } from 'undici'
import type { TargetConfig } from '../config/types.js'
import { buildForwardHeaders, buildForwardUrl } from '../core/forward-headers.js'
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

/** One HTTP attempt of a delivery: no redirects, bounded in time and memory, body always drained. */
export async function forward (options: ForwardOptions): Promise<ForwardResult> {
  const { delivery, target, clock } = options
  const { event } = delivery
  const startedAt = clock()
  // One controller and one timer per attempt: AbortSignal.timeout + AbortSignal.any cost
  // several times more (each creates signals tracked by weak references until collected).
  const abort = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => { timedOut = true; abort.abort() }, target.timeoutMs)
  const onOuterAbort = (): void => { abort.abort() }
  if (options.signal.aborted) abort.abort()
  else options.signal.addEventListener('abort', onOuterAbort, { once: true })
  const signal = abort.signal
  let status: number | null = null
  let retryAfter: string | null = null
  let responseHeaders: Array<[string, string]> | null = null
  let responseBody: Buffer | null = null
  const snippet: Buffer[] = []
  const url = buildForwardUrl(target.url, event.path, event.query)
  const headers = buildForwardHeaders({
    headers: event.headers,
    remoteAddress: event.remoteAddress,
    eventId: event.id,
    deliveryId: delivery.id,
    attempt: delivery.attempt,
    extra: target.headers
  })
  if (options.logger?.isLevelEnabled('trace') === true) {
    const shown: Record<string, string> = {}
    for (let i = 0; i < headers.length; i += 2) shown[headers[i].toLowerCase()] = headers[i + 1]
    options.logger.trace({ deliveryId: delivery.id, url, headers: shown }, 'Forwarding')
  }
  try {
    const res = await request(url, {
      dispatcher: options.dispatcher,
      method: event.method as Dispatcher.HttpMethod,
      headers,
      body: event.body.length === 0 ? undefined : event.body,
      signal
    })
    status = res.statusCode
    responseHeaders = headerPairs(res.headers)
    const ra = res.headers['retry-after']
    retryAfter = Array.isArray(ra) ? ra[0] : ra ?? null
    responseBody = await readSnippet(res.body, snippet)
    return done(null, null)
  } catch (err) {
    // An answer whose body broke off is not a complete answer: the status is kept for the
    // record, but the attempt counts as a network failure and is retried.
    if (status !== null) responseBody = Buffer.concat(snippet)
    const error = options.signal.aborted ? 'aborted' : timedOut ? 'timeout' : classifyNetworkError(err)
    return done(error, describe(err, error, target))
  } finally {
    clearTimeout(timer)
    options.signal.removeEventListener('abort', onOuterAbort)
  }

  function done (error: NetworkErrorCode | null, errorMessage: string | null): ForwardResult {
    return { startedAt, durationMs: Math.max(0, clock() - startedAt), status, error, errorMessage, retryAfter, responseHeaders, responseBody }
  }
}

async function readSnippet (body: Dispatcher.ResponseData['body'], chunks: Buffer[]): Promise<Buffer> {
  let kept = 0
  let seen = 0
  for await (const chunk of body as AsyncIterable<Buffer>) {
    seen += chunk.length
    if (kept < SNIPPET_BYTES) {
      const part = chunk.subarray(0, SNIPPET_BYTES - kept)
      chunks.push(part)
      kept += part.length
    }
    if (seen > DRAIN_LIMIT) {
      body.destroy()
      break
    }
  }
  return Buffer.concat(chunks)
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
