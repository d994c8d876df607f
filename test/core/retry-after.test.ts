import t from 'tap'
import { parseRetryAfter } from '../../src/core/retry-after.js'

const SECOND = 1000
const DAY = 86_400_000
const MAX = Number.MAX_SAFE_INTEGER

type Row = [value: string | null | undefined, want: number | null, why: string]

/** The one assertion the row runner needs, so it does not depend on tap's plugin-built types. */
interface Equal { equal: (found: unknown, wanted: unknown, message: string) => boolean }

function runRows (t: Equal, now: number, rows: Row[]): void {
  for (const [value, want, why] of rows) {
    t.equal(parseRetryAfter(value, now), want, `${JSON.stringify(value)} -> ${String(want)}: ${why}`)
  }
}

t.test('delay-seconds', async (t) => {
  const now = Date.UTC(2026, 0, 15, 12, 0, 0)
  runRows(t, now, [
    ['0', 0, 'zero means now'],
    ['1', SECOND, 'one second'],
    ['120', 120 * SECOND, 'plain'],
    ['007', 7 * SECOND, 'leading zeros are still 1*DIGIT'],
    [' 120 ', 120 * SECOND, 'OWS around is trimmed'],
    ['\t5\t', 5 * SECOND, 'tabs are OWS'],
    ['9007199254740', 9_007_199_254_740_000, 'largest exact value below the saturation point'],
    ['9007199254741', MAX, 'just past MAX_SAFE_INTEGER ms saturates'],
    ['99999999999999999999', MAX, 'huge saturates instead of losing precision'],
    ['9'.repeat(400), MAX, 'longer than a double saturates instead of Infinity'],
    ['+5', null, 'sign is not a DIGIT'],
    ['-5', null, 'negative'],
    ['1.5', null, 'decimal'],
    ['1e3', null, 'exponent'],
    ['1 0', null, 'space inside'],
    ['0x10', null, 'hex'],
    ['Infinity', null, 'not digits'],
    ['NaN', null, 'not digits'],
    ['\uFF15', null, 'fullwidth digit is not DIGIT'],
    ['120\n', null, 'newline is not OWS'],
    ['\u00A0120', null, 'NBSP is not OWS'],
    ['120, 60', null, 'a repeated header joined by a comma is ambiguous'],
    ['120s', null, 'unit suffix'],
    ['', null, 'empty'],
    ['   ', null, 'only OWS'],
    [null, null, 'absent (null)'],
    [undefined, null, 'absent (undefined)']
  ])
})

t.test('HTTP-date: the three RFC 9110 forms and strict validation', async (t) => {
  const now = Date.UTC(1994, 10, 6, 8, 49, 0) // Sun, 06 Nov 1994 08:49:00 GMT
  runRows(t, now, [
    ['Sun, 06 Nov 1994 08:49:37 GMT', 37 * SECOND, 'IMF-fixdate'],
    ['Sunday, 06-Nov-94 08:49:37 GMT', 37 * SECOND, 'obsolete RFC 850'],
    ['Sun Nov  6 08:49:37 1994', 37 * SECOND, 'asctime, SP DIGIT day'],
    ['Sun Nov 06 08:49:37 1994', 37 * SECOND, 'asctime, 2DIGIT day'],
    [' \tSun, 06 Nov 1994 08:49:37 GMT\t ', 37 * SECOND, 'OWS around a date is trimmed'],
    ['Mon, 07 Nov 1994 08:49:00 GMT', DAY, 'next day'],
    ['Sun, 06 Nov 1994 08:49:60 GMT', 60 * SECOND, 'leap second lands on the next minute'],
    ['Sun, 06 Nov 1994 08:49:00 GMT', null, 'equal to now falls back to backoff'],
    ['Sun, 06 Nov 1994 08:48:59 GMT', null, 'past falls back to backoff'],
    ['Sun, 06 Nov 1994 00:00:00 GMT', null, 'earlier today'],
    // case and zone
    ['sun, 06 nov 1994 08:49:37 gmt', null, 'HTTP-date is case-sensitive'],
    ['SUN, 06 NOV 1994 08:49:37 GMT', null, 'upper case'],
    ['Sun, 06 Nov 1994 08:49:37 UTC', null, 'UTC is not GMT'],
    ['Sun, 06 Nov 1994 08:49:37 +0000', null, 'numeric zone'],
    ['Sun, 06 Nov 1994 08:49:37', null, 'IMF-fixdate without GMT'],
    ['Sunday, 06-Nov-94 08:49:37', null, 'RFC 850 without GMT'],
    ['Sun Nov  6 08:49:37 1994 GMT', null, 'asctime has no zone'],
    ['1994-11-06T08:49:37Z', null, 'ISO 8601 is not an HTTP-date'],
    ['784111777', 784_111_777 * SECOND, 'epoch seconds read as delay-seconds, as the grammar says'],
    // day names
    ['Mon, 06 Nov 1994 08:49:37 GMT', null, 'weekday disagrees with the date'],
    ['Sunday, 06 Nov 1994 08:49:37 GMT', null, 'long day name in IMF-fixdate'],
    ['Sun, 06-Nov-94 08:49:37 GMT', null, 'short day name in RFC 850'],
    ['Sunday Nov  6 08:49:37 1994', null, 'long day name in asctime'],
    ['Xyz, 06 Nov 1994 08:49:37 GMT', null, 'unknown day name'],
    ['06 Nov 1994 08:49:37 GMT', null, 'missing day name'],
    // months and layout
    ['Sun, 06 Nok 1994 08:49:37 GMT', null, 'unknown month'],
    ['Sun, 06 November 1994 08:49:37 GMT', null, 'long month name'],
    ['Sun, 6 Nov 1994 08:49:37 GMT', null, 'IMF-fixdate day needs 2 digits'],
    ['Sun,  06 Nov 1994 08:49:37 GMT', null, 'double space'],
    ['Sun, 06 Nov 94 08:49:37 GMT', null, 'two-digit year in IMF-fixdate'],
    ['Sun, 06 Nov 01994 08:49:37 GMT', null, 'five-digit year'],
    ['Sun, 06 Nov 1994 8:49:37 GMT', null, 'one-digit hour'],
    ['Sun, 06 Nov 1994 08:49 GMT', null, 'no seconds'],
    ['Sun Nov 6 08:49:37 1994', null, 'asctime day needs SP DIGIT or 2DIGIT'],
    ['Sun, 06 Nov 1994 08:49:37 GMT garbage', null, 'trailing garbage'],
    ['Sun, 06 Nov 1994 08:49:37 GMT, 120', null, 'two values'],
    ['garbage', null, 'garbage'],
    // ranges
    ['Sun, 06 Nov 1994 24:00:00 GMT', null, 'hour 24'],
    ['Sun, 06 Nov 1994 08:60:00 GMT', null, 'minute 60'],
    ['Sun, 06 Nov 1994 08:49:61 GMT', null, 'second 61'],
    ['Sun, 00 Nov 1994 08:49:37 GMT', null, 'day 0'],
    ['Thu, 31 Nov 1994 08:49:37 GMT', null, 'November has 30 days (1 Dec is a Thursday)'],
    ['Wed, 31 Feb 1995 00:00:00 GMT', null, '31 Feb'],
    ['Fri, 31 Feb 1995 00:00:00 GMT', null, '31 Feb even with the weekday of the 3 Mar it would roll to'],
    ['Sat, 31 Jun 1995 00:00:00 GMT', null, '31 Jun even with the weekday of 1 Jul'],
    ['Sat, 32 Jan 1995 00:00:00 GMT', null, 'day 32'],
    // leap years
    ['Thu, 29 Feb 1996 00:00:00 GMT', Date.UTC(1996, 1, 29) - now, '1996 is a leap year'],
    ['Wed, 29 Feb 1995 00:00:00 GMT', null, '1995 is not a leap year'],
    ['Tue, 29 Feb 2000 00:00:00 GMT', Date.UTC(2000, 1, 29) - now, '2000 is a leap year (divisible by 400)'],
    ['Mon, 29 Feb 2100 00:00:00 GMT', null, '2100 is not a leap year (divisible by 100)'],
    ['Thu Feb 29 00:00:00 1996', Date.UTC(1996, 1, 29) - now, 'leap day in asctime'],
    ['Wed Feb 29 00:00:00 1995', null, 'no leap day in asctime either'],
    ['Thursday, 29-Feb-96 00:00:00 GMT', Date.UTC(1996, 1, 29) - now, 'leap day in RFC 850']
  ])
})

t.test('RFC 850 two-digit years: more than 50 years ahead means the past century', async (t) => {
  const now = Date.UTC(2026, 0, 15, 12, 0, 0) // 50 years later is 2076-01-15T12:00Z
  runRows(t, now, [
    ['Friday, 16-Jan-26 00:00:00 GMT', 12 * 3_600_000, 'same century, tomorrow'],
    ['Friday, 01-Jan-27 00:00:00 GMT', Date.UTC(2027, 0, 1) - now, 'next year'],
    ['Wednesday, 01-Jan-76 00:00:00 GMT', Date.UTC(2076, 0, 1) - now, 'under 50 years ahead stays in this century'],
    ['Saturday, 01-Feb-76 00:00:00 GMT', null, 'over 50 years ahead: not 2076 (a Saturday) ...'],
    ['Sunday, 01-Feb-76 00:00:00 GMT', null, '... but 1976 (a Sunday), which is past'],
    ['Sunday, 01-Jun-25 00:00:00 GMT', null, 'last year is past'],
    ['Thursday, 15-Jan-26 12:00:00 GMT', null, 'equal to now']
  ])
  const late = Date.UTC(2099, 5, 1) // 50 years later is 2149-06-01
  runRows(t, late, [
    ['Friday, 01-Jan-00 00:00:00 GMT', Date.UTC(2100, 0, 1) - late, 'near the century end, 00 is the coming 2100'],
    ['Wednesday, 01-Jan-49 00:00:00 GMT', Date.UTC(2149, 0, 1) - late, '2149 is not more than 50 years ahead'],
    ['Thursday, 01-Jan-50 00:00:00 GMT', null, '2150 is more than 50 years ahead ...'],
    ['Saturday, 01-Jan-50 00:00:00 GMT', null, '... so it is 2050, which is past']
  ])
})

t.test('a future date far ahead is returned as is; the caller caps it', async (t) => {
  const now = Date.UTC(2026, 0, 15, 12, 0, 0)
  t.equal(parseRetryAfter('Fri, 31 Dec 9999 23:59:59 GMT', now), Date.UTC(9999, 11, 31, 23, 59, 59) - now)
  t.equal(parseRetryAfter('Mon, 01 Jan 0001 00:00:00 GMT', now), null, 'year 1 is past, not 1901')
})
