import t from 'tap'
import { closestMatch, editDistance } from '../../src/config/suggest.js'

t.test('edit distance', async (t) => {
  const rows: Array<[string, string, number]> = [
    ['', '', 0], ['abc', '', 3], ['', 'abc', 3], ['host', 'host', 0], ['hots', 'host', 1],
    ['timeout', 'timeoutMs', 2], ['Port', 'port', 0], ['kitten', 'sitting', 3]
  ]
  for (const [a, b, distance] of rows) {
    t.equal(editDistance(a, b), distance, `${a} -> ${b}`)
    t.equal(editDistance(b, a), distance, `${b} -> ${a}`)
  }
})

t.test('closest match only when plausibly a typo', async (t) => {
  const keys = ['url', 'timeoutMs', 'connectTimeoutMs', 'concurrency', 'headers', 'retry']
  const rows: Array<[string, string | undefined]> = [
    ['timeout', 'timeoutMs'], ['connectTimeout', 'connectTimeoutMs'], ['URL', 'url'], ['uri', 'url'],
    ['retyr', 'retry'], ['color', undefined], ['x', undefined], ['Url', 'url'], ['headersAndMore', undefined]
  ]
  for (const [word, expected] of rows) t.equal(closestMatch(word, keys), expected, word)
  t.equal(closestMatch('a', []), undefined)
  t.equal(closestMatch('d', ['a', 'b']), undefined, 'one letter is too short to guess from')
})
