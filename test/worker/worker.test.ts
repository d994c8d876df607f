import { join } from 'node:path'
import { pino } from 'pino'
import t, { type Test } from 'tap'
import type { TargetConfig } from '../../src/config/types.js'
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { createTargetAgent, forward } from '../../src/worker/forward.js'
import { Worker, type AttemptReport } from '../../src/worker/worker.js'
import { testRetry, testTarget } from '../helpers/config.js'
import { makeEvent } from '../helpers/events.js'
import { startTarget, type Responder } from '../helpers/target-server.js'

const logger = pino({ level: 'silent' })

async function setup (t: Test, targets: TargetConfig[], opts: { concurrency?: number, owner?: string, store?: SqliteStore } = {}) {
  const store = opts.store ?? new SqliteStore({ path: join(t.testdir(), 'outbox.db'), durability: 'normal' })
  const agents = new Map(targets.map((tc) => [tc.name, createTargetAgent(tc)]))
  const reports: AttemptReport[] = []
  const worker = new Worker({
    store,
    targets: Object.fromEntries(targets.map((tc) => [tc.name, tc])),
    concurrency: opts.concurrency ?? 16,
    owner: opts.owner ?? 'test-worker',
    logger,
    random: () => 0.5,
    onAttempt: (r) => reports.push(r),
    send: (delivery, target, signal) => forward({ dispatcher: agents.get(target.name)!, target, delivery, signal, clock: Date.now })
  })
  t.teardown(async () => {
    await worker.stop(100)
    for (const a of agents.values()) await a.close()
    await store.close()
  })
  return { store, worker, reports }
}

async function until (cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

async function serve (t: Test, respond?: Responder) {
  const target = await startTarget(respond)
  t.teardown(() => target.close())
  return target
}

t.test('the first attempt starts when woken, and success is recorded', async (t) => {
  const target = await serve(t)
  const { store, worker, reports } = await setup(t, [testTarget('app', target.url)])
  const e = makeEvent({ receivedAt: Date.now() })
  await store.insertEvents([e])
  t.equal(worker.nextWakeAt, null, 'nothing scheduled before a wake')
  worker.wake()
  await target.waitFor(1)
  await until(() => reports.length === 1)
  t.match(await store.getDelivery(e.deliveries[0].id), { state: 'succeeded', attemptCount: 1, lastStatus: 200 })
  t.equal(reports[0].record.outcome, 'success')
  await until(() => worker.nextWakeAt === null)
  t.pass('an idle worker has no timer')
})

t.test('503 with Retry-After: retried no earlier, and the whole target waits', async (t) => {
  let calls = 0
  const target = await serve(t, (_r, res) => {
    calls++
    if (calls === 1) res.writeHead(503, { 'Retry-After': '1' }).end('busy')
    else res.writeHead(200).end()
  })
  const { store, worker } = await setup(t, [testTarget('app', target.url, { concurrency: 1 })])
  const first = makeEvent({ receivedAt: Date.now() })
  await store.insertEvents([first])
  worker.wake()
  await target.waitFor(1)
  // A second webhook for the same target arrives during the pause.
  await until(async () => (await store.targetStates())[0]?.holdUntil != null)
  const second = makeEvent({ receivedAt: Date.now() })
  await store.insertEvents([second])
  worker.wake()
  await target.waitFor(3)
  const [a, b, c] = target.received
  t.ok(b.at - a.at >= 950, `next request ${b.at - a.at} ms after the 503`)
  t.ok(c.at - a.at >= 950, 'the other delivery also waited for the pause')
  await until(async () => (await store.listDeliveries({ state: 'succeeded' }, { limit: 5 })).items.length === 2)
  t.match(await store.getDelivery(first.deliveries[0].id), { state: 'succeeded', attemptCount: 2 })
  t.match(await store.getAttempts(first.deliveries[0].id), [{ status: 503, retryAfterMs: 1000, outcome: 'retry' }, { status: 200 }])
})

t.test('404 fails permanently after one attempt', async (t) => {
  const target = await serve(t, (_r, res) => { res.writeHead(404).end('no such route') })
  const { store, worker, reports } = await setup(t, [testTarget('app', target.url)])
  const e = makeEvent({ receivedAt: Date.now() })
  await store.insertEvents([e])
  worker.wake()
  await until(() => reports.length === 1)
  t.match(await store.getDelivery(e.deliveries[0].id), { state: 'failed', failReason: 'non_retryable_status', lastStatus: 404, attemptCount: 1 })
  t.equal(target.received.length, 1)
  t.equal(reports[0].completion.consecutiveFailures, 1)
})

t.test('retries run out after maxAttempts', async (t) => {
  const target = await serve(t, (_r, res) => { res.writeHead(500).end() })
  const retry = { ...testRetry, maxAttempts: 3, initialDelayMs: 20 }
  const { store, worker } = await setup(t, [testTarget('app', target.url, { retry })])
  const e = makeEvent({ receivedAt: Date.now() })
  await store.insertEvents([e])
  worker.wake()
  await until(async () => (await store.getDelivery(e.deliveries[0].id))!.state === 'failed')
  t.match(await store.getDelivery(e.deliveries[0].id), { failReason: 'max_attempts', attemptCount: 3 })
  t.equal(target.received.length, 3)
  t.same(target.received.map((r) => r.headers['sidehook-attempt']), ['1', '2', '3'])
})

t.test('many attempts in flight at once share the shutdown signal without a listener warning', async (t) => {
  const warnings: Error[] = []
  const onWarning = (w: Error) => { warnings.push(w) }
  process.on('warning', onWarning)
  t.teardown(() => { process.off('warning', onWarning) })
  const held: Array<() => void> = []
  const target = await serve(t, (_r, res) => { held.push(() => res.writeHead(200).end()) })
  const { store, worker, reports } = await setup(t, [testTarget('app', target.url, { concurrency: 40 })], { concurrency: 40 })
  await store.insertEvents(Array.from({ length: 40 }, () => makeEvent({ receivedAt: Date.now() })))
  worker.wake()
  await target.waitFor(40)
  t.equal(worker.inFlight, 40)
  for (const release of held) release()
  await until(() => reports.length === 40)
  await new Promise((resolve) => setImmediate(resolve))
  t.same(warnings.map((w) => w.name), [], 'no MaxListenersExceededWarning')
  t.same(await store.countsByTarget(), { app: { pending: 0, in_flight: 0, succeeded: 40, failed: 0, cancelled: 0 } })
})

t.test('global and per-target concurrency limits hold', async (t) => {
  let now = 0
  let peak = 0
  const pending: Array<() => void> = []
  const respond: Responder = (_r, res) => {
    now++
    peak = Math.max(peak, now)
    pending.push(() => { now--; res.writeHead(200).end() })
  }
  const slow = await serve(t, respond)
  const { store, worker } = await setup(t, [testTarget('app', slow.url, { concurrency: 3 })], { concurrency: 10 })
  await store.insertEvents(Array.from({ length: 12 }, () => makeEvent({ receivedAt: Date.now() })))
  worker.wake()
  await slow.waitFor(3)
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(slow.received.length, 3, 'never more than the target\'s concurrency')
  t.equal(worker.inFlight, 3)
  while (slow.received.length < 12 || pending.length > 0) {
    pending.shift()?.()
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  t.equal(peak, 3)

  const other = await serve(t, respond)
  const names = ['x', 'y', 'z']
  const second = await setup(t, names.map((n) => testTarget(n, other.url, { concurrency: 5 })), { concurrency: 4 })
  await second.store.insertEvents(Array.from({ length: 6 }, () => makeEvent({ receivedAt: Date.now(), targets: names })))
  peak = 0
  second.worker.wake()
  await other.waitFor(4)
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(other.received.length, 4, 'never more than the global concurrency')
  while (other.received.length < 18 || pending.length > 0) {
    pending.shift()?.()
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  t.equal(peak, 4)
})

t.test('a dead worker\'s expired lease is picked up and delivered', async (t) => {
  const target = await serve(t)
  const store = new SqliteStore({ path: join(t.testdir(), 'outbox.db'), durability: 'normal' })
  const e = makeEvent({ receivedAt: Date.now() })
  await store.insertEvents([e])
  await store.leaseDue({ owner: 'dead', now: Date.now(), leaseMs: 300, targets: [{ name: 'app', limit: 1 }] })
  const { worker } = await setup(t, [testTarget('app', target.url)], { store })
  worker.wake()
  await target.waitFor(1)
  t.equal(target.received[0].headers['sidehook-attempt'], '2', 'the lost attempt counts')
  await until(async () => (await store.getDelivery(e.deliveries[0].id))!.state === 'succeeded')
  t.match(await store.getAttempts(e.deliveries[0].id), [{ n: 1, error: 'lease_expired' }, { n: 2, status: 200 }])
})

t.test('stop lets attempts end within the grace, then aborts and releases them', async (t) => {
  const target = await serve(t, () => { /* hangs */ })
  const { store, worker } = await setup(t, [testTarget('app', target.url, { timeoutMs: 30_000 })])
  const e = makeEvent({ receivedAt: Date.now() })
  await store.insertEvents([e])
  worker.wake()
  await target.waitFor(1)
  const started = Date.now()
  await worker.stop(200)
  t.ok(Date.now() - started < 2000, 'bounded by the grace')
  const d = await store.getDelivery(e.deliveries[0].id)
  t.match(d, { state: 'pending', lastError: 'aborted' })
  t.ok(d!.nextAttemptAt! <= Date.now(), 'due again at once')
  t.equal((await store.targetStates())[0]?.consecutiveFailures ?? 0, 0, 'our shutdown is not the target\'s failure')
})

t.test('paused targets get nothing until resumed', async (t) => {
  const target = await serve(t)
  const { store, worker } = await setup(t, [testTarget('app', target.url)])
  await store.pauseTarget('app', null)
  await store.insertEvents([makeEvent({ receivedAt: Date.now() })])
  worker.wake()
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(target.received.length, 0)
  await store.resumeTarget('app')
  worker.wake()
  await target.waitFor(1)

  await store.pauseTarget('app', Date.now() + 400)
  await store.insertEvents([makeEvent({ receivedAt: Date.now() })])
  worker.wake()
  const paused = Date.now()
  await target.waitFor(2)
  t.ok(Date.now() - paused >= 350, 'a timed pause ends by itself')
})

t.test('deliveries leased but not started go back when their target is paused, or at shutdown', async (t) => {
  const held: Array<() => void> = []
  const target = await serve(t, (_r, res) => { held.push(() => res.writeHead(200).end()) })
  const { store, worker, reports } = await setup(t, [testTarget('app', target.url, { concurrency: 2 })], { concurrency: 10 })
  const events = Array.from({ length: 6 }, (_, i) => makeEvent({ receivedAt: Date.now() - 100 + i }))
  await store.insertEvents(events)
  worker.wake()
  await target.waitFor(2)
  await until(async () => (await store.countsByTarget()).app.in_flight === 4)
  t.same((await store.countsByTarget()).app, { pending: 2, in_flight: 4, succeeded: 0, failed: 0, cancelled: 0 },
    'two being sent and two more in hand for the next free slots')

  await store.pauseTarget('app', null)
  worker.wake()
  await until(async () => (await store.countsByTarget()).app.in_flight === 2)
  for (const release of held.splice(0)) release()
  await until(() => reports.length === 2)
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(target.received.length, 2, 'nothing held in hand was sent to the paused target')
  const pending = (await store.listDeliveries({ state: 'pending' }, { limit: 10 })).items
  t.equal(pending.length, 4)
  t.ok(pending.every((d) => d.attemptCount === 0), 'the attempts that never went out are not counted')

  await store.resumeTarget('app')
  worker.wake()
  await target.waitFor(4)
  await until(async () => (await store.countsByTarget()).app.in_flight === 4)
  await worker.stop(50)
  t.same((await store.countsByTarget()).app, { pending: 4, in_flight: 0, succeeded: 2, failed: 0, cancelled: 0 },
    'at shutdown the two in hand go back and the two cut short are due again: nothing waits for a lease to expire')
})

t.test('offer wakes the worker only for a target that could take the work', async (t) => {
  const target = await serve(t)
  const store = new SqliteStore({ path: join(t.testdir(), 'outbox.db'), durability: 'normal' })
  let passes = 0
  const runPass = store.runPass.bind(store)
  store.runPass = async (request) => { passes++; return await runPass(request) }
  const { worker, reports } = await setup(t, [testTarget('app', target.url), testTarget('other', target.url)], { store })
  await store.pauseTarget('app', null)
  worker.wake()
  await until(() => passes === 1 && worker.nextWakeAt === null)
  await store.insertEvents([makeEvent({ receivedAt: Date.now() })])
  for (let i = 0; i < 10; i++) worker.offer([{ target: 'app' }])
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(passes, 1, 'a paused target\'s new work wakes nothing')
  t.equal(target.received.length, 0)
  worker.offer([{ target: 'app' }, { target: 'other' }])
  await until(() => passes === 2)
  await store.resumeTarget('app')
  worker.wake()
  await until(() => reports.length === 1)
  t.equal(target.received.length, 1, 'resumed, the waiting delivery goes out')
})

t.test('outcomes of a pass that failed to commit go with the next one', async (t) => {
  const target = await serve(t)
  const store = new SqliteStore({ path: join(t.testdir(), 'outbox.db'), durability: 'normal' })
  const runPass = store.runPass.bind(store)
  let failed = 0
  store.runPass = async (request) => {
    if (request.records.length > 0 && failed === 0) {
      failed++
      throw new Error('database is locked')
    }
    return await runPass(request)
  }
  const { worker, reports } = await setup(t, [testTarget('app', target.url)], { store })
  const e = makeEvent({ receivedAt: Date.now() })
  await store.insertEvents([e])
  worker.wake()
  await until(() => reports.length === 1, 5000)
  t.equal(failed, 1, 'the first write of the outcome failed')
  t.match(await store.getAttempts(e.deliveries[0].id), [{ n: 1, status: 200, outcome: 'success' }], 'one attempt, no lease_expired row')
  t.equal(target.received.length, 1, 'sent once')
})
