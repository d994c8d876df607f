import type { RetryPolicy } from '../config/types.js'
import { backoffDelay } from './backoff.js'
import { classifyAttempt, type AttemptResult } from './outcome.js'
import { parseRetryAfter } from './retry-after.js'

export interface StepInput {
  readonly result: AttemptResult
  /** 1-based number of this attempt within the current retry cycle. */
  readonly attempt: number
  /** When the current retry cycle started (delivery creation, or the last manual retry). */
  readonly cycleStartedAt: number
  readonly now: number
  /** A number in [0,1) for backoff jitter. */
  readonly random: number
  readonly policy: RetryPolicy
}

export type FailReason = 'non_retryable_status' | 'max_attempts' | 'max_age'

export type NextStep =
  | { readonly state: 'succeeded', readonly outcome: 'success' }
  | {
    readonly state: 'pending'
    readonly outcome: 'retry'
    readonly nextAttemptAt: number
    /** Parsed and capped Retry-After, or null when none was sent or it was invalid. */
    readonly retryAfterMs: number | null
    /** Until when every delivery to this target must wait, or null for no pause. */
    readonly holdTargetUntil: number | null
  }
  | {
    readonly state: 'failed'
    /** 'retry' when the answer was retryable but attempts or age ran out. */
    readonly outcome: 'fail' | 'retry'
    readonly reason: FailReason
    readonly retryAfterMs: number | null
    readonly holdTargetUntil: number | null
  }

/** Statuses whose Retry-After speaks for the whole target, not only for this request. */
const HOLDING_STATUSES: ReadonlySet<number> = new Set([429, 503])

/** The decision after one attempt: what state the delivery moves to, and when it runs next. */
export function nextStep (input: StepInput): NextStep {
  const { result, attempt, cycleStartedAt, now, random, policy } = input
  const outcome = classifyAttempt(result, policy)
  if (outcome === 'success') return { state: 'succeeded', outcome: 'success' }

  // Retry-After is recorded and honoured as a target pause whatever this delivery's fate:
  // a 429 the operator marked non-retryable, or the last allowed attempt, still tells us the
  // target is overloaded, and the other deliveries queued for it should not hit it earlier.
  let retryAfterMs: number | null = null
  let holdTargetUntil: number | null = null
  if ('status' in result) {
    const parsed = parseRetryAfter(result.retryAfter, now)
    if (parsed !== null) {
      retryAfterMs = Math.min(parsed, Math.max(0, policy.maxRetryAfterMs))
      if (HOLDING_STATUSES.has(result.status)) holdTargetUntil = now + retryAfterMs
    }
  }

  if (outcome === 'fail') {
    return { state: 'failed', outcome: 'fail', reason: 'non_retryable_status', retryAfterMs, holdTargetUntil }
  }
  if (attempt >= policy.maxAttempts) {
    return { state: 'failed', outcome: 'retry', reason: 'max_attempts', retryAfterMs, holdTargetUntil }
  }

  const delay = retryAfterMs ?? backoffDelay(attempt, policy, random)
  const nextAttemptAt = now + delay
  // Trying exactly at the limit is still within the age budget.
  if (nextAttemptAt > cycleStartedAt + policy.maxAgeMs) {
    return { state: 'failed', outcome: 'retry', reason: 'max_age', retryAfterMs, holdTargetUntil }
  }
  return { state: 'pending', outcome: 'retry', nextAttemptAt, retryAfterMs, holdTargetUntil }
}
