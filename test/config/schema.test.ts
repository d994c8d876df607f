import t from 'tap'
import {
  arrayOf, boolean, INVALID, integer, map, number, object, oneOf, optional, record, refine, required,
  string, url, withDefault, type Checker, type Problems
} from '../../src/config/schema.js'

function run<T> (check: Checker<T>, value: unknown): { value: T | typeof INVALID, problems: Problems } {
  const problems: Problems = []
  return { value: check(value, 'x', problems), problems }
}

const bad = (message: string): { value: typeof INVALID, problems: Problems } => ({ value: INVALID, problems: [{ path: 'x', message }] })
const good = <T>(value: T): { value: T, problems: Problems } => ({ value, problems: [] })

t.test('primitive checkers', async (t) => {
  const rows: Array<[string, Checker<unknown>, unknown, unknown]> = [
    ['string', string(), 'a', good('a')],
    ['string, empty allowed', string(), '', good('')],
    ['string, non-empty', string({ nonEmpty: true }), '', bad('must not be empty')],
    ['string of an object', string(), {}, bad('expected a string, got an object')],
    ['boolean', boolean(), false, good(false)],
    ['boolean of null', boolean(), null, bad('expected true or false, got null')],
    ['integer', integer({ min: 0 }), 0, good(0)],
    ['integer, max only', integer({ max: 5 }), 6, bad('must be at most 5, got 6')],
    ['integer, unsafe', integer(), 1e300, bad('must be at most 9007199254740991, got 1e+300')],
    ['integer of a boolean', integer(), true, bad('expected an integer, got true')],
    ['number', number({ min: 1 }), 1.5, good(1.5)],
    ['number of a string', number(), '1', bad('expected a number, got a string')],
    ['number, max only', number({ max: 1 }), 2, bad('must be at most 1, got 2')],
    ['oneOf of a number', oneOf(['a', 'b']), 1, bad("must be one of 'a', 'b'; got 1")],
    ['oneOf, long value cut short', oneOf(['a']), 'y'.repeat(50), bad(`must be one of 'a'; got '${'y'.repeat(40)}'`)],
    ['url of a number', url({ protocols: ['http:'] }), 1, bad('expected a URL string, got 1')],
    ['url, empty not allowed', url({ protocols: ['http:'] }), '', bad('must be an absolute http: URL')],
    ['url, empty allowed', url({ protocols: ['http:'], allowEmpty: true }), '', good('')],
    ['url kept as written', url({ protocols: ['http:'] }), 'http://X.example', good('http://X.example')],
    ['arrayOf of an object', arrayOf(integer()), {}, bad('expected an array, got an object')],
    ['arrayOf, min length', arrayOf(integer(), { minLength: 2 }), [1], bad('must have at least 2 item(s)')],
    ['record of an array', record(() => undefined, integer()), [], bad('expected an object, got an array')]
  ]
  for (const [name, check, value, expected] of rows) t.same(run(check, value), expected, name)
})

t.test('object: defaults, omitted optionals, required keys, problems in every field', async (t) => {
  const check = object({ a: required(integer()), b: withDefault(string(), 'dflt'), c: optional(boolean()) })
  t.same(run(check, { a: 1 }), good({ a: 1, b: 'dflt' }))
  t.notOk('c' in (run(check, { a: 1 }).value as object), 'an absent optional key stays absent')
  t.same(run(check, { a: 1, b: 'x', c: true }), good({ a: 1, b: 'x', c: true }))
  t.same(run(check, { b: 1, c: 'no', d: 0 }).problems, [
    { path: 'x.d', message: 'unknown key' },
    { path: 'x.a', message: 'is required' },
    { path: 'x.b', message: 'expected a string, got 1' },
    { path: 'x.c', message: 'expected true or false, got a string' }
  ])
  t.same(run(check, JSON.parse('{"a": 1, "__proto__": 1}')).problems, [{ path: 'x.__proto__', message: 'unknown key' }])
})

t.test('record keeps odd keys as own data', async (t) => {
  const result = run(record(() => undefined, integer()), JSON.parse('{"__proto__": 1, "a": 2}'))
  t.same(result.problems, [])
  const value = result.value as Record<string, number>
  t.equal(Object.getPrototypeOf(value), Object.prototype)
  t.same(Object.keys(value), ['__proto__', 'a'])
})

t.test('refine runs only on valid values; map transforms them', async (t) => {
  let calls = 0
  const check = map(refine(integer(), (v, path, problems) => {
    calls++
    if (v % 2 === 1) problems.push({ path, message: 'must be even' })
  }), (v) => v / 2)
  t.same(run(check, 4), good(2))
  t.same(run(check, 3), bad('must be even'))
  t.same(run(check, 'x'), bad('expected an integer, got a string'))
  t.equal(calls, 2)
})
