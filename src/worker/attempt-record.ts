import type { TargetConfig } from '../config/types.js'
import { nextStep } from '../core/next-step.js'
import type { AttemptResult } from '../core/outcome.js'
import type { AttemptRecord, LeasedDelivery } from '../store/types.js'
import type { ForwardResult } from './forward.js'

export interface AttemptInput {
  readonly delivery: LeasedDelivery
  readonly target: TargetConfig
  readonly result: ForwardResult
  readonly owner: string
  /** A number in [0,1) for backoff jitter. */
  readonly random: number
}

/** What to write for one finished attempt: the attempt row, the delivery's next state, health. Pure. */
export function attemptRecord (input: AttemptInput): AttemptRecord {
  const { delivery, target, result: r } = input
  let decision: Pick<AttemptRecord, 'retryAfterMs' | 'outcome' | 'nextState' | 'nextAttemptAt' | 'failReason' | 'holdTargetUntil' | 'countsForHealth'>
  if (r.error === 'aborted') {
    // Our own shutdown cut it short: try again at once after restart, and do not blame the target.
    decision = { retryAfterMs: null, outcome: 'retry', nextState: 'pending', nextAttemptAt: r.startedAt + r.durationMs, failReason: null, holdTargetUntil: null, countsForHealth: false }
  } else {
    const result: AttemptResult = r.error !== null ? { error: r.error } : { status: r.status ?? 0, retryAfter: r.retryAfter }
    const step = nextStep({
      result, attempt: delivery.cycleAttempt, cycleStartedAt: delivery.cycleStartedAt,
      now: r.startedAt + r.durationMs, random: input.random, policy: target.retry
    })
    if (step.state === 'succeeded') {
      decision = { retryAfterMs: null, outcome: 'success', nextState: 'succeeded', nextAttemptAt: null, failReason: null, holdTargetUntil: null, countsForHealth: true }
    } else if (step.state === 'pending') {
      decision = { retryAfterMs: step.retryAfterMs, outcome: 'retry', nextState: 'pending', nextAttemptAt: step.nextAttemptAt, failReason: null, holdTargetUntil: step.holdTargetUntil, countsForHealth: true }
    } else {
      decision = { retryAfterMs: step.retryAfterMs, outcome: step.outcome, nextState: 'failed', nextAttemptAt: null, failReason: step.reason, holdTargetUntil: step.holdTargetUntil, countsForHealth: true }
    }
  }
  // One literal with every field, so each record has the same shape (spreads cost more here).
  return {
    deliveryId: delivery.id,
    owner: input.owner,
    target: target.name,
    n: delivery.attempt,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    status: r.status,
    error: r.error,
    errorMessage: r.errorMessage,
    responseHeaders: r.responseHeaders,
    responseBody: r.responseBody,
    retryAfterMs: decision.retryAfterMs,
    outcome: decision.outcome,
    nextState: decision.nextState,
    nextAttemptAt: decision.nextAttemptAt,
    failReason: decision.failReason,
    holdTargetUntil: decision.holdTargetUntil,
    countsForHealth: decision.countsForHealth
  }
}
