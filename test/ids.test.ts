import t from 'tap'
import { newId } from '../src/ids.js'

t.test('ids are prefixed, time-ordered and unique', async (t) => {
  const a = newId('evt', 1_700_000_000_000)
  const b = newId('evt', 1_700_000_000_001)
  t.match(a, /^evt_[0-9a-hjkmnp-tv-z]{26}$/)
  t.ok(a < b, 'a later time sorts later')
  const many = new Set(Array.from({ length: 5000 }, () => newId('dlv', 1_700_000_000_000)))
  t.equal(many.size, 5000, 'no repeats across refills of the random pool')
})
