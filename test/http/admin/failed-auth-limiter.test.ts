import t from 'tap'
import { FailedAuthLimiter } from '../../../src/http/admin/failed-auth-limiter.js'

t.test('blocks after max failures within a minute, then lets go', async (t) => {
  let now = 1_000_000
  const limiter = new FailedAuthLimiter(3, () => now)
  const rows: Array<[string, () => void, number]> = [
    ['fresh address', () => {}, 0],
    ['one failure', () => limiter.recordFailure('a'), 0],
    ['two failures', () => { now += 10_000; limiter.recordFailure('a') }, 0],
    ['three failures: blocked until the first expires', () => { now += 10_000; limiter.recordFailure('a') }, 40],
    ['a second later', () => { now += 1000 }, 39],
    ['the first failure left the window', () => { now += 39_001 }, 0]
  ]
  for (const [name, act, want] of rows) {
    act()
    t.equal(limiter.blockedFor('a'), want, name)
  }
  t.equal(limiter.blockedFor('b'), 0, 'addresses are counted apart')
})
