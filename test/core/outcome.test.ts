import t from 'tap'
import type { StatusMatcher } from '../../src/config/types.js'
import {
  classifyAttempt,
  classifyStatus,
  isNetworkErrorCode,
  matchesStatus,
  networkErrorCodes,
  type AttemptOutcome,
  type AttemptResult,
  type OutcomePolicy
} from '../../src/core/outcome.js'

const noOverrides: OutcomePolicy = { retryOn: [], noRetryOn: [] }

t.test('default policy, one row per line of the DESIGN outcome table', async (t) => {
  const rows: Array<[number, AttemptOutcome, string]> = [
    [200, 'success', '2xx'],
    [201, 'success', '2xx'],
    [202, 'success', '2xx'],
    [204, 'success', '2xx'],
    [299, 'success', 'unregistered 2xx'],
    [408, 'retry', 'request timeout'],
    [429, 'retry', 'too many requests'],
    [500, 'retry', '5xx'],
    [502, 'retry', '5xx'],
    [503, 'retry', '5xx'],
    [504, 'retry', '5xx'],
    [520, 'retry', 'Cloudflare unofficial 5xx'],
    [599, 'retry', 'unregistered 5xx'],
    [300, 'fail', 'redirects are not followed'],
    [301, 'fail', 'redirects are not followed'],
    [302, 'fail', 'redirects are not followed'],
    [304, 'fail', 'redirects are not followed'],
    [307, 'fail', 'redirects are not followed'],
    [308, 'fail', 'redirects are not followed'],
    [399, 'fail', 'unregistered 3xx'],
    [400, 'fail', 'other 4xx'],
    [401, 'fail', 'other 4xx'],
    [403, 'fail', 'other 4xx'],
    [404, 'fail', 'other 4xx'],
    [409, 'fail', 'other 4xx'],
    [410, 'fail', 'other 4xx'],
    [413, 'fail', 'other 4xx'],
    [422, 'fail', 'other 4xx'],
    [444, 'fail', 'nginx unofficial 4xx'],
    [499, 'fail', 'nginx unofficial 4xx'],
    [100, 'fail', 'a final 1xx is a protocol violation'],
    [101, 'fail', 'a final 1xx is a protocol violation'],
    [103, 'fail', 'a final 1xx is a protocol violation'],
    [199, 'fail', 'a final 1xx is a protocol violation'],
    [0, 'fail', 'outside 100-599'],
    [99, 'fail', 'outside 100-599'],
    [600, 'fail', 'outside 100-599'],
    [999, 'fail', 'outside 100-599'],
    [-500, 'fail', 'outside 100-599'],
    [500.5, 'fail', 'not an integer'],
    [Number.NaN, 'fail', 'not a number']
  ]
  for (const [status, want, why] of rows) {
    t.equal(classifyStatus(status, noOverrides), want, `${status} -> ${want} (${why})`)
  }
})

t.test('retryOn / noRetryOn overrides and their precedence', async (t) => {
  const rows: Array<[number, StatusMatcher[], StatusMatcher[], AttemptOutcome, string]> = [
    // status, retryOn, noRetryOn, expected, why
    [409, [409], [], 'retry', 'exact retryOn turns a 4xx into retry'],
    [404, ['4xx'], [], 'retry', 'class retryOn turns a 4xx into retry'],
    [302, [302], [], 'retry', 'exact retryOn turns a 3xx into retry'],
    [301, ['3xx'], [], 'retry', 'class retryOn turns a 3xx into retry'],
    [101, ['1xx'], [], 'retry', 'class retryOn applies to 1xx too'],
    [410, [409], [], 'fail', 'retryOn for another code does not apply'],
    [503, [], [503], 'fail', 'exact noRetryOn turns a 5xx into fail'],
    [502, [], ['5xx'], 'fail', 'class noRetryOn turns a 5xx into fail'],
    [429, [], [429], 'fail', 'noRetryOn applies to 429'],
    [408, [], ['4xx'], 'fail', 'class noRetryOn applies to 408'],
    [500, [], [503], 'retry', 'noRetryOn for another code does not apply'],
    [503, ['5xx'], [503], 'fail', 'exact noRetryOn beats class retryOn'],
    [501, [501], ['5xx'], 'retry', 'exact retryOn beats class noRetryOn'],
    [502, [501], ['5xx'], 'fail', 'class noRetryOn still covers the rest of the class'],
    [409, [409], [409], 'fail', 'equal specificity (exact): noRetryOn wins'],
    [404, ['4xx'], ['4xx'], 'fail', 'equal specificity (class): noRetryOn wins'],
    [404, [409, '4xx'], [404], 'fail', 'exact noRetryOn beats class retryOn in a mixed list'],
    [409, [409], ['4xx'], 'retry', 'exact retryOn beats class noRetryOn in 4xx'],
    [200, [], ['2xx'], 'success', '2xx is always success even in noRetryOn'],
    [204, [], [204], 'success', '2xx is always success even in exact noRetryOn'],
    [201, [201], [], 'success', '2xx in retryOn is still success'],
    [600, [600], [], 'fail', 'outside 100-599 ignores overrides'],
    [600, ['5xx'], [], 'fail', 'class pattern never matches outside its class']
  ]
  for (const [status, retryOn, noRetryOn, want, why] of rows) {
    t.equal(classifyStatus(status, { retryOn, noRetryOn }), want, `${status} retryOn=${JSON.stringify(retryOn)} noRetryOn=${JSON.stringify(noRetryOn)}: ${why}`)
  }
})

t.test('matchesStatus', async (t) => {
  const rows: Array<[number, StatusMatcher[], boolean]> = [
    [409, [409], true],
    [409, [408, 410], false],
    [409, ['4xx'], true],
    [500, ['4xx'], false],
    [599, ['5xx'], true],
    [500, ['5xx'], true],
    [499, ['5xx'], false],
    [600, ['5xx'], false],
    [100, ['1xx'], true],
    [302, ['2xx', '4xx'], false],
    [302, ['2xx', '3xx'], true],
    [404, [], false],
    [450.5, ['4xx'], false]
  ]
  for (const [status, matchers, want] of rows) {
    t.equal(matchesStatus(status, matchers), want, `${status} in ${JSON.stringify(matchers)} -> ${String(want)}`)
  }
})

t.test('classifyAttempt: every network error is retried, statuses go through the policy', async (t) => {
  for (const error of networkErrorCodes) {
    t.equal(classifyAttempt({ error }, noOverrides), 'retry', `${error} -> retry`)
    t.equal(classifyAttempt({ error, message: 'x' }, { retryOn: [], noRetryOn: ['5xx', '4xx'] }), 'retry', `${error} -> retry whatever noRetryOn says`)
  }
  const rows: Array<[AttemptResult, OutcomePolicy, AttemptOutcome]> = [
    [{ status: 200 }, noOverrides, 'success'],
    [{ status: 503, retryAfter: '10' }, noOverrides, 'retry'],
    [{ status: 404, retryAfter: null }, noOverrides, 'fail'],
    [{ status: 404 }, { retryOn: [404], noRetryOn: [] }, 'retry'],
    [{ status: 503 }, { retryOn: [], noRetryOn: [503] }, 'fail']
  ]
  for (const [result, policy, want] of rows) {
    t.equal(classifyAttempt(result, policy), want, `${JSON.stringify(result)} ${JSON.stringify(policy)} -> ${want}`)
  }
})

t.test('isNetworkErrorCode', async (t) => {
  t.equal(networkErrorCodes.length, 9)
  for (const code of networkErrorCodes) t.ok(isNetworkErrorCode(code), code)
  for (const v of ['ECONNREFUSED', '', 'Timeout', 42, null, undefined]) {
    t.notOk(isNetworkErrorCode(v), String(v))
  }
})
