import t from 'tap'
import type { LeasedDelivery } from '../../src/store/types.js'
import { attemptRecord } from '../../src/worker/attempt-record.js'
import type { ForwardResult } from '../../src/worker/forward.js'
import { testRetry, testTarget } from '../helpers/config.js'
import { makeEvent } from '../helpers/events.js'

const T0 = 1_700_000_000_000
const event = makeEvent({ receivedAt: T0 })
const target = testTarget('app', 'http://127.0.0.1:1', { retry: { ...testRetry, maxAttempts: 3 } })

function delivery (cycleAttempt: number): LeasedDelivery {
  return { id: event.deliveries[0].id, eventId: event.id, target: 'app', attempt: cycleAttempt + 4, cycleAttempt, cycleStartedAt: T0, event: { ...event, duplicates: 0 } }
}

function result (over: Partial<ForwardResult>): ForwardResult {
  return { startedAt: T0 + 1000, durationMs: 20, status: 200, error: null, errorMessage: null, retryAfter: null, responseHeaders: [], responseBody: Buffer.from('ok'), ...over }
}

t.test('every ending of an attempt becomes the right record', async (t) => {
  const end = T0 + 1020
  const cases: Array<[string, number, Partial<ForwardResult>, Record<string, unknown>]> = [
    ['2xx succeeds', 1, {}, { outcome: 'success', nextState: 'succeeded', nextAttemptAt: null, countsForHealth: true, holdTargetUntil: null }],
    ['our own shutdown is due again at once and blames nobody', 1, { status: null, error: 'aborted' },
      { outcome: 'retry', nextState: 'pending', nextAttemptAt: end, countsForHealth: false, failReason: null }],
    ['503 with Retry-After waits for it and holds the target', 1, { status: 503, retryAfter: '7' },
      { outcome: 'retry', nextState: 'pending', nextAttemptAt: end + 7000, retryAfterMs: 7000, holdTargetUntil: end + 7000, countsForHealth: true }],
    ['404 fails for good', 1, { status: 404 }, { outcome: 'fail', nextState: 'failed', failReason: 'non_retryable_status', nextAttemptAt: null }],
    ['a network error on the last allowed attempt runs out', 3, { status: null, error: 'connection_refused' },
      { outcome: 'retry', nextState: 'failed', failReason: 'max_attempts', nextAttemptAt: null }]
  ]
  for (const [name, cycleAttempt, over, want] of cases) {
    const r = attemptRecord({ delivery: delivery(cycleAttempt), target, result: result(over), owner: 'w1', random: 0.5 })
    t.match(r, { ...want, deliveryId: event.deliveries[0].id, owner: 'w1', target: 'app', n: cycleAttempt + 4, startedAt: T0 + 1000, durationMs: 20 }, name)
  }
})

t.test('a retry without Retry-After backs off and keeps the answer for the record', async (t) => {
  const r = attemptRecord({ delivery: delivery(1), target, result: result({ status: 500, responseBody: Buffer.from('boom') }), owner: 'w', random: 0.5 })
  t.equal(r.nextState, 'pending')
  t.ok(r.nextAttemptAt! > T0 + 1020, 'due later')
  t.equal(r.retryAfterMs, null)
  t.same(r.responseBody, Buffer.from('boom'))
  t.equal(r.status, 500)
})
