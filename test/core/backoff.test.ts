import t from 'tap'
import { backoffDelay, retrySpanMs, type BackoffPolicy } from '../../src/core/backoff.js'

const HOUR = 3_600_000
const ALMOST_ONE = 0.999999

/** Policy defaults as the contract documents them. */
const defaults = { maxAttempts: 25, initialDelayMs: 5000, multiplier: 2, maxDelayMs: 7_200_000, jitter: 0.2 }

const exact: BackoffPolicy = { initialDelayMs: 1000, multiplier: 2, maxDelayMs: 60_000, jitter: 0 }
const jittered: BackoffPolicy = { ...exact, jitter: 0.2 }

t.test('jitter 0: exact exponential values, capped', async (t) => {
  const rows: Array<[number, number]> = [
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [4, 8000],
    [6, 32_000],
    [7, 60_000], // 64 000 capped
    [8, 60_000],
    [50, 60_000],
    [1000, 60_000],
    [1e9, 60_000],
    [Number.POSITIVE_INFINITY, 60_000],
    [2.7, 2000], // fractional attempt numbers count as the attempt they are part of
    [0, 1000], // below 1 is treated as the first attempt
    [-5, 1000],
    [Number.NaN, 1000]
  ]
  for (const [attempt, want] of rows) {
    t.equal(backoffDelay(attempt, exact, 0.5), want, `attempt ${attempt} -> ${want}`)
    t.equal(backoffDelay(attempt, exact, 0), want, `attempt ${attempt}, random 0 -> ${want} (no jitter)`)
  }
})

t.test('jitter bounds', async (t) => {
  const rows: Array<[number, number, number, string]> = [
    // attempt, random, expected, why
    [1, 0, 900, 'random 0 is the low edge: -10% for jitter 0.2'],
    [1, 0.5, 1000, 'random 0.5 is the middle'],
    [1, ALMOST_ONE, 1100, 'random near 1 is the high edge: +10%'],
    [1, 0.25, 950, 'linear in between'],
    [3, 0, 3600, 'scales with the base'],
    [3, ALMOST_ONE, 4400, 'scales with the base'],
    [7, 0, 54_000, 'at the cap jitter still pulls delays earlier'],
    [7, 0.5, 60_000, 'at the cap'],
    [7, ALMOST_ONE, 60_000, 'never above maxDelayMs even with jitter'],
    [1000, ALMOST_ONE, 60_000, 'huge attempt stays capped'],
    [1000, 0, 54_000, 'huge attempt stays finite'],
    [1, 1, 1100, 'a stray random of 1 is clamped'],
    [1, -3, 900, 'a stray negative random is clamped'],
    [1, Number.NaN, 900, 'NaN random is the low edge']
  ]
  for (const [attempt, random, want, why] of rows) {
    t.equal(backoffDelay(attempt, jittered, random), want, `attempt ${attempt} random ${random} -> ${want}: ${why}`)
  }
})

t.test('policy edge cases', async (t) => {
  const rows: Array<[string, BackoffPolicy, number, number, number]> = [
    // why, policy, attempt, random, expected
    ['multiplier 1 is constant', { ...exact, multiplier: 1 }, 20, 0.5, 1000],
    ['multiplier 1 with infinite attempt stays constant', { ...exact, multiplier: 1 }, Number.POSITIVE_INFINITY, 0.5, 1000],
    ['multiplier 10 overflows to Infinity and caps', { ...exact, multiplier: 10 }, 1000, 0.5, 60_000],
    ['initial 0 stays 0 instead of 0*Infinity=NaN', { ...exact, initialDelayMs: 0, multiplier: 10 }, 1000, 0.5, 0],
    ['maxDelay below initial caps the first delay', { ...exact, initialDelayMs: 10_000, maxDelayMs: 5000 }, 1, 0.5, 5000],
    ['maxDelay 0 means retry at once', { ...exact, maxDelayMs: 0 }, 3, 0.9, 0],
    ['fractional ms are rounded', { ...exact, initialDelayMs: 1, multiplier: 1.5 }, 2, 0.5, 2],
    ['fractional ms are rounded down too', { ...exact, initialDelayMs: 1, multiplier: 1.2 }, 2, 0.5, 1],
    ['jitter 1 spans 50%..150%', { ...exact, jitter: 1 }, 1, 0, 500],
    ['jitter 1 spans 50%..150%', { ...exact, jitter: 1 }, 1, ALMOST_ONE, 1500],
    ['absurd jitter cannot go negative', { ...exact, jitter: 5 }, 1, 0, 0],
    ['negative jitter counts as none', { ...exact, jitter: -1 }, 1, 0, 1000],
    ['negative initial counts as 0', { ...exact, initialDelayMs: -10 }, 2, 0.5, 0]
  ]
  for (const [why, policy, attempt, random, want] of rows) {
    t.equal(backoffDelay(attempt, policy, random), want, `${why}: ${want}`)
  }
})

t.test('invariants over a grid: integer, within [0, maxDelayMs], non-decreasing in attempt', async (t) => {
  const policies: BackoffPolicy[] = [exact, jittered, defaults, { ...defaults, multiplier: 3, jitter: 1 }]
  let checked = 0
  for (const policy of policies) {
    for (const random of [0, 0.1, 0.5, 0.9, ALMOST_ONE]) {
      let previous = -1
      for (let attempt = 1; attempt <= 1000; attempt++) {
        const d = backoffDelay(attempt, policy, random)
        if (!Number.isInteger(d) || d < 0 || d > policy.maxDelayMs || d < previous) {
          t.fail(`attempt ${attempt} random ${random} ${JSON.stringify(policy)} gave ${d} after ${previous}`)
          return
        }
        previous = d
        checked++
      }
    }
  }
  t.equal(checked, 4 * 5 * 1000)
})

t.test('retrySpanMs', async (t) => {
  const rows: Array<[string, Parameters<typeof retrySpanMs>[0], number, number]> = [
    ['one attempt has no retries', { ...exact, maxAttempts: 1 }, 0.5, 0],
    ['two attempts: one delay', { ...exact, maxAttempts: 2 }, 0.5, 1000],
    ['four attempts: 1+2+4 s', { ...exact, maxAttempts: 4 }, 0.5, 7000],
    ['four attempts at low jitter edge', { ...jittered, maxAttempts: 4 }, 0, 6300],
    // 5000 * (2^11 - 1) uncapped, then 13 delays of 2 h
    ['defaults without jitter', { ...defaults, jitter: 0 }, 0.5, 10_235_000 + 13 * 7_200_000],
    ['defaults at random 0', defaults, 0, 0.9 * (10_235_000 + 13 * 7_200_000)]
  ]
  for (const [why, policy, random, want] of rows) {
    t.equal(retrySpanMs(policy, random), want, `${why}: ${want}`)
  }
})

t.test('the documented defaults keep retrying for at least 24 hours at every jitter draw', async (t) => {
  for (const random of [0, 0.5, ALMOST_ONE]) {
    const span = retrySpanMs(defaults, random)
    t.ok(span >= 24 * HOUR, `random ${random}: ${(span / HOUR).toFixed(2)} h >= 24 h`)
  }
})
