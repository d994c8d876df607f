import t from 'tap'
import { idsBefore, newId } from '../src/ids.js'

t.test('ids are prefixed, time-ordered and unique', async (t) => {
  const a = newId('evt', 1_700_000_000_000)
  const b = newId('evt', 1_700_000_000_001)
  t.match(a, /^evt_[0-9a-hjkmnp-tv-z]{26}$/)
  t.ok(a < b, 'a later time sorts later')
  const many = new Set(Array.from({ length: 5000 }, () => newId('dlv', 1_700_000_000_000)))
  t.equal(many.size, 5000, 'no repeats across refills of the random pool')
})

t.test('idsBefore separates ids made before a time from those made at it or after', async (t) => {
  const at = 1_700_000_000_000
  const bound = idsBefore('evt', at)
  for (let i = 0; i < 200; i++) {
    t.ok(newId('evt', at - 1 - i * 997) < bound, 'earlier ids sort below')
    t.ok(newId('evt', at + i * 997) > bound, 'ids at or after the time sort above')
  }
})

t.test('idsBefore outside the time range: nothing before 0, everything before the end', async (t) => {
  const id = newId('evt', 1_700_000_000_000)
  for (const at of [0, -1, -1e15, Number.NaN]) t.ok(id > idsBefore('evt', at), `nothing is before ${at}`)
  for (const at of [2 ** 50, Number.MAX_SAFE_INTEGER, Infinity]) t.ok(id < idsBefore('evt', at), `everything is before ${at}`)
})
