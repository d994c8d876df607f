import t from 'tap'
import { findJsonSyntaxError } from '../../src/config/json-syntax-error.js'

function parses (text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

t.test('valid JSON has no error, in agreement with JSON.parse', async (t) => {
  const rows = [
    '{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9\\"\\\\"]}\n', '"s"', '0', '{"a":{"b":{}}}'
  ]
  for (const text of rows) {
    t.ok(parses(text), `JSON.parse accepts ${text}`)
    t.equal(findJsonSyntaxError(text), undefined, text)
  }
})

t.test('the first error, with 1-based line and column', async (t) => {
  const rows: Array<[string, number, number, string]> = [
    ['', 1, 1, 'expected a value, found end of input'],
    ['{"a":}', 1, 6, "expected a value, found '}'"],
    ['{\n  "a": 1,\n}', 3, 1, 'expected a property name; trailing commas are not allowed in JSON'],
    ['[1, 2,]', 1, 7, 'expected a value; trailing commas are not allowed in JSON'],
    ['{a: 1}', 1, 2, "expected a property name in double quotes, found 'a'"],
    ["{'a': 1}", 1, 2, "expected a property name in double quotes, found '''"],
    ['{"a" 1}', 1, 6, "expected ':' after the property name, found '1'"],
    ['{"a": 1 "b": 2}', 1, 9, "expected ',' or '}', found '\"'"],
    ['[1 2]', 1, 4, "expected ',' or ']', found '2'"],
    ['{"a": "x\ny"}', 1, 9, 'control character (such as a raw line break or tab) in string; write it as \\n or \\t'],
    ['{"a": "\\x"}', 1, 8, 'invalid escape sequence in string'],
    ['{"a": "open', 1, 7, 'unterminated string'],
    ['{"a": 01}', 1, 8, "expected ',' or '}', found '1'"],
    ['{"a": -}', 1, 7, 'invalid number'],
    ['{"a": tru}', 1, 7, "expected a value, found 't'"],
    ['{} {}', 1, 4, "unexpected '{' after the end of the JSON value"],
    ['{"a": 1}\u00a0', 1, 9, 'unexpected character U+00a0 after the end of the JSON value'],
    ['// comment\n{}', 1, 1, "expected a value, found '/'"]
  ]
  for (const [text, line, column, message] of rows) {
    t.notOk(parses(text), `JSON.parse rejects ${JSON.stringify(text)}`)
    t.same(findJsonSyntaxError(text), { line, column, message }, JSON.stringify(text))
  }
})
