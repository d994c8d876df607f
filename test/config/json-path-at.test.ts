import t from 'tap'
import { jsonPathAt } from '../../src/config/json-path-at.js'

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
