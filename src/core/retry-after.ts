/**
 * Strict `Retry-After` parsing (RFC 9110 10.2.3 and 5.6.7). Date.parse is avoided on purpose:
 * it accepts almost anything, guesses time zones and differs between engines, and a value
 * it misreads would silently park deliveries for the wrong amount of time. Anything that is
 * not exactly one of the grammar's forms is ignored, and the caller falls back to backoff.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const
const SHORT_DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const

const MONTH_RE = MONTHS.join('|')
const TIME_RE = '(\\d{2}):(\\d{2}):(\\d{2})'

// HTTP-date is case-sensitive, so no `i` flag.
const IMF_FIXDATE = new RegExp(`^(${SHORT_DAYS.join('|')}), (\\d{2}) (${MONTH_RE}) (\\d{4}) ${TIME_RE} GMT$`)
const RFC850_DATE = new RegExp(`^(${LONG_DAYS.join('|')}), (\\d{2})-(${MONTH_RE})-(\\d{2}) ${TIME_RE} GMT$`)
const ASCTIME_DATE = new RegExp(`^(${SHORT_DAYS.join('|')}) (${MONTH_RE}) (\\d{2}| \\d) ${TIME_RE} (\\d{4})$`)
const DELAY_SECONDS = /^\d+$/
// OWS is spaces and tabs only; String.prototype.trim would also eat newlines and NBSP.
const OWS_EDGES = /^[ \t]+|[ \t]+$/g

/** Fields of a date as written, before any check that they name a real instant. */
interface DateParts {
  readonly weekday: number
  readonly day: number
  readonly month: number
  readonly year: number
  readonly hour: number
  readonly minute: number
  readonly second: number
}

function isLeapYear (year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

function daysInMonth (year: number, month: number): number {
  if (month === 1) return isLeapYear(year) ? 29 : 28
  return [3, 5, 8, 10].includes(month) ? 30 : 31
}

/** Date.UTC maps years 0-99 to 1900-1999, so the year is set separately. */
function utcMs (year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const d = new Date(Date.UTC(2000, 0, 1, hour, minute, second))
  d.setUTCFullYear(year, month, day)
  return d.getTime()
}

/**
 * Epoch ms of the parts, or null when they do not name a real instant. Second 60 is allowed
 * for leap seconds and lands on the next minute, as POSIX time has no leap seconds.
 * A weekday that disagrees with the date means the sender's clock or formatter is broken,
 * so the value is not trusted either.
 */
function toEpochMs (p: DateParts): number | null {
  if (p.hour > 23 || p.minute > 59 || p.second > 60) return null
  if (p.day < 1 || p.day > daysInMonth(p.year, p.month)) return null
  const ms = utcMs(p.year, p.month, p.day, p.hour, p.minute, p.second)
  const noon = new Date(utcMs(p.year, p.month, p.day, 12, 0, 0))
  if (noon.getUTCDay() !== p.weekday) return null
  return ms
}

function monthIndex (name: string): number {
  return (MONTHS as readonly string[]).indexOf(name)
}

/**
 * RFC 9110 5.6.7: a two-digit year that appears more than 50 years in the future means the
 * most recent past year with the same last two digits. Of the candidates in the previous,
 * current and next century, the latest one not more than 50 years after `now` is taken.
 */
function resolveTwoDigitYear (yy: number, parts: Omit<DateParts, 'year'>, now: number): number {
  const limit = new Date(now)
  limit.setUTCFullYear(limit.getUTCFullYear() + 50)
  const century = Math.floor(new Date(now).getUTCFullYear() / 100) * 100
  for (const year of [century + 100 + yy, century + yy]) {
    // Clamped so 29 Feb of a candidate that is not a leap year still compares sensibly.
    const day = Math.min(parts.day, daysInMonth(year, parts.month))
    if (utcMs(year, parts.month, day, parts.hour, parts.minute, parts.second) <= limit.getTime()) return year
  }
  // The previous century is always behind now, so never too far ahead.
  return century - 100 + yy
}

function parseHttpDate (value: string, now: number): number | null {
  let m = IMF_FIXDATE.exec(value)
  if (m !== null) {
    return toEpochMs({
      weekday: (SHORT_DAYS as readonly string[]).indexOf(m[1]),
      day: Number(m[2]),
      month: monthIndex(m[3]),
      year: Number(m[4]),
      hour: Number(m[5]),
      minute: Number(m[6]),
      second: Number(m[7])
    })
  }
  m = RFC850_DATE.exec(value)
  if (m !== null) {
    const parts = {
      weekday: (LONG_DAYS as readonly string[]).indexOf(m[1]),
      day: Number(m[2]),
      month: monthIndex(m[3]),
      hour: Number(m[5]),
      minute: Number(m[6]),
      second: Number(m[7])
    }
    return toEpochMs({ ...parts, year: resolveTwoDigitYear(Number(m[4]), parts, now) })
  }
  m = ASCTIME_DATE.exec(value)
  if (m !== null) {
    return toEpochMs({
      weekday: (SHORT_DAYS as readonly string[]).indexOf(m[1]),
      month: monthIndex(m[2]),
      day: Number(m[3].trim()),
      hour: Number(m[4]),
      minute: Number(m[5]),
      second: Number(m[6]),
      year: Number(m[7])
    })
  }
  return null
}

/**
 * Delay in ms until the time a Retry-After value names, or null when it must be ignored.
 * Huge delay-seconds values saturate at Number.MAX_SAFE_INTEGER instead of reaching Infinity;
 * the caller caps the result by the target's maxRetryAfterMs.
 */
export function parseRetryAfter (value: string | null | undefined, now: number): number | null {
  if (typeof value !== 'string') return null
  const v = value.replace(OWS_EDGES, '')
  if (v === '') return null

  if (DELAY_SECONDS.test(v)) {
    const ms = Number(v) * 1000
    return Number.isFinite(ms) && ms <= Number.MAX_SAFE_INTEGER ? ms : Number.MAX_SAFE_INTEGER
  }

  const at = parseHttpDate(v, now)
  if (at === null || at <= now) return null
  return at - now
}
