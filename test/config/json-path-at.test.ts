import t from 'tap'
import { jsonPathsAt } from '../../src/config/json-path-at.js'

// One offset, scanned on its own.
const jsonPathAt = (text: string, offset: number): string => jsonPathsAt(text, [offset])[0]

t.test('the path of the value at a marker', async (t) => {
  // Each template holds one '@', the offset asked about.
  const rows: Array<[string, string]> = [
    ['{"a": "@"}', 'a'],
    ['{"a": {"b": "x", "c": "@"}}', 'a.c'],
    ['{"a": ["x", {"b": 1}, "@"]}', 'a[2]'],
    ['{"a": [[1], [2, "@"]]}', 'a[1][1]'],
    ['{"a": {"b": 1}, "c": "@"}', 'c'],
    ['{"a": "${X:-{[,}", "b": "@"}', 'b'],
    ['{"a": ${X}, "b": @}', 'b'],
    ['{"k\\"q": "@"}', '["k\\"q"]'],
    ['{"my app": {"url": "@"}}', '["my app"].url'],
    ['{"a": "x", "@": 1}', ''],
    ['"@"', ''],
    ['{"a": "broken', 'a']
  ]
  for (const [template, expected] of rows) {
    const offset = template.indexOf('@')
    t.equal(jsonPathAt(template, offset === -1 ? template.length : offset), expected, template)
  }
})

t.test('many offsets in one scan, in any order, give what each gives alone', async (t) => {
  const template = '{"a": "@", "b": {"c": [1, "@", {"d": @}], "e": "${X:-@}"}, "f": ${Y}, "g": ["@", "@"]}'
  const offsets: number[] = []
  for (let i = template.indexOf('@'); i !== -1; i = template.indexOf('@', i + 1)) offsets.push(i)
  const alone = offsets.map((o) => jsonPathAt(template, o))
  t.same(alone, ['a', 'b.c[1]', 'b.c[2].d', 'b.e', 'g[0]', 'g[1]'])
  const shuffled = [...offsets].reverse()
  t.same(jsonPathsAt(template, shuffled), [...alone].reverse())
  const every = Array.from({ length: template.length + 2 }, (_, i) => i)
  t.same(jsonPathsAt(template, every), every.map((o) => jsonPathAt(template, o)), 'every offset, past the end too')
  t.same(jsonPathsAt(template, []), [])
})
