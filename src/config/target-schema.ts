import { DEFAULTS } from './defaults.js'
import { indexPath, joinPath } from './problem.js'
import {
  arrayOf, describe, fail, integer, number, object, record, refine, required, string, url, withDefault,
  type Checker, type Problems
} from './schema.js'
import type { RetryPolicy, StatusMatcher, TargetConfig } from './types.js'

/** Target and source names appear in URLs (/in/<source>) and in logs, so they stay plain. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/

export function checkName (name: string): string | undefined {
  if (NAME_PATTERN.test(name)) return undefined
  return "invalid name: use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit"
}

// RFC 9110 token characters.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/**
 * Headers the forwarder computes itself: framing headers would corrupt the request, and the
 * Sidehook-* ids are what targets deduplicate on, so config must not be able to fake them.
 */
const RESERVED_HEADERS = new Set([
  'connection', 'content-length', 'keep-alive', 'proxy-connection', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'sidehook-event-id', 'sidehook-delivery-id', 'sidehook-attempt'
])

export function checkHeaderName (name: string): string | undefined {
  if (!HEADER_NAME.test(name)) return 'not a valid HTTP header name'
  if (RESERVED_HEADERS.has(name.toLowerCase())) return 'is set by Sidehook itself and cannot be configured'
  return undefined
}

export const headerName: Checker<string> = (value, path, problems) => {
  if (typeof value !== 'string') return fail(problems, path, `expected a header name, got ${describe(value)}`)
  if (!HEADER_NAME.test(value)) return fail(problems, path, 'not a valid HTTP header name')
  return value
}

const headerValue: Checker<string> = refine(string(), (value, path, problems) => {
  // CR/LF would let one header smuggle another; NUL is rejected by every HTTP client anyway.
  if (/[\r\n\0]/.test(value)) problems.push({ path, message: 'must not contain CR, LF or NUL' })
})

const headers = refine(record(checkHeaderName, headerValue), (value, path, problems) => {
  const seen = new Map<string, string>()
  for (const name of Object.keys(value)) {
    const first = seen.get(name.toLowerCase())
    if (first !== undefined) problems.push({ path: joinPath(path, name), message: `same header as '${first}' (names are case-insensitive)` })
    else seen.set(name.toLowerCase(), name)
  }
})

const CLASS_PATTERN = /^[1-5]xx$/

function isStatusPattern (value: unknown): value is StatusMatcher {
  return typeof value === 'string' && CLASS_PATTERN.test(value)
}

const statusMatcher: Checker<StatusMatcher> = (value, path, problems) => {
  const isCode = typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599
  if (!isCode && !isStatusPattern(value)) {
    return fail(problems, path, 'expected a status code 100-599 or a class pattern like "5xx"')
  }
  if (value === '2xx' || (typeof value === 'number' && value >= 200 && value <= 299)) {
    return fail(problems, path, '2xx is always a success and cannot be listed')
  }
  return value
}

function checkRetryLists (retry: RetryPolicy, path: string, problems: Problems): void {
  const retried = new Set(retry.retryOn.map(String))
  retry.noRetryOn.forEach((matcher, index) => {
    if (retried.has(String(matcher))) {
      problems.push({ path: indexPath(joinPath(path, 'noRetryOn'), index), message: `${matcher} is also in retryOn` })
    }
  })
  if (retry.maxDelayMs < retry.initialDelayMs) {
    problems.push({ path: joinPath(path, 'maxDelayMs'), message: `must be at least initialDelayMs (${retry.initialDelayMs})` })
  }
}

// Durations handed to timers are capped where Node's setTimeout would silently fire after 1 ms.
export const MAX_TIMER_MS = 2_147_483_647
const positive = integer({ min: 1 })
const timerMs = integer({ min: 1, max: MAX_TIMER_MS })
const d = DEFAULTS.target.retry

export const retrySchema: Checker<RetryPolicy> = refine(object({
  maxAttempts: withDefault(positive, d.maxAttempts),
  initialDelayMs: withDefault(timerMs, d.initialDelayMs),
  multiplier: withDefault(number({ min: 1 }), d.multiplier),
  maxDelayMs: withDefault(timerMs, d.maxDelayMs),
  jitter: withDefault(number({ min: 0, max: 1 }), d.jitter),
  maxAgeMs: withDefault(positive, d.maxAgeMs),
  maxRetryAfterMs: withDefault(integer({ min: 0, max: MAX_TIMER_MS }), d.maxRetryAfterMs),
  retryOn: withDefault(arrayOf(statusMatcher), d.retryOn),
  noRetryOn: withDefault(arrayOf(statusMatcher), d.noRetryOn)
}), checkRetryLists)

/** One target without its name, which the caller takes from the key. */
export const targetSchema: Checker<Omit<TargetConfig, 'name'>> = object({
  url: required(url({ protocols: ['http:', 'https:'] })),
  timeoutMs: withDefault(timerMs, DEFAULTS.target.timeoutMs),
  connectTimeoutMs: withDefault(timerMs, DEFAULTS.target.connectTimeoutMs),
  concurrency: withDefault(positive, DEFAULTS.target.concurrency),
  headers: withDefault(headers, DEFAULTS.target.headers),
  retry: withDefault(retrySchema, DEFAULTS.target.retry)
})
