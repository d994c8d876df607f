import type { Test } from 'tap'
import type { Store } from '../../src/store/store.js'
import type { AttemptRecord, LeasedDelivery } from '../../src/store/types.js'
import { makeEvent } from '../helpers/events.js'

/**
 * The behaviour every Store implementation must show. Run it with a factory that opens a
 * fresh, empty store; the suite closes what it opens.
 */
export function storeContract (t: Test, open: (t: Test) => Promise<Store>): void {
  const T0 = 1_700_000_000_000

  // What a pass at `now` that leases nothing sees: a probe owner, so no lease of the test's own is touched.
  const probe = (store: Store, now: number, target?: string) => store.runPass({
    owner: 'probe', now, leaseMs: 1, records: [], plan: () => target === undefined ? [] : [{ name: target, limit: 1 }]
  })
  // When `target`'s next delivery is due (asked before anything is due, so nothing is leased).
  const nextDueAt = async (store: Store, target: string) => (await probe(store, 0, target)).nextDueAt[target]

  function record (d: LeasedDelivery, owner: string, over: Partial<AttemptRecord> = {}): AttemptRecord {
    return {
      deliveryId: d.id, owner, target: d.target, n: d.attempt, startedAt: T0 + 10, durationMs: 5,
      status: 200, error: null, errorMessage: null, retryAfterMs: null, outcome: 'success',
      responseHeaders: [['content-type', 'text/plain']], responseBody: Buffer.from('ok'),
      nextState: 'succeeded', nextAttemptAt: null, failReason: null, holdTargetUntil: null,
      countsForHealth: true, ...over
    }
  }

  t.test('stores an event with one delivery per target, byte-exact', async (t) => {
    const store = await open(t)
    const body = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x41])
    const e = makeEvent({ targets: ['a', 'b'], body, headers: [['X-Dup', '1'], ['x-dup', '2']], path: '/x%20y', query: 'a=1&a=2' })
    await store.insertEvents([e])
    const got = await store.getEvent(e.id)
    t.ok(got)
    t.same(got!.body, body)
    t.same(got!.headers, [['X-Dup', '1'], ['x-dup', '2']])
    t.equal(got!.path, '/x%20y')
    t.equal(got!.query, 'a=1&a=2')
    const ds = await store.deliveriesOfEvent(e.id)
    t.same(ds.map((d) => [d.target, d.state, d.attemptCount]), [['a', 'pending', 0], ['b', 'pending', 0]])
    t.equal(await store.getEvent('evt_missing'), null)
  })

  t.test('a repeated dedupe key within the window stores nothing and counts a duplicate', async (t) => {
    const store = await open(t)
    const first = makeEvent({ dedupeKey: 'h:x=1', receivedAt: T0, dedupeSince: T0 - 1000 })
    const again = makeEvent({ dedupeKey: 'h:x=1', receivedAt: T0 + 10, dedupeSince: T0 - 990 })
    const otherSource = makeEvent({ dedupeKey: 'h:x=1', source: 'other', receivedAt: T0 + 10, dedupeSince: T0 - 990 })
    const sameBatch = makeEvent({ dedupeKey: 'h:x=2', receivedAt: T0 })
    const sameBatchAgain = makeEvent({ dedupeKey: 'h:x=2', receivedAt: T0 })
    t.same(await store.insertEvents([first, sameBatch, sameBatchAgain]), [{ duplicateOf: null }, { duplicateOf: null }, { duplicateOf: sameBatch.id }])
    t.same(await store.insertEvents([again, otherSource]), [{ duplicateOf: first.id }, { duplicateOf: null }])
    t.equal(await store.getEvent(again.id), null)
    t.equal((await store.getEvent(first.id))!.duplicates, 1)
    t.equal((await store.deliveriesOfEvent(first.id)).length, 1, 'no new delivery for a duplicate')
    const late = makeEvent({ dedupeKey: 'h:x=1', receivedAt: T0 + 5000, dedupeSince: T0 + 1 })
    t.same(await store.insertEvents([late]), [{ duplicateOf: null }], 'outside the window it is a new event')
  })

  t.test('a batch is atomic: a duplicate id rolls back the whole batch', async (t) => {
    const store = await open(t)
    const a = makeEvent()
    await store.insertEvents([a])
    const b = makeEvent()
    await t.rejects(store.insertEvents([b, a]))
    t.equal(await store.getEvent(b.id), null, 'nothing of the failed batch is stored')
  })

  t.test('leases due rows once, oldest first, within per-target limits', async (t) => {
    const store = await open(t)
    const events = [0, 1, 2, 3].map((i) => makeEvent({ receivedAt: T0 + i }))
    await store.insertEvents(events)
    await store.insertEvents([makeEvent({ receivedAt: T0 + 1000, targets: ['later'] })])
    const first = await store.leaseDue({ owner: 'w1', now: T0 + 2, leaseMs: 1000, targets: [{ name: 'app', limit: 2 }, { name: 'later', limit: 5 }] })
    t.same(first.map((d) => d.eventId), [events[0].id, events[1].id], 'only due rows, oldest first, capped by the limit')
    t.same(first.map((d) => [d.attempt, d.cycleAttempt]), [[1, 1], [1, 1]])
    t.same(first[0].event.body, events[0].body, 'the event comes with the lease')
    const second = await store.leaseDue({ owner: 'w2', now: T0 + 10, leaseMs: 1000, targets: [{ name: 'app', limit: 10 }] })
    t.same(second.map((d) => d.eventId), [events[2].id, events[3].id], 'leased rows are not handed out twice')
    t.equal((await store.getDelivery(first[0].id))!.state, 'in_flight')
    t.equal(await nextDueAt(store, 'app'), null)
    t.equal(await nextDueAt(store, 'later'), T0 + 1000)
    t.equal((await probe(store, 0)).nextLeaseExpiry, T0 + 2 + 1000)
  })

  t.test('completing an attempt writes attempt, state and health together', async (t) => {
    const store = await open(t)
    await store.insertEvents([makeEvent(), makeEvent()])
    const [a, b] = await store.leaseDue({ owner: 'w', now: T0, leaseMs: 1000, targets: [{ name: 'app', limit: 2 }] })
    const done = await store.completeAttempts([
      record(a, 'w', { status: 503, outcome: 'retry', nextState: 'pending', nextAttemptAt: T0 + 5000, retryAfterMs: 5000, holdTargetUntil: T0 + 5000, error: null }),
      record(b, 'w', { status: 503, outcome: 'retry', nextState: 'pending', nextAttemptAt: T0 + 6000 })
    ])
    t.same(done.map((c) => [c.applied, c.consecutiveFailures]), [[true, 1], [true, 2]])
    const view = (await store.getDelivery(a.id))!
    t.match(view, { state: 'pending', attemptCount: 1, lastStatus: 503, nextAttemptAt: T0 + 5000 })
    const attempts = await store.getAttempts(a.id)
    t.match(attempts, [{ n: 1, status: 503, outcome: 'retry', retryAfterMs: 5000 }])
    t.same(attempts[0].responseBody, Buffer.from('ok'))
    t.same(attempts[0].responseHeaders, [['content-type', 'text/plain']])
    const [state] = await store.targetStates()
    t.match(state, { name: 'app', consecutiveFailures: 2, holdUntil: T0 + 5000, lastStatus: 503 })
    t.equal(await nextDueAt(store, 'app'), T0 + 5000)

    const [again] = await store.leaseDue({ owner: 'w', now: T0 + 5000, leaseMs: 1000, targets: [{ name: 'app', limit: 1 }] })
    t.equal(again.attempt, 2)
    const [ok] = await store.completeAttempts([record(again, 'w')])
    t.equal(ok.consecutiveFailures, 0, 'a success resets the count')
    t.equal((await store.getDelivery(again.id))!.state, 'succeeded')
    t.equal((await store.getDelivery(again.id))!.nextAttemptAt, null)
  })

  t.test('health through a mixed batch: each record sees the ones before it, the last one stays', async (t) => {
    const store = await open(t)
    await store.insertEvents([makeEvent(), makeEvent(), makeEvent(), makeEvent()])
    const [a, b, c, d] = await store.leaseDue({ owner: 'w', now: T0, leaseMs: 1000, targets: [{ name: 'app', limit: 4 }] })
    const fail = { status: 500, outcome: 'retry' as const, nextState: 'pending' as const, nextAttemptAt: T0 + 9000 }
    const done = await store.completeAttempts([
      record(a, 'w', { ...fail, startedAt: T0 + 1 }),
      record(b, 'w', { startedAt: T0 + 2 }),
      record(c, 'w', { ...fail, startedAt: T0 + 3, holdTargetUntil: T0 + 7000 }),
      record(d, 'w', { ...fail, startedAt: T0 + 4, holdTargetUntil: T0 + 6000 })
    ])
    t.same(done.map((x) => x.consecutiveFailures), [1, 0, 1, 2])
    const [state] = await store.targetStates()
    t.match(state, {
      consecutiveFailures: 2, lastSuccessAt: T0 + 2 + 5, lastFailureAt: T0 + 4 + 5, lastStatus: 500, holdUntil: T0 + 7000
    }, 'a later, shorter hold does not shorten the longer one')
  })

  t.test('a pass records outcomes, then plans on the states they left, then leases', async (t) => {
    const store = await open(t)
    await store.insertEvents([0, 1, 2, 3, 4].map((i) => makeEvent({ receivedAt: T0 + i, targets: ['app', 'b'] })))
    const first = await store.runPass({
      owner: 'w', now: T0 + 10, leaseMs: 1000, records: [],
      plan: (states) => {
        t.same(states, [], 'no target has a state yet')
        return [{ name: 'app', limit: 1 }, { name: 'b', limit: 2 }]
      }
    })
    t.same(first.completions, [])
    t.same(first.leased.map((d) => d.target), ['app', 'b', 'b'])
    t.same(first.nextDueAt, {}, 'every planned target got all it asked for')
    t.equal(first.nextLeaseExpiry, T0 + 1010)
    t.equal(first.reclaimed, 0)

    const [appOne] = first.leased
    let seen: readonly unknown[] = []
    const second = await store.runPass({
      owner: 'w', now: T0 + 20, leaseMs: 1000,
      records: [record(appOne, 'w', { status: 429, outcome: 'retry', nextState: 'pending', nextAttemptAt: T0 + 5000, holdTargetUntil: T0 + 5000 })],
      plan: (states) => {
        seen = states
        // The hold the record just set is visible here: plan only for the other target.
        return [{ name: 'b', limit: 10 }]
      }
    })
    t.match(second.completions, [{ deliveryId: appOne.id, applied: true, consecutiveFailures: 1 }])
    t.match(seen, [{ name: 'app', holdUntil: T0 + 5000, consecutiveFailures: 1 }])
    t.equal(second.leased.length, 3, 'the rest of b')
    t.same(second.nextDueAt, { b: null }, 'b got fewer than asked and has nothing else due')
    t.equal(second.states.length, 1)
    t.equal((await store.getDelivery(appOne.id))!.state, 'pending')
    t.match(await store.getAttempts(appOne.id), [{ n: 1, status: 429 }])

    const third = await store.runPass({ owner: 'w', now: T0 + 30, leaseMs: 1000, records: [], plan: () => [{ name: 'app', limit: 10 }] })
    t.equal(third.leased.length, 4, 'the other four app deliveries; the retried one is not due yet')
    t.same(third.nextDueAt, { app: T0 + 5000 })
  })

  t.test('a pass takes back expired leases of any owner, and only expired ones', async (t) => {
    const store = await open(t)
    await store.insertEvents([makeEvent({ receivedAt: T0 }), makeEvent({ receivedAt: T0 + 1 })])
    const [gone] = await store.leaseDue({ owner: 'dead', now: T0, leaseMs: 100, targets: [{ name: 'app', limit: 1 }] })
    const [live] = await store.leaseDue({ owner: 'alive', now: T0 + 50, leaseMs: 1000, targets: [{ name: 'app', limit: 1 }] })
    const early = await store.runPass({ owner: 'w', now: T0 + 99, leaseMs: 1000, records: [], plan: () => [] })
    t.equal(early.reclaimed, 0)
    t.equal(early.nextLeaseExpiry, T0 + 100)
    const pass = await store.runPass({ owner: 'w', now: T0 + 100, leaseMs: 1000, records: [], plan: () => [{ name: 'app', limit: 5 }] })
    t.equal(pass.reclaimed, 1)
    t.same(pass.leased.map((d) => [d.id, d.attempt]), [[gone.id, 2]], 'taken back and leased again in the same pass')
    t.match(await store.getAttempts(gone.id), [{ n: 1, error: 'lease_expired' }])
    t.equal((await store.getDelivery(live.id))!.state, 'in_flight', 'the live lease is left alone')
    t.equal(pass.nextLeaseExpiry, T0 + 1050)
  })

  t.test('a pass extends the leases it is asked to renew before it takes back expired ones', async (t) => {
    const store = await open(t)
    await store.insertEvents([makeEvent({ receivedAt: T0 }), makeEvent({ receivedAt: T0 + 1 })])
    const [mine, other] = await store.leaseDue({ owner: 'w', now: T0 + 1, leaseMs: 100, targets: [{ name: 'app', limit: 2 }] })
    const pass = await store.runPass({ owner: 'w', now: T0 + 150, leaseMs: 1000, records: [], renew: [mine.id, 'dlv_missing'], plan: () => [] })
    t.equal(pass.reclaimed, 1, 'only the lease that was not renewed went back')
    t.equal((await store.getDelivery(mine.id))!.state, 'in_flight')
    t.equal((await store.getDelivery(other.id))!.state, 'pending')
    t.equal(pass.nextLeaseExpiry, T0 + 1150)
    const foreign = await store.runPass({ owner: 'x', now: T0 + 200, leaseMs: 99_999, records: [], renew: [mine.id], plan: () => [] })
    t.equal(foreign.nextLeaseExpiry, T0 + 1150, 'another owner cannot extend it')
  })

  t.test('an outcome is recorded only under the lease that started the attempt', async (t) => {
    const store = await open(t)
    await store.insertEvents([makeEvent()])
    const [first] = await store.leaseDue({ owner: 'w', now: T0, leaseMs: 100, targets: [{ name: 'app', limit: 1 }] })
    await probe(store, T0 + 100)
    const [second] = await store.leaseDue({ owner: 'w', now: T0 + 100, leaseMs: 100, targets: [{ name: 'app', limit: 1 }] })
    t.equal(second.attempt, 2)
    const [late] = await store.completeAttempts([record(first, 'w')])
    t.equal(late.applied, false, 'same owner, but the attempt of an earlier lease')
    const [now] = await store.completeAttempts([record(second, 'w')])
    t.equal(now.applied, true)
  })

  t.test('a pass is atomic: a plan that throws writes none of its records', async (t) => {
    const store = await open(t)
    await store.insertEvents([makeEvent()])
    const [d] = await store.leaseDue({ owner: 'w', now: T0, leaseMs: 1000, targets: [{ name: 'app', limit: 1 }] })
    await t.rejects(store.runPass({ owner: 'w', now: T0 + 20, leaseMs: 1000, records: [record(d, 'w')], plan: () => { throw new Error('boom') } }), /boom/)
    t.equal((await store.getDelivery(d.id))!.state, 'in_flight')
    t.same(await store.getAttempts(d.id), [])
  })

  t.test('an attempt by a worker that lost its lease is not recorded', async (t) => {
    const store = await open(t)
    await store.insertEvents([makeEvent()])
    const [d] = await store.leaseDue({ owner: 'old', now: T0, leaseMs: 100, targets: [{ name: 'app', limit: 1 }] })
    t.equal((await probe(store, T0 + 50)).reclaimed, 0, 'a live lease is left alone')
    t.equal((await probe(store, T0 + 100)).reclaimed, 1)
    t.match(await store.getAttempts(d.id), [{ n: 1, error: 'lease_expired', outcome: 'retry' }])
    const [d2] = await store.leaseDue({ owner: 'new', now: T0 + 100, leaseMs: 100, targets: [{ name: 'app', limit: 1 }] })
    t.equal(d2.id, d.id)
    t.equal(d2.attempt, 2, 'the lost attempt still counts')
    const [late] = await store.completeAttempts([record(d, 'old')])
    t.equal(late.applied, false)
    t.equal((await store.getDelivery(d.id))!.state, 'in_flight')
  })

  t.test('an attempt cut short by our own shutdown does not use up the retry budget', async (t) => {
    const store = await open(t)
    await store.insertEvents([makeEvent()])
    const [d] = await store.leaseDue({ owner: 'w', now: T0, leaseMs: 100, targets: [{ name: 'app', limit: 1 }] })
    await store.completeAttempts([record(d, 'w', { status: null, error: 'aborted', outcome: 'retry', nextState: 'pending', nextAttemptAt: T0 + 1, countsForHealth: false })])
    const [again] = await store.leaseDue({ owner: 'w', now: T0 + 1, leaseMs: 100, targets: [{ name: 'app', limit: 1 }] })
    t.same([again.attempt, again.cycleAttempt], [2, 1], 'the attempt number moves on, the budget does not')
    t.match(await store.getAttempts(d.id), [{ n: 1, error: 'aborted' }])
  })

  t.test('released leases are due again and their attempt is not counted', async (t) => {
    const store = await open(t)
    await store.insertEvents([makeEvent()])
    const [d] = await store.leaseDue({ owner: 'w', now: T0, leaseMs: 100, targets: [{ name: 'app', limit: 1 }] })
    t.equal(await store.releaseLeases('other', [d.id], T0 + 1), 0, 'only the owner can release')
    t.equal(await store.releaseLeases('w', [d.id], T0 + 1), 1)
    t.match(await store.getDelivery(d.id), { state: 'pending', attemptCount: 0, nextAttemptAt: T0 + 1 })
  })

  t.test('manual retry, bulk retry and cancel', async (t) => {
    const store = await open(t)
    await store.insertEvents([makeEvent(), makeEvent({ source: 'other' })])
    const [a, b] = await store.leaseDue({ owner: 'w', now: T0, leaseMs: 100, targets: [{ name: 'app', limit: 2 }] })
    t.equal(await store.retryDelivery(a.id, T0), 'in_flight')
    t.equal(await store.cancelDelivery(a.id, T0), 'in_flight')
    await store.completeAttempts([
      record(a, 'w', { status: 404, outcome: 'fail', nextState: 'failed', failReason: 'non_retryable_status' }),
      record(b, 'w', { status: 410, outcome: 'fail', nextState: 'failed', failReason: 'non_retryable_status' })
    ])
    t.equal(await store.retryDelivery('dlv_nope', T0), 'not_found')
    t.equal(await store.retryDelivery(a.id, T0 + 50), 'retried')
    t.match(await store.getDelivery(a.id), { state: 'pending', nextAttemptAt: T0 + 50, failReason: null, attemptCount: 1 })
    const [again] = await store.leaseDue({ owner: 'w', now: T0 + 50, leaseMs: 100, targets: [{ name: 'app', limit: 1 }] })
    t.same([again.attempt, again.cycleAttempt, again.cycleStartedAt], [2, 1, T0 + 50], 'a fresh retry budget')
    t.equal(await store.retryDeliveries({ state: 'failed', source: 'nope' }, T0), 0)
    t.equal(await store.retryDeliveries({ state: 'failed', source: 'other' }, T0 + 60), 1)
    t.equal((await store.getDelivery(b.id))!.state, 'pending')
    t.equal(await store.cancelDelivery(b.id, T0 + 70), 'cancelled')
    t.equal(await store.cancelDelivery(b.id, T0 + 70), 'cancelled_already')
    t.equal(await store.cancelDelivery('dlv_nope', T0), 'not_found')
    t.equal(await nextDueAt(store, 'app'), null, 'a cancelled delivery is not due')
  })

  t.test('lists page newest first and filter', async (t) => {
    const store = await open(t)
    const events = Array.from({ length: 5 }, (_, i) => makeEvent({ receivedAt: T0 + i * 1000, source: i % 2 === 0 ? 'even' : 'odd' }))
    await store.insertEvents(events)
    const p1 = await store.listDeliveries({}, { limit: 2 })
    t.equal(p1.items.length, 2)
    t.equal(p1.items[0].eventId, events[4].id)
    const p2 = await store.listDeliveries({}, { limit: 2, before: p1.next! })
    const p3 = await store.listDeliveries({}, { limit: 2, before: p2.next! })
    t.same([...p1.items, ...p2.items, ...p3.items].map((d) => d.eventId), events.map((e) => e.id).reverse())
    t.equal(p3.next, null)
    t.equal((await store.listDeliveries({ source: 'even' }, { limit: 10 })).items.length, 3)
    t.equal((await store.listDeliveries({ since: T0 + 1000, until: T0 + 3000 }, { limit: 10 })).items.length, 2)
    t.equal((await store.listDeliveries({ state: 'failed' }, { limit: 10 })).items.length, 0)
    t.equal((await store.listDeliveries({ target: 'app', state: 'pending' }, { limit: 10 })).items.length, 5)
    const ev = await store.listEvents({ source: 'odd' }, { limit: 1 })
    t.equal(ev.items[0].id, events[3].id)
    t.equal(ev.items[0].size, events[3].body.length)
    t.equal((await store.listEvents({ source: 'odd' }, { limit: 1, before: ev.next! })).items[0].id, events[1].id)
  })

  t.test('pruning keeps what is unfinished or recent and deletes the rest in batches', async (t) => {
    const store = await open(t)
    const at = (i: number) => T0 + i * 1000
    const events = Array.from({ length: 6 }, (_, i) => makeEvent({ receivedAt: at(i) }))
    await store.insertEvents(events)
    const leased = await store.leaseDue({ owner: 'w', now: at(10), leaseMs: 1000, targets: [{ name: 'app', limit: 6 }] })
    const byEvent = new Map(leased.map((d) => [d.eventId, d]))
    const finish = (i: number, nextState: 'succeeded' | 'failed' | 'pending') => record(byEvent.get(events[i].id)!, 'w', {
      nextState, outcome: nextState === 'succeeded' ? 'success' : 'fail', nextAttemptAt: nextState === 'pending' ? at(20) : null
    })
    // 0,1,2 succeeded; 3 failed; 4 pending again; 5 stays in flight.
    await store.completeAttempts([finish(0, 'succeeded'), finish(1, 'succeeded'), finish(2, 'succeeded'), finish(3, 'failed'), finish(4, 'pending')])
    t.equal(await store.pruneEvents({ succeededBefore: at(2), failedBefore: at(0) }, 1), 1, 'one per batch')
    t.equal(await store.getEvent(events[0].id), null)
    t.same(await store.getAttempts(byEvent.get(events[0].id)!.id), [], 'attempts go with their event')
    t.equal(await store.getDelivery(byEvent.get(events[0].id)!.id), null)
    t.equal(await store.pruneEvents({ succeededBefore: at(2), failedBefore: at(0) }, 10), 1, 'only succeeded events older than the cutoff')
    t.ok(await store.getEvent(events[2].id), 'a recent success stays')
    t.equal(await store.pruneEvents({ succeededBefore: at(3), failedBefore: at(3) }, 10), 1, 'the failed one is younger than its cutoff')
    t.ok(await store.getEvent(events[3].id))
    t.equal(await store.pruneEvents({ succeededBefore: at(100), failedBefore: at(100) }, 10), 1, 'failed ones go after their longer age')
    t.equal(await store.getEvent(events[3].id), null)
    t.ok(await store.getEvent(events[4].id), 'pending is never pruned')
    t.ok(await store.getEvent(events[5].id), 'in flight is never pruned')
  })

  t.test('counts, pause and resume', async (t) => {
    const store = await open(t)
    await store.insertEvents([makeEvent({ targets: ['app', 'b'] }), makeEvent()])
    t.same(await store.countsByTarget(), {
      app: { pending: 2, in_flight: 0, succeeded: 0, failed: 0, cancelled: 0 },
      b: { pending: 1, in_flight: 0, succeeded: 0, failed: 0, cancelled: 0 }
    })
    t.same(await store.oldestPending(['app', 'b', 'none']), { app: T0, b: T0, none: null })
    await store.pauseTarget('app', T0 + 100)
    t.match(await store.targetStates(), [{ name: 'app', paused: true, pausedUntil: T0 + 100 }])
    await store.resumeTarget('app')
    t.match(await store.targetStates(), [{ name: 'app', paused: false, pausedUntil: null, holdUntil: null }])
    await store.checkWritable()
  })
}
