import { verifyBodyHmac } from './hmac.js'
import type { HeaderMap, VerifyResult } from './shared.js'

export const SHOPIFY_HEADER = 'X-Shopify-Hmac-Sha256'

export function verifyShopify (secrets: readonly string[], headers: HeaderMap, body: Buffer): VerifyResult {
  return verifyBodyHmac({ secrets, header: SHOPIFY_HEADER, algorithm: 'sha256', encoding: 'base64', prefix: '' }, headers, body)
}
