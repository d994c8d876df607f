import t from 'tap'
import { isWithinAny } from '../../src/config/problem.js'

t.test('a path is within a set of ancestors when one of them is the path or contains it', async (t) => {
  const ancestors = new Set(['sources.shop.verify', 'targets["my app"]', 'alerts.channels[2]'])
  const rows: Array<[string, boolean]> = [
    ['sources.shop.verify', true],
    ['sources.shop.verify.secrets[0]', true],
    ['sources.shop.verifyX', false],
    ['sources.shop', false],
    ['targets["my app"].url', true],
    ['targets["my app"]', true],
    ['targets["my"]', false],
    ['alerts.channels[2].url', true],
    ['alerts.channels[20]', false],
    ['', false]
  ]
  for (const [path, expected] of rows) t.equal(isWithinAny(path, ancestors), expected, path)
  t.equal(isWithinAny('a.b', new Set()), false, 'no ancestors')
})
