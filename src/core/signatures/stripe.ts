import {
  type HeaderMap, type VerifyResult,
  MAX_HEADER_LENGTH, OK, anyMatch, checkTimestamp, decodeSignature, fail, hmac, parseUnixSeconds,
  readHeader, usableSecrets
} from './shared.js'

export const STRIPE_HEADER = 'Stripe-Signature'

interface StripeHeader {
  readonly timestamp: string | undefined
  readonly signatures: readonly string[]
  readonly conflictingTimestamps: boolean
}

/** `t=<unix s>,v1=<hex>,v1=<hex>,v0=<hex>`; unknown keys (v0, future schemes) are ignored. */
function parseStripeHeader (value: string): StripeHeader {
  let timestamp: string | undefined
  let conflictingTimestamps = false
  const signatures: string[] = []
  for (const item of value.split(',')) {
    const eq = item.indexOf('=')
    if (eq < 0) continue
    const key = item.slice(0, eq).trim()
    const text = item.slice(eq + 1).trim()
    if (key === 't') {
      // Two different timestamps would make "which one was signed" ambiguous.
      if (timestamp !== undefined && timestamp !== text) conflictingTimestamps = true
      timestamp = text
    } else if (key === 'v1') {
      signatures.push(text)
    }
  }
  return { timestamp, signatures, conflictingTimestamps }
}

/**
 * Stripe signs `${t}.${body}` with the endpoint secret exactly as shown in the dashboard
 * (the `whsec_` prefix included, not decoded), and sends one v1 entry per active secret
 * while a secret is being rolled.
 */
export function verifyStripe (secrets: readonly string[], toleranceMs: number, headers: HeaderMap, body: Buffer, now: number): VerifyResult {
  const keys = usableSecrets(secrets)
  if (keys.length === 0) return fail(`no secret is configured to check ${STRIPE_HEADER}`)

  const value = readHeader(headers, STRIPE_HEADER)
  if (value === undefined || value === '') return fail(`missing ${STRIPE_HEADER} header`)
  if (value.length > MAX_HEADER_LENGTH) return fail(`${STRIPE_HEADER} header is too long`)

  const parsed = parseStripeHeader(value)
  if (parsed.timestamp === undefined) return fail(`${STRIPE_HEADER} header has no t= timestamp`)
  if (parsed.conflictingTimestamps) return fail(`${STRIPE_HEADER} header has more than one t= timestamp`)
  const seconds = parseUnixSeconds(parsed.timestamp)
  if (seconds === null) return fail(`${STRIPE_HEADER} header has a malformed t= timestamp`)
  if (parsed.signatures.length === 0) return fail(`${STRIPE_HEADER} header has no v1= signature`)

  // Stale before signature: a replayed delivery is reported as such, not as a mismatch.
  const fresh = checkTimestamp(`${STRIPE_HEADER} timestamp`, seconds, now, toleranceMs)
  if (!fresh.ok) return fresh

  const candidates: Buffer[] = []
  for (const text of parsed.signatures) {
    const decoded = decodeSignature(text, 'hex')
    if (decoded !== null) candidates.push(decoded)
  }
  if (candidates.length === 0) return fail(`${STRIPE_HEADER} header has no well-formed v1= signature`)

  // The signed timestamp is the text as sent, so "0123" and "123" sign differently, as at Stripe.
  const prefix = `${parsed.timestamp}.`
  const expected = keys.map(secret => hmac('sha256', secret, [prefix, body]))
  if (!anyMatch(expected, candidates)) return fail(`no v1= signature in ${STRIPE_HEADER} matches the body with any configured secret`)
  return OK
}
