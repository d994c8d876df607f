import { createHmac, timingSafeEqual } from 'node:crypto'

export type VerifyResult = { ok: true } | { ok: false, reason: string }

export type HeaderMap = Readonly<Record<string, string | undefined>>

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512'

export type SignatureEncoding = 'hex' | 'base64'

export const OK: VerifyResult = { ok: true }

export function fail (reason: string): VerifyResult {
  return { ok: false, reason }
}

/**
 * Real signature headers are a few hundred bytes; refusing anything far larger keeps a hostile
 * sender from making us parse and decode megabytes before the HMAC check fails anyway.
 */
export const MAX_HEADER_LENGTH = 8192

/** Reads a header by name regardless of the case the caller spelled it in. */
export function readHeader (headers: HeaderMap, name: string): string | undefined {
  return headers[name.toLowerCase()]
}

export function hmac (algorithm: HmacAlgorithm, key: string | Buffer, parts: readonly (string | Buffer)[]): Buffer {
  const mac = createHmac(algorithm, key)
  for (const part of parts) mac.update(part)
  return mac.digest()
}

const HEX = /^[0-9a-fA-F]+$/
// Standard alphabet with optional padding only: anything else is malformed, not "close enough".
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

/**
 * Decodes a signature as sent. Node's decoders silently skip bad characters, so the text is
 * validated first and malformed input yields null instead of a partial buffer.
 */
export function decodeSignature (text: string, encoding: SignatureEncoding): Buffer | null {
  if (encoding === 'hex') {
    if (text.length % 2 !== 0 || !HEX.test(text)) return null
    return Buffer.from(text, 'hex')
  }
  if (text.length % 4 !== 0 || !BASE64.test(text)) return null
  return Buffer.from(text, 'base64')
}

/** Constant-time for equal lengths; a length mismatch reveals nothing an attacker lacks. */
export function safeEqual (a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

/** True when any candidate equals any expected digest. */
export function anyMatch (expected: readonly Buffer[], candidates: readonly Buffer[]): boolean {
  let matched = false
  // No early exit inside the loops: the time taken should not hint at which secret matched.
  for (const digest of expected) {
    for (const candidate of candidates) {
      if (safeEqual(digest, candidate)) matched = true
    }
  }
  return matched
}

/**
 * An empty secret would let anyone sign, so it never counts as configured even if config
 * validation somehow let one through.
 */
export function usableSecrets (secrets: readonly string[]): string[] {
  return secrets.filter(secret => secret.length > 0)
}

/**
 * Parses a whole-seconds Unix timestamp. Digits only (no sign, exponent or fraction) and at
 * most 15 of them so the result stays an exact integer.
 */
export function parseUnixSeconds (text: string): number | null {
  if (!/^\d{1,15}$/.test(text)) return null
  return Number(text)
}

/** Checks |now - timestamp| against the tolerance and explains which way it is off. */
export function checkTimestamp (label: string, seconds: number, now: number, toleranceMs: number): VerifyResult {
  const skewMs = now - seconds * 1000
  if (skewMs > toleranceMs) {
    return fail(`${label} is ${Math.floor(skewMs / 1000)} s old, more than the ${Math.floor(toleranceMs / 1000)} s tolerance`)
  }
  if (-skewMs > toleranceMs) {
    return fail(`${label} is ${Math.floor(-skewMs / 1000)} s in the future, more than the ${Math.floor(toleranceMs / 1000)} s tolerance`)
  }
  return OK
}
