import {
  type HeaderMap, type HmacAlgorithm, type SignatureEncoding, type VerifyResult,
  MAX_HEADER_LENGTH, OK, anyMatch, decodeSignature, fail, hmac, readHeader, usableSecrets
} from './shared.js'

export interface BodyHmacOptions {
  readonly secrets: readonly string[]
  /** Header name as it should appear in failure reasons, e.g. "X-Hub-Signature-256". */
  readonly header: string
  readonly algorithm: HmacAlgorithm
  readonly encoding: SignatureEncoding
  /** Text that must precede the signature, e.g. "sha256=". Empty for none. */
  readonly prefix: string
}

/**
 * One header holding an HMAC of the raw body: the shape GitHub, Shopify and most home-grown
 * senders use, so those schemes are thin presets over this.
 */
export function verifyBodyHmac (options: BodyHmacOptions, headers: HeaderMap, body: Buffer): VerifyResult {
  const { header, prefix, encoding, algorithm } = options
  const secrets = usableSecrets(options.secrets)
  if (secrets.length === 0) return fail(`no secret is configured to check ${header}`)

  const value = readHeader(headers, header)
  if (value === undefined || value === '') return fail(`missing ${header} header`)
  if (value.length > MAX_HEADER_LENGTH) return fail(`${header} header is too long`)
  if (!value.startsWith(prefix)) return fail(`${header} header does not start with "${prefix}"`)

  const signature = decodeSignature(value.slice(prefix.length).trim(), encoding)
  if (signature === null) return fail(`${header} header is not a ${encoding} signature`)

  const expected = secrets.map(secret => hmac(algorithm, secret, [body]))
  if (!anyMatch(expected, [signature])) return fail(`${header} signature does not match the body with any configured secret`)
  return OK
}
