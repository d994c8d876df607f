import {
  type HeaderMap, type VerifyResult,
  MAX_HEADER_LENGTH, OK, anyMatch, checkTimestamp, decodeSignature, fail, hmac, parseUnixSeconds,
  readHeader
} from './shared.js'

/** Svix, the origin of the spec, still sends its own prefix; both sets are accepted. */
export const STANDARD_WEBHOOKS_HEADERS = [
  'webhook-id', 'webhook-timestamp', 'webhook-signature',
  'svix-id', 'svix-timestamp', 'svix-signature'
] as const

const SECRET_PREFIX = 'whsec_'

/** `whsec_<base64>` or bare base64; anything undecodable or empty yields no key. */
function decodeSecret (secret: string): Buffer | null {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret
  const key = decodeSignature(encoded, 'base64')
  return key === null || key.length === 0 ? null : key
}

function pickHeaderSet (headers: HeaderMap): 'webhook' | 'svix' {
  const branded = ['webhook-id', 'webhook-timestamp', 'webhook-signature'].some(name => readHeader(headers, name) !== undefined)
  return branded ? 'webhook' : 'svix'
}

/**
 * Signed content is `${id}.${timestamp}.${body}`; the signature header holds space-separated
 * `v1,<base64>` entries, one per active secret, and other versions (v1a is asymmetric) are
 * skipped rather than failed.
 */
export function verifyStandardWebhooks (secrets: readonly string[], toleranceMs: number, headers: HeaderMap, body: Buffer, now: number): VerifyResult {
  const keys: Buffer[] = []
  for (const secret of secrets) {
    const key = decodeSecret(secret)
    if (key !== null) keys.push(key)
  }
  if (keys.length === 0) return fail('no usable whsec_ secret is configured to check webhook-signature')

  const set = pickHeaderSet(headers)
  const names = { id: `${set}-id`, timestamp: `${set}-timestamp`, signature: `${set}-signature` }
  const missing = Object.values(names).filter(name => (readHeader(headers, name) ?? '') === '')
  if (missing.length > 0) return fail(`missing ${missing.join(', ')} header${missing.length > 1 ? 's' : ''}`)
  const tooLong = Object.values(names).find(name => (readHeader(headers, name) ?? '').length > MAX_HEADER_LENGTH)
  if (tooLong !== undefined) return fail(`${tooLong} header is too long`)
  const id = readHeader(headers, names.id) ?? ''
  const timestamp = readHeader(headers, names.timestamp) ?? ''
  const signature = readHeader(headers, names.signature) ?? ''

  const seconds = parseUnixSeconds(timestamp)
  if (seconds === null) return fail(`${names.timestamp} header is not a Unix timestamp in seconds`)
  const fresh = checkTimestamp(`${names.timestamp} header`, seconds, now, toleranceMs)
  if (!fresh.ok) return fresh

  let versioned = 0
  const candidates: Buffer[] = []
  for (const entry of signature.split(' ')) {
    const comma = entry.indexOf(',')
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue
    versioned++
    const decoded = decodeSignature(entry.slice(comma + 1), 'base64')
    if (decoded !== null) candidates.push(decoded)
  }
  if (versioned === 0) return fail(`${names.signature} header has no v1 signature`)
  if (candidates.length === 0) return fail(`${names.signature} header has no well-formed v1 signature`)

  const prefix = `${id}.${timestamp}.`
  const expected = keys.map(key => hmac('sha256', key, [prefix, body]))
  if (!anyMatch(expected, candidates)) return fail(`no v1 signature in ${names.signature} matches the body with any configured secret`)
  return OK
}
