import t from 'tap'
import type { RetryPolicy } from '../../src/config/types.js'
import { nextStep, type NextStep, type StepInput } from '../../src/core/next-step.js'
import { networkErrorCodes, type AttemptResult } from '../../src/core/outcome.js'

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0)
const HOUR = 3_600_000

/** jitter 0 so backoff is exact: attempt n waits 1000 * 2^(n-1) ms. */
const policy: RetryPolicy = {
  maxAttempts: 5,
  initialDelayMs: 1000,
  multiplier: 2,
  maxDelayMs: 60_000,
  jitter: 0,
  maxAgeMs: HOUR,
  maxRetryAfterMs: 600_000,
  retryOn: [],
  noRetryOn: []
}

const base: StepInput = { result: { status: 500 }, attempt: 2, cycleStartedAt: NOW - 60_000, now: NOW, random: 0.5, policy }

function status (code: number, retryAfter?: string | null): AttemptResult {
  return retryAfter === undefined ? { status: code } : { status: code, retryAfter }
}

const succeeded: NextStep = { state: 'succeeded', outcome: 'success' }

function pending (delayMs: number, retryAfterMs: number | null = null, holdMs: number | null = null): NextStep {
  return { state: 'pending', outcome: 'retry', nextAttemptAt: NOW + delayMs, retryAfterMs, holdTargetUntil: holdMs === null ? null : NOW + holdMs }
}

function failed (reason: 'non_retryable_status' | 'max_attempts' | 'max_age', retryAfterMs: number | null = null, holdMs: number | null = null): NextStep {
  return {
    state: 'failed',
    outcome: reason === 'non_retryable_status' ? 'fail' : 'retry',
    reason,
    retryAfterMs,
    holdTargetUntil: holdMs === null ? null : NOW + holdMs
  }
}

type Row = [why: string, input: Partial<StepInput>, want: NextStep]

function run (t: { strictSame: (found: unknown, wanted: unknown, message: string) => boolean }, rows: Row[]): void {
  for (const [why, input, want] of rows) {
    t.strictSame(nextStep({ ...base, ...input }), want, why)
  }
}

t.test('every row of the outcome table', async (t) => {
  run(t, [
    ['200 succeeds', { result: status(200) }, succeeded],
    ['204 succeeds', { result: status(204) }, succeeded],
    ['unregistered 299 succeeds', { result: status(299) }, succeeded],
    ['408 is retried with backoff', { result: status(408) }, pending(2000)],
    ['429 without Retry-After is retried with backoff', { result: status(429) }, pending(2000)],
    ['500 is retried', { result: status(500) }, pending(2000)],
    ['502 is retried', { result: status(502) }, pending(2000)],
    ['503 without Retry-After is retried with backoff', { result: status(503) }, pending(2000)],
    ['unregistered 599 is retried', { result: status(599) }, pending(2000)],
    ['301 fails: redirects are not followed', { result: status(301) }, failed('non_retryable_status')],
    ['307 fails', { result: status(307) }, failed('non_retryable_status')],
    ['400 fails', { result: status(400) }, failed('non_retryable_status')],
    ['401 fails', { result: status(401) }, failed('non_retryable_status')],
    ['404 fails', { result: status(404) }, failed('non_retryable_status')],
    ['422 fails', { result: status(422) }, failed('non_retryable_status')],
    ['final 1xx fails', { result: status(101) }, failed('non_retryable_status')],
    ['status outside 100-599 fails', { result: status(600) }, failed('non_retryable_status')],
    ...networkErrorCodes.map((error): Row => [`network error ${error} is retried`, { result: { error, message: 'boom' } }, pending(2000)])
  ])
})

t.test('retryOn / noRetryOn overrides', async (t) => {
  run(t, [
    ['409 in retryOn is retried', { result: status(409), policy: { ...policy, retryOn: [409] } }, pending(2000)],
    ['"3xx" in retryOn retries a redirect', { result: status(302), policy: { ...policy, retryOn: ['3xx'] } }, pending(2000)],
    ['503 in noRetryOn fails', { result: status(503), policy: { ...policy, noRetryOn: [503] } }, failed('non_retryable_status')],
    ['"5xx" in noRetryOn fails a 500', { result: status(500), policy: { ...policy, noRetryOn: ['5xx'] } }, failed('non_retryable_status')],
    ['exact 503 in noRetryOn beats "5xx" in retryOn', { result: status(503), policy: { ...policy, retryOn: ['5xx'], noRetryOn: [503] } }, failed('non_retryable_status')],
    ['2xx in noRetryOn still succeeds', { result: status(200), policy: { ...policy, noRetryOn: ['2xx'] } }, succeeded],
    ['noRetryOn does not touch network errors', { result: { error: 'timeout' }, policy: { ...policy, noRetryOn: ['5xx', '4xx'] } }, pending(2000)]
  ])
})

t.test('Retry-After', async (t) => {
  const in45s = 'Thu, 15 Jan 2026 12:00:45 GMT'
  const past = 'Thu, 15 Jan 2026 11:59:59 GMT'
  run(t, [
    ['absent: backoff', { result: status(503) }, pending(2000)],
    ['null: backoff', { result: status(503, null) }, pending(2000)],
    ['empty: backoff', { result: status(503, '') }, pending(2000)],
    ['malformed: backoff, no hold', { result: status(503, '1.5') }, pending(2000)],
    ['garbage: backoff, no hold', { result: status(429, 'soon') }, pending(2000)],
    ['past date: backoff, no hold', { result: status(503, past) }, pending(2000)],
    ['date equal to now: backoff', { result: status(503, 'Thu, 15 Jan 2026 12:00:00 GMT') }, pending(2000)],
    ['on 500: sets the time, no hold', { result: status(500, '30') }, pending(30_000, 30_000)],
    ['on 502: sets the time, no hold', { result: status(502, '30') }, pending(30_000, 30_000)],
    ['on 408: sets the time, no hold', { result: status(408, '30') }, pending(30_000, 30_000)],
    ['on 429: sets the time and holds the target', { result: status(429, '30') }, pending(30_000, 30_000, 30_000)],
    ['on 503: sets the time and holds the target', { result: status(503, '30') }, pending(30_000, 30_000, 30_000)],
    ['HTTP-date on 503', { result: status(503, in45s) }, pending(45_000, 45_000, 45_000)],
    ['RFC 850 date on 429', { result: status(429, 'Thursday, 15-Jan-26 12:00:45 GMT') }, pending(45_000, 45_000, 45_000)],
    ['asctime date on 429', { result: status(429, 'Thu Jan 15 12:00:45 2026') }, pending(45_000, 45_000, 45_000)],
    ['"0" means now', { result: status(503, '0') }, pending(0, 0, 0)],
    ['shorter than backoff is still honoured', { result: status(500, '1'), attempt: 4 }, pending(1000, 1000)],
    ['longer than the cap is capped', { result: status(429, '3600') }, pending(600_000, 600_000, 600_000)],
    ['exactly the cap', { result: status(429, '600') }, pending(600_000, 600_000, 600_000)],
    ['huge is capped, stays finite', { result: status(503, '99999999999999999999') }, pending(600_000, 600_000, 600_000)],
    ['far-future date is capped', { result: status(503, 'Fri, 31 Dec 9999 23:59:59 GMT') }, pending(600_000, 600_000, 600_000)],
    ['maxRetryAfterMs 0 ignores the wait but still records it', { result: status(503, '30'), policy: { ...policy, maxRetryAfterMs: 0 } }, pending(0, 0, 0)],
    ['on a non-retryable 404: recorded, no hold', { result: status(404, '30') }, failed('non_retryable_status', 30_000)],
    ['429 made non-retryable still holds the target', { result: status(429, '30'), policy: { ...policy, noRetryOn: [429] } }, failed('non_retryable_status', 30_000, 30_000)],
    ['on 2xx: ignored', { result: status(200, '30') }, succeeded]
  ])
})

t.test('exhaustion by attempts', async (t) => {
  run(t, [
    ['attempt 1 of 5: 1 s', { attempt: 1 }, pending(1000)],
    ['attempt maxAttempts-1 still schedules', { attempt: 4 }, pending(8000)],
    ['attempt == maxAttempts fails, outcome stays retry', { attempt: 5 }, failed('max_attempts')],
    ['attempt > maxAttempts fails', { attempt: 9 }, failed('max_attempts')],
    ['network error on the last attempt', { attempt: 5, result: { error: 'connection_refused' } }, failed('max_attempts')],
    ['Retry-After on the last attempt: recorded, target still held', { attempt: 5, result: status(429, '30') }, failed('max_attempts', 30_000, 30_000)],
    ['non-retryable on the last attempt reports the status, not the count', { attempt: 5, result: status(404) }, failed('non_retryable_status')],
    ['2xx on the last attempt succeeds', { attempt: 5, result: status(200) }, succeeded],
    ['2xx past the last attempt succeeds', { attempt: 50, result: status(201) }, succeeded],
    ['maxAttempts 1: no retry at all', { attempt: 1, policy: { ...policy, maxAttempts: 1 } }, failed('max_attempts')],
    ['attempts win over age when both are exhausted', { attempt: 5, cycleStartedAt: NOW - 2 * HOUR }, failed('max_attempts')]
  ])
})

t.test('exhaustion by age', async (t) => {
  // attempt 2 backs off 2000 ms, so the age limit sits at now + 2000 when the cycle started here:
  const edge = NOW + 2000 - HOUR
  run(t, [
    ['next attempt exactly at the age limit is allowed', { cycleStartedAt: edge }, pending(2000)],
    ['one ms past the age limit fails', { cycleStartedAt: edge - 1 }, failed('max_age')],
    ['already older than maxAgeMs', { cycleStartedAt: NOW - 2 * HOUR }, failed('max_age')],
    ['Retry-After pushing past the limit fails, hold kept', { cycleStartedAt: NOW + 10_000 - HOUR, result: status(503, '30') }, failed('max_age', 30_000, 30_000)],
    ['Retry-After landing exactly on the limit is allowed', { cycleStartedAt: NOW + 30_000 - HOUR, result: status(500, '30') }, pending(30_000, 30_000)],
    ['a short Retry-After keeps a delivery alive that backoff would expire', { cycleStartedAt: edge - 1, result: status(500, '1') }, pending(1000, 1000)],
    ['network error past the limit', { cycleStartedAt: edge - 1, result: { error: 'dns_failure' } }, failed('max_age')],
    ['a fresh cycle (manual retry) resets the age', { cycleStartedAt: NOW }, pending(2000)]
  ])
})

t.test('jitter flows from random into nextAttemptAt', async (t) => {
  const jittered: RetryPolicy = { ...policy, jitter: 0.2 }
  run(t, [
    ['random 0 is 10% early', { policy: jittered, random: 0 }, pending(1800)],
    ['random 0.5 is on time', { policy: jittered, random: 0.5 }, pending(2000)],
    ['random near 1 is 10% late', { policy: jittered, random: 0.999999 }, pending(2200)],
    ['jitter can push past the age limit', { policy: jittered, random: 0.999999, cycleStartedAt: NOW + 2000 - HOUR }, failed('max_age')],
    ['Retry-After is not jittered', { policy: jittered, random: 0, result: status(503, '30') }, pending(30_000, 30_000, 30_000)]
  ])
})

t.test('documented defaults: first retry after about 5 s', async (t) => {
  const defaults: RetryPolicy = {
    maxAttempts: 25, initialDelayMs: 5000, multiplier: 2, maxDelayMs: 7_200_000, jitter: 0.2,
    maxAgeMs: 259_200_000, maxRetryAfterMs: 3_600_000, retryOn: [], noRetryOn: []
  }
  t.strictSame(nextStep({ ...base, policy: defaults, attempt: 1, cycleStartedAt: NOW }), pending(5000))
  t.strictSame(nextStep({ ...base, policy: defaults, attempt: 24, cycleStartedAt: NOW - 24 * HOUR }), pending(7_200_000))
  t.strictSame(nextStep({ ...base, policy: defaults, attempt: 25, cycleStartedAt: NOW - 24 * HOUR }), failed('max_attempts'))
})
