import type { RetryPolicy, StatusMatcher } from '../config/types.js'
import { defaultStatusOutcome } from './default-policy.js'

export type AttemptOutcome = 'success' | 'retry' | 'fail'

/**
 * Every way an attempt can end without an HTTP status. Kept as a value too so the forwarder
 * and the store can validate codes read from outside the type system.
 */
export const networkErrorCodes = [
  'connection_refused',
  'connection_reset',
  'dns_failure',
  'tls_failure',
  'connect_timeout',
  'timeout',
  'protocol_error',
  'network_error',
  'aborted'
] as const

export type NetworkErrorCode = typeof networkErrorCodes[number]

/** What one HTTP try produced: a status, or a network error code (never both). */
export type AttemptResult =
  | { readonly status: number, readonly retryAfter?: string | null }
  | { readonly error: NetworkErrorCode, readonly message?: string }

export type OutcomePolicy = Pick<RetryPolicy, 'retryOn' | 'noRetryOn'>

export function isNetworkErrorCode (value: unknown): value is NetworkErrorCode {
  return typeof value === 'string' && (networkErrorCodes as readonly string[]).includes(value)
}

/** True when the status is one an HTTP/1.1 or HTTP/2 parser can hand us at all. */
function isWellFormedStatus (status: number): boolean {
  return Number.isInteger(status) && status >= 100 && status <= 599
}

function matchesExact (status: number, matchers: readonly StatusMatcher[]): boolean {
  return matchers.some((m) => typeof m === 'number' && m === status)
}

function matchesClass (status: number, matchers: readonly StatusMatcher[]): boolean {
  if (!isWellFormedStatus(status)) return false
  const cls = String(Math.floor(status / 100))
  return matchers.some((m) => typeof m === 'string' && m[0] === cls)
}

export function matchesStatus (status: number, matchers: readonly StatusMatcher[]): boolean {
  return matchesExact(status, matchers) || matchesClass(status, matchers)
}

/**
 * Precedence, most specific first, so an operator can carve one code out of a class
 * ("5xx" retried but 501 not): exact code beats class pattern; at equal specificity
 * `noRetryOn` wins, because failing is the safer reading of a contradictory config.
 */
export function classifyStatus (status: number, policy: OutcomePolicy): AttemptOutcome {
  // A status outside 100-599 cannot come out of a conforming HTTP parser, so whatever sent
  // it is not speaking HTTP; retrying would only repeat the nonsense. Config validation only
  // accepts 100-599 in the lists, so no override can apply either.
  if (!isWellFormedStatus(status)) return 'fail'
  // A 2xx means the target has the event; no config may turn that into a resend.
  if (status >= 200 && status <= 299) return 'success'

  if (matchesExact(status, policy.noRetryOn)) return 'fail'
  if (matchesExact(status, policy.retryOn)) return 'retry'
  if (matchesClass(status, policy.noRetryOn)) return 'fail'
  if (matchesClass(status, policy.retryOn)) return 'retry'
  return defaultStatusOutcome(status)
}

/** Any network error is retried: the target never answered, so nothing says it refused the event. */
export function classifyAttempt (result: AttemptResult, policy: OutcomePolicy): AttemptOutcome {
  if ('error' in result) return 'retry'
  return classifyStatus(result.status, policy)
}
