import t from 'tap'
import type { LeasedDelivery } from '../../src/store/types.js'
import { Slots } from '../../src/worker/slots.js'

let seq = 0
function leased (target: string, n: number): LeasedDelivery[] {
  return Array.from({ length: n }, () => ({ id: `dlv_${seq++}`, target } as unknown as LeasedDelivery))
}
const none = () => false

t.test('plan leases a whole batch once a target no longer has enough in hand', async (t) => {
  const s = new Slots({ a: 4 }, 100)
  t.same(s.plan(new Map()), [{ name: 'a', limit: 8 }], 'empty: twice the concurrency')
  s.hold(leased('a', 8), 0)
  t.same(s.plan(new Map()), [], 'eight in hand for four slots: nothing')
  for (let i = 0; i < 4; i++) t.ok(s.take(none))
  t.equal(s.take(none), undefined, 'no fifth slot')
  t.same([s.running, s.queued], [4, 4])
  t.same(s.plan(new Map()), [], 'four running and four held still fill the slots twice')
  s.free('a')
  t.ok(s.take(none), 'a freed slot starts the next held one')
  s.free('a')
  s.free('a')
  t.ok(s.take(none))
  t.same([s.running, s.queued], [3, 2])
  t.same(s.plan(new Map()), [], 'five in hand for four slots: still enough')
  s.free('a')
  t.same(s.plan(new Map()), [{ name: 'a', limit: 4 }], 'four in hand for four slots: top up to eight')
})

t.test('blocked targets lease nothing, start nothing, and give their held deliveries back', async (t) => {
  const s = new Slots({ a: 2, b: 2 }, 100)
  s.hold([...leased('a', 3), ...leased('b', 3)], 0)
  const blocked = (name: string) => name === 'a'
  const started = [s.take(blocked), s.take(blocked), s.take(blocked)]
  t.same(started.map((d) => d?.target), ['b', 'b', undefined])
  t.same(s.plan(new Map([['a', Infinity]])), [], 'a is held, b has four in hand for two slots')
  const back = s.unhold(blocked)
  t.same(back.map((d) => d.target), ['a', 'a', 'a'])
  t.same([s.running, s.queued], [2, 1])
})

t.test('the global limit binds across targets, which take turns for freed slots', async (t) => {
  const s = new Slots({ a: 5, b: 5 }, 1)
  t.same(s.plan(new Map()), [{ name: 'a', limit: 2 }], 'never more than twice the global limit in hand')
  s.hold(leased('a', 3), 0)
  s.hold(leased('b', 3), 0)
  const order: string[] = []
  for (let i = 0; i < 6; i++) {
    const d = s.take(none)!
    t.equal(s.take(none), undefined, 'one slot in all')
    order.push(d.target)
    s.free(d.target)
  }
  t.same(order, ['a', 'b', 'a', 'b', 'a', 'b'], 'a freed slot goes to the other target in turn')
  t.same(s.plan(new Map()), [{ name: 'b', limit: 2 }], 'the turn to lease moves on too')
})

t.test('renew names the held deliveries whose lease is old enough, and restarts their clock', async (t) => {
  const s = new Slots({ a: 1, b: 1 }, 100)
  const old = leased('a', 2)
  const young = leased('b', 2)
  s.hold(old, 1000)
  s.hold(young, 5000)
  t.same(s.renew(999, 6000), [], 'nothing leased at or before 999')
  t.same(s.renew(1000, 6000), old.map((d) => d.id))
  t.same(s.renew(1000, 7000), [], 'renewed at 6000, so no longer old')
  s.take(none)
  t.same(s.renew(6000, 8000).sort(), [old[1].id, ...young.map((d) => d.id)].sort(), 'a started delivery is no longer held')
})
