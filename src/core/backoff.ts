import type { RetryPolicy } from '../config/types.js'

export type BackoffPolicy = Pick<RetryPolicy, 'initialDelayMs' | 'multiplier' | 'maxDelayMs' | 'jitter'>

function clamp (value: number, min: number, max: number): number {
  if (Number.isNaN(value)) return min
  return Math.min(max, Math.max(min, value))
}

/**
 * Delay before the attempt after `attempt` (1-based number of the attempt that just failed).
 *
 * The exponential base is capped before jitter so that huge attempt numbers stay finite, and
 * the jittered value is capped again so `maxDelayMs` is a hard ceiling: at the cap, jitter can
 * only pull a delay earlier, which still spreads retries of many deliveries apart.
 */
export function backoffDelay (attempt: number, policy: BackoffPolicy, random: number): number {
  const maxDelay = Math.max(0, policy.maxDelayMs)
  const initial = Math.max(0, policy.initialDelayMs)
  // Past a million attempts every multiplier above 1 has long saturated at the cap; the clamp
  // keeps Infinity out of Math.pow, where 1 ** Infinity would be NaN.
  const n = Number.isNaN(attempt) ? 1 : clamp(Math.floor(attempt), 1, 1e6)

  // 0 * Infinity is NaN, so a zero initial delay must not reach the multiplication.
  let base = 0
  if (initial > 0) {
    const growth = Math.pow(policy.multiplier, n - 1)
    const raw = initial * growth
    base = Number.isFinite(raw) ? Math.min(maxDelay, raw) : maxDelay
  }

  // random is [0,1) by contract; clamping keeps a stray 1 or NaN from widening the spread.
  const r = clamp(random, 0, 1)
  const jitter = clamp(policy.jitter, 0, 2)
  const factor = 1 - jitter / 2 + jitter * r
  const delay = Math.min(maxDelay, base * factor)
  return Math.max(0, Math.round(delay))
}

/**
 * Time from the first attempt to the last one allowed by `maxAttempts`: the sum of the delays
 * after attempts 1..maxAttempts-1 (attempt durations not included). Used to check that a
 * policy keeps retrying through a long outage, e.g. that the defaults cover at least 24 hours.
 */
export function retrySpanMs (policy: BackoffPolicy & Pick<RetryPolicy, 'maxAttempts'>, random: number): number {
  let total = 0
  for (let attempt = 1; attempt < policy.maxAttempts; attempt++) {
    total += backoffDelay(attempt, policy, random)
  }
  return total
}
