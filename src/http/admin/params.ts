import { BadRequestError } from '../../errors.js'

const ID = /^(evt|dlv)_[0-9a-z]{26}$/

export function encodeCursor (id: string | null): string | null {
  return id === null ? null : Buffer.from(id).toString('base64url')
}

export function decodeCursor (cursor: string | undefined, prefix: 'evt' | 'dlv'): string | undefined {
  if (cursor === undefined) return undefined
  const id = Buffer.from(cursor, 'base64url').toString()
  if (!ID.test(id) || !id.startsWith(prefix)) throw new BadRequestError('cursor is not one this list gave out')
  return id
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * A time filter: an ISO 8601 date-time, epoch milliseconds, or a duration ago such as
 * "15m", "2h", "7d".
 */
export function parseTime (field: string, value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined
  const rel = /^(\d+)([smhd])$/.exec(value)
  if (rel !== null) return now - Number(rel[1]) * UNITS[rel[2]]
  if (/^\d+$/.test(value)) return Number(value)
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const t = Date.parse(value)
    if (!Number.isNaN(t)) return t
  }
  throw new BadRequestError(`${field} must be an ISO 8601 date-time, epoch milliseconds, or a duration ago like 15m, 2h, 7d`)
}

export function iso (t: number | null): string | null {
  return t === null ? null : new Date(t).toISOString()
}

/** Text when the bytes are valid UTF-8, base64 otherwise, so nothing is mangled in JSON. */
export function encodeBody (body: Buffer | null): { body: string | null, bodyEncoding: 'utf8' | 'base64' | null } {
  if (body === null) return { body: null, bodyEncoding: null }
  try {
    // ignoreBOM keeps a leading byte order mark: the text must be the exact bytes received.
    return { body: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body), bodyEncoding: 'utf8' }
  } catch {
    return { body: body.toString('base64'), bodyEncoding: 'base64' }
  }
}

export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  cursor: { type: 'string', maxLength: 200 }
} as const

export const timeFilters = {
  since: { type: 'string', maxLength: 64 },
  until: { type: 'string', maxLength: 64 }
} as const
