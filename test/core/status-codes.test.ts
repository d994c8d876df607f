import t from 'tap'
import { isRetryableStatus } from '../../src/core/default-policy.js'
import {
  STATUS_CLASSES, isStatusClass, listStatuses, lookupStatus, statusSummary
} from '../../src/core/status-codes/index.js'
import type { StatusClass } from '../../src/core/status-codes/index.js'

function range (from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i)
}

const IANA = [
  ...range(100, 104), ...range(200, 208), 226, ...range(300, 308), ...range(400, 418),
  ...range(421, 426), 428, 429, 431, 451, ...range(500, 508), 510, 511
]
const VENDOR: ReadonlyArray<readonly [number, string]> = [
  [444, 'nginx'], [494, 'nginx'], [495, 'nginx'], [496, 'nginx'], [497, 'nginx'], [499, 'nginx'],
  ...range(520, 526).map((code) => [code, 'Cloudflare'] as const), [530, 'Cloudflare'],
  [460, 'AWS Elastic Load Balancing'], [463, 'AWS Elastic Load Balancing'],
  [561, 'AWS Elastic Load Balancing'], [509, 'Apache / cPanel'],
  [598, 'Some HTTP proxies'], [599, 'Some HTTP proxies']
]

t.test('representative codes', async (t) => {
  const cases: ReadonlyArray<readonly [number, string, StatusClass, boolean, boolean]> = [
    // code, name, class, retryable, registered
    [100, 'Continue', '1xx', false, true],
    [104, 'Upload Resumption Supported', '1xx', false, true],
    [200, 'OK', '2xx', false, true],
    [226, 'IM Used', '2xx', false, true],
    [301, 'Moved Permanently', '3xx', false, true],
    [306, '(Unused)', '3xx', false, true],
    [308, 'Permanent Redirect', '3xx', false, true],
    [401, 'Unauthorized', '4xx', false, true],
    [404, 'Not Found', '4xx', false, true],
    [408, 'Request Timeout', '4xx', true, true],
    [413, 'Content Too Large', '4xx', false, true],
    [418, "I'm a teapot (Unused)", '4xx', false, true],
    [422, 'Unprocessable Content', '4xx', false, true],
    [429, 'Too Many Requests', '4xx', true, true],
    [444, 'No Response', '4xx', false, false],
    [499, 'Client Closed Request', '4xx', false, false],
    [500, 'Internal Server Error', '5xx', true, true],
    [503, 'Service Unavailable', '5xx', true, true],
    [509, 'Bandwidth Limit Exceeded', '5xx', true, false],
    [511, 'Network Authentication Required', '5xx', true, true],
    [522, 'Connection Timed Out', '5xx', true, false],
    [561, 'Unauthorized (Identity Provider)', '5xx', true, false]
  ]
  for (const [code, name, cls, retryable, registered] of cases) {
    const info = lookupStatus(code)
    t.match(info, { code, name, class: cls, retryable, registered }, `${code}`)
  }
})

t.test('references cite the defining document', async (t) => {
  const cases: ReadonlyArray<readonly [number, string]> = [
    [102, 'RFC 2518'], [103, 'RFC 8297'], [207, 'RFC 4918'], [208, 'RFC 5842'], [226, 'RFC 3229'],
    [404, 'RFC 9110, Section 15.5.5'], [413, 'RFC 9110, Section 15.5.14'], [425, 'RFC 8470'],
    [429, 'RFC 6585'], [451, 'RFC 7725'], [508, 'RFC 5842'], [510, 'RFC 2774'], [511, 'RFC 6585'],
    [520, 'cloudflare.com'], [460, 'docs.aws.amazon.com'], [499, 'nginx']
  ]
  for (const [code, needle] of cases) {
    t.ok(lookupStatus(code)?.reference.includes(needle), `${code} cites ${needle}`)
  }
})

t.test('every required IANA code is catalogued as registered', async (t) => {
  for (const code of IANA) {
    const info = lookupStatus(code)
    t.equal(info?.registered, true, `${code} registered`)
    t.equal(info?.vendor, undefined, `${code} has no vendor`)
    t.notOk(info?.name.startsWith('Unassigned'), `${code} is not a fallback`)
  }
})

t.test('every required vendor code is catalogued with its vendor', async (t) => {
  for (const [code, vendor] of VENDOR) {
    t.match(lookupStatus(code), { registered: false, vendor }, `${code}`)
  }
})

t.test('the catalog is exactly the required codes, once each, sorted', async (t) => {
  const codes = listStatuses().map((info) => info.code)
  const expected = [...IANA, ...VENDOR.map(([code]) => code)].sort((a, b) => a - b)
  t.same(codes, expected)
})

t.test('every entry is complete and written to the policy', async (t) => {
  for (const info of listStatuses()) {
    t.ok(info.name.length > 0, `${info.code} name`)
    t.ok(info.meaning.length > 0, `${info.code} meaning`)
    t.ok(info.whenToRetry.length > 0, `${info.code} whenToRetry`)
    t.ok(info.commonCauses.length >= 1, `${info.code} commonCauses`)
    t.ok(info.commonCauses.every((cause) => cause.length > 0), `${info.code} causes non-empty`)
    t.ok(info.reference.length > 0, `${info.code} reference`)
    t.equal(info.vendor === undefined, info.registered, `${info.code} vendor iff unregistered`)
  }
  for (const info of listStatuses({ class: '3xx' })) {
    t.match(info.whenToRetry, /permanent failure/, `${info.code} says 3xx is permanent`)
  }
  for (const info of listStatuses({ class: '1xx' })) {
    t.match(info.whenToRetry, /never a final answer/, `${info.code} says 1xx is never final`)
  }
})

t.test('retryable and whenToRetry agree with isRetryableStatus for 100..599', async (t) => {
  for (const code of range(100, 599)) {
    const info = lookupStatus(code)
    t.equal(info?.retryable, isRetryableStatus(code), `${code} retryable`)
    // The prose must not promise the opposite of what the policy does.
    t.match(info?.whenToRetry, isRetryableStatus(code) ? /^Retried/ : /^Not retried/, `${code} prose`)
  }
})

t.test('unknown codes in range fall back to their class', async (t) => {
  const cases: ReadonlyArray<readonly [number, StatusClass, string, boolean]> = [
    [199, '1xx', 'Unassigned 1xx (Informational)', false],
    [299, '2xx', 'Unassigned 2xx (Successful)', false],
    [399, '3xx', 'Unassigned 3xx (Redirection)', false],
    [477, '4xx', 'Unassigned 4xx (Client Error)', false],
    [555, '5xx', 'Unassigned 5xx (Server Error)', true]
  ]
  for (const [code, cls, name, retryable] of cases) {
    const info = lookupStatus(code)
    t.match(info, { code, class: cls, name, retryable, registered: false }, `${code}`)
    t.notOk(info !== undefined && 'vendor' in info, `${code} has no vendor key`)
    t.ok(info?.commonCauses.length, `${code} has causes`)
    t.ok(Object.isFrozen(info), `${code} fallback frozen`)
  }
  t.notOk(listStatuses().some((info) => info.code === 477), 'fallbacks are not listed')
})

t.test('out-of-range and non-integer codes give undefined', async (t) => {
  for (const code of [99, 600, 1.5, 200.5, NaN, Infinity, -200, 0]) {
    t.equal(lookupStatus(code), undefined, `${code}`)
    t.equal(statusSummary(code), undefined, `${code} summary`)
  }
})

t.test('filters', async (t) => {
  const all = listStatuses()
  t.same(listStatuses({}), all)
  for (const cls of STATUS_CLASSES) {
    const some = listStatuses({ class: cls })
    t.ok(some.length > 0, `${cls} non-empty`)
    t.ok(some.every((info) => info.class === cls), `${cls} only`)
  }
  t.same(listStatuses({ class: '1xx' }).map((info) => info.code), [100, 101, 102, 103, 104])
  const retryable = listStatuses({ retryable: true })
  t.same(retryable, all.filter((info) => isRetryableStatus(info.code)))
  t.same(listStatuses({ retryable: false }), all.filter((info) => !isRetryableStatus(info.code)))
  t.same(listStatuses({ class: '4xx', retryable: true }).map((info) => info.code), [408, 429])
  t.same(listStatuses({ class: '2xx', retryable: true }), [])
  t.ok(listStatuses({ class: '5xx' }).every((info) => info.retryable), 'every 5xx retryable')
})

t.test('entries are frozen and the list is a copy', async (t) => {
  const info = lookupStatus(404)
  t.ok(Object.isFrozen(info))
  t.ok(Object.isFrozen(info?.commonCauses))
  t.equal(lookupStatus(404), info, 'the same entry each time')
  t.throws(() => { (info as { name: string }).name = 'changed' })
  t.throws(() => { (info?.commonCauses as string[]).push('changed') })
  const list = listStatuses()
  list.pop()
  t.equal(listStatuses().length, list.length + 1, 'mutating a result does not touch the catalog')
})

t.test('statusSummary is the short form of the entry', async (t) => {
  t.same(statusSummary(503), {
    name: 'Service Unavailable', retryable: true, meaning: lookupStatus(503)?.meaning
  })
  t.same(Object.keys(statusSummary(477) ?? {}).sort(), ['meaning', 'name', 'retryable'])
  t.match(statusSummary(477), { name: 'Unassigned 4xx (Client Error)', retryable: false })
})

t.test('isStatusClass', async (t) => {
  for (const cls of STATUS_CLASSES) t.ok(isStatusClass(cls), cls)
  for (const bad of ['6xx', '4XX', '4', '', '400']) t.notOk(isStatusClass(bad), JSON.stringify(bad))
})
