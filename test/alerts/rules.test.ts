import t from 'tap'
import {
  decideOnAttempt, decideOnTime, EMPTY_STATE, isEmptyState, MAX_GROUPED_IDS, nextDueAt
} from '../../src/alerts/rules.js'
import type { AlertRules } from '../../src/alerts/settings.js'
import type { AlertDraft, AttemptFacts, TargetAlertState } from '../../src/alerts/types.js'

const RULES: AlertRules = { consecutiveFailures: 3, cooldownMs: 1000, notifyOnRecovery: true, notifyOnPermanentFailure: true }

// One step of a scenario: at time `at`, an attempt (a failure with the store's count, a
// success, or a permanent failure), or only time passing (`tick`).
type Step =
  | { at: number, fail: number, permanent?: boolean, status?: number | null }
  | { at: number, ok: true }
  | { at: number, tick: true }

let seq = 0
function facts (step: Step): AttemptFacts {
  seq++
  const failed = 'fail' in step
  return {
    target: 'app', deliveryId: `dlv_${seq}`, eventId: `evt_${seq}`, source: 'sample', attempt: 1, at: step.at,
    status: failed ? (step.status === undefined ? 503 : step.status) : 200,
    error: failed && step.status === null ? 'connection_refused' : null,
    errorMessage: null,
    failReason: failed && step.permanent === true ? 'non_retryable_status' : null,
    outcome: failed ? (step.permanent === true ? 'fail' : 'retry') : 'success',
    permanent: failed && step.permanent === true,
    consecutiveFailures: failed ? step.fail : 0
  }
}

function run (steps: Step[], rules: AlertRules = RULES, start: TargetAlertState = EMPTY_STATE) {
  let state = start
  const sent: AlertDraft[] = []
  for (const step of steps) {
    const d = 'tick' in step ? decideOnTime('app', state, rules, step.at) : decideOnAttempt(state, facts(step), rules, step.at)
    state = d.state
    sent.push(...d.alerts)
  }
  return { state, sent, kinds: sent.map((a) => `${a.at}:${a.kind}`) }
}

const fails = (from: number, to: number, at: (n: number) => number = () => 0): Step[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ at: at(from + i), fail: from + i }))

t.test('incident alerts, as a table', async (t) => {
  const rows: Array<[string, Step[], string[], Partial<AlertRules>?]> = [
    ['under the threshold: nothing', fails(1, 2), []],
    ['the threshold opens an incident', fails(1, 3), ['0:target.failing']],
    ['one alert per incident, not one per attempt', fails(1, 8, (n) => n * 10), ['30:target.failing']],
    ['a reminder once the cooldown passed, no sooner', fails(1, 10, (n) => n * 400),
      ['1200:target.failing', '2400:target.still_failing', '3600:target.still_failing']],
    ['the first success after an alert sends a recovery notice', [...fails(1, 4), { at: 5000, ok: true }],
      ['0:target.failing', '5000:target.recovered']],
    ['a success before the threshold: no notice', [...fails(1, 2), { at: 10, ok: true }], []],
    ['notifyOnRecovery false: the incident closes silently', [...fails(1, 3), { at: 10, ok: true }],
      ['0:target.failing'], { notifyOnRecovery: false }],
    ['a new incident after a recovery alerts again', [...fails(1, 3), { at: 10, ok: true }, ...fails(1, 3, () => 20)],
      ['0:target.failing', '10:target.recovered', '20:target.failing']],
    ['a count that went down means a success we missed', [...fails(1, 3), { at: 50, fail: 1 }],
      ['0:target.failing', '50:target.recovered']],
    ['threshold 1 alerts at the first failure', fails(1, 1), ['0:target.failing'], { consecutiveFailures: 1 }],
    ['cooldown 0 reminds at every failure', fails(1, 4), ['0:target.failing', '0:target.still_failing'], { cooldownMs: 0 }]
  ]
  for (const [name, steps, expected, over] of rows) {
    t.same(run(steps, { ...RULES, ...over }).kinds, expected, name)
  }
})

t.test('the threshold alert carries the count, the threshold and the last attempt', async (t) => {
  const { sent, state } = run([...fails(1, 2, () => 100), { at: 300, fail: 3, status: null }])
  t.equal(sent.length, 1)
  t.match(sent[0], {
    kind: 'target.failing', target: 'app', at: 300, threshold: 3, consecutiveFailures: 3, failingSince: 100,
    last: { error: 'connection_refused', status: null, source: 'sample' }
  })
  t.same(sent[0].deliveryIds, [sent[0].last!.deliveryId])
  t.match(state.failing, { since: 100, failures: 3, alertedAt: 300, notifiedAt: 300 })
})

t.test('recovery says how long it lasted and how many attempts failed', async (t) => {
  const { sent, state } = run([{ at: 1000, fail: 1 }, ...fails(2, 7, () => 2000), { at: 61_000, ok: true }])
  const recovery = sent.find((a) => a.kind === 'target.recovered')!
  t.match(recovery, { durationMs: 60_000, consecutiveFailures: 7, failingSince: 1000, threshold: 3 })
  t.ok(isEmptyState(state), 'nothing is remembered once healthy')
})

t.test('a lower threshold applies to a streak already under way', async (t) => {
  const before = run(fails(1, 3), { ...RULES, consecutiveFailures: 5 })
  t.same(before.kinds, [])
  t.same(run([{ at: 5, fail: 4 }], RULES, before.state).kinds, ['5:target.failing'])
})

t.test('permanent failures are grouped per cooldown window', async (t) => {
  const p = (at: number): Step => ({ at, fail: 1, permanent: true, status: 404 })
  const rows: Array<[string, Step[], string[], Partial<AlertRules>?]> = [
    ['the first goes out at once', [p(0)], ['0:deliveries.needs_attention']],
    ['the rest of the burst waits for the window to end', [p(0), p(100), p(200), { at: 999, tick: true }, { at: 1000, tick: true }],
      ['0:deliveries.needs_attention', '1000:deliveries.needs_attention']],
    ['a failure after the window takes the unreported ones along', [p(0), p(100), p(1500)],
      ['0:deliveries.needs_attention', '1500:deliveries.needs_attention']],
    ['nothing pending: the window ends quietly', [p(0), { at: 5000, tick: true }], ['0:deliveries.needs_attention']],
    ['notifyOnPermanentFailure false: none', [p(0), p(1)], [], { notifyOnPermanentFailure: false }],
    ['cooldown 0: one message each', [p(0), p(0)], ['0:deliveries.needs_attention', '0:deliveries.needs_attention'], { cooldownMs: 0 }]
  ]
  for (const [name, steps, expected, over] of rows) {
    t.same(run(steps, { ...RULES, ...over }).kinds, expected, name)
  }

  const burst = run([p(0), p(100), p(200), { at: 1000, tick: true }])
  t.same(burst.sent.map((a) => a.failedDeliveries), [1, 2], 'counts: the first, then the two grouped')
  t.match(burst.sent[1], { last: { status: 404, failReason: 'non_retryable_status' } })
  t.equal(burst.sent[1].deliveryIds.length, 2)
  t.same(run([p(0), p(100), p(1500)]).sent.map((a) => a.failedDeliveries), [1, 2])
})

t.test('nextDueAt points at the end of a window with unreported failures', async (t) => {
  const p = (at: number): Step => ({ at, fail: 1, permanent: true })
  t.equal(nextDueAt(run([p(0)]).state, RULES), null, 'nothing pending')
  t.equal(nextDueAt(run([p(0), p(300)]).state, RULES), 1000)
  t.equal(nextDueAt(EMPTY_STATE, RULES), null)
})

t.test('a grouped message keeps the most recent ids only', async (t) => {
  const steps: Step[] = [{ at: 0, fail: 1, permanent: true }]
  for (let i = 1; i <= 15; i++) steps.push({ at: i, fail: 1, permanent: true })
  steps.push({ at: 1000, tick: true })
  const { sent } = run(steps)
  t.equal(sent[1].failedDeliveries, 15)
  t.equal(sent[1].deliveryIds.length, MAX_GROUPED_IDS)
  t.equal(sent[1].deliveryIds.at(-1), sent[1].last!.deliveryId, 'the latest is kept')
})

t.test('permanent failures turned off while some wait: dropped without a message', async (t) => {
  const { state } = run([{ at: 0, fail: 1, permanent: true }, { at: 1, fail: 1, permanent: true }])
  const off = { ...RULES, notifyOnPermanentFailure: false }
  const d = decideOnTime('app', state, off, 2000)
  t.same(d.alerts, [])
  t.equal(d.state.permanent, null)
})

t.test('one attempt can cross the threshold and fail for good: both alerts', async (t) => {
  const { kinds } = run([...fails(1, 2), { at: 0, fail: 3, permanent: true }])
  t.same(kinds, ['0:target.failing', '0:deliveries.needs_attention'])
})

t.test('decisions are pure: the previous state is never changed', async (t) => {
  const before = run(fails(1, 3)).state
  const copy = JSON.parse(JSON.stringify(before)) as TargetAlertState
  decideOnAttempt(before, facts({ at: 5000, fail: 4 }), RULES, 5000)
  decideOnAttempt(before, facts({ at: 5000, ok: true }), RULES, 5000)
  t.same(before, copy)
})
