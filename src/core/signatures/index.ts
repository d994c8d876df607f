import type { VerifyConfig } from '../../config/types.js'
import { GITHUB_HEADER, verifyGithub } from './github.js'
import { verifyBodyHmac } from './hmac.js'
import type { HeaderMap, VerifyResult } from './shared.js'
import { SHOPIFY_HEADER, verifyShopify } from './shopify.js'
import { STANDARD_WEBHOOKS_HEADERS, verifyStandardWebhooks } from './standard-webhooks.js'
import { STRIPE_HEADER, verifyStripe } from './stripe.js'

export type { HeaderMap, VerifyResult } from './shared.js'

/**
 * Header names the fixed schemes read, lower-cased, for log redaction. The SHA-1
 * X-Hub-Signature is listed although it is never checked: GitHub sends it alongside and it is
 * just as much a credential-derived value. The generic hmac scheme's header comes from config;
 * see signatureHeaderNames.
 */
export const SIGNATURE_HEADERS: readonly string[] = Object.freeze([
  STRIPE_HEADER.toLowerCase(),
  GITHUB_HEADER.toLowerCase(),
  'x-hub-signature',
  SHOPIFY_HEADER.toLowerCase(),
  ...STANDARD_WEBHOOKS_HEADERS
])

/** SIGNATURE_HEADERS plus the header a source's own hmac config names, lower-cased. */
export function signatureHeaderNames (config: VerifyConfig | null): readonly string[] {
  if (config?.scheme !== 'hmac') return SIGNATURE_HEADERS
  const own = config.header.toLowerCase()
  return SIGNATURE_HEADERS.includes(own) ? SIGNATURE_HEADERS : [...SIGNATURE_HEADERS, own]
}

/**
 * Checks an inbound request against its source's scheme. Pure and total: malformed input of
 * any kind is a failed result, never an exception. Reasons name the header at fault and never
 * quote a secret, an expected signature or the sender's value.
 *
 * @param headers lower-cased names to values (first value if repeated)
 * @param body the raw bytes as received
 * @param now epoch milliseconds, for timestamped schemes
 */
export function verifySignature (config: VerifyConfig, headers: HeaderMap, body: Buffer, now: number): VerifyResult {
  switch (config.scheme) {
    case 'stripe': return verifyStripe(config.secrets, config.toleranceMs, headers, body, now)
    case 'github': return verifyGithub(config.secrets, headers, body)
    case 'shopify': return verifyShopify(config.secrets, headers, body)
    case 'standard-webhooks': return verifyStandardWebhooks(config.secrets, config.toleranceMs, headers, body, now)
    case 'hmac': return verifyBodyHmac(config, headers, body)
    default: return unknownScheme(config)
  }
}

// Unreachable for well-typed config, but the config loader may hand over anything at runtime.
function unknownScheme (config: never): VerifyResult {
  const scheme = (config as { scheme?: unknown }).scheme
  return { ok: false, reason: `unknown signature scheme ${JSON.stringify(String(scheme))}` }
}
