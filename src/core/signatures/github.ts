import { verifyBodyHmac } from './hmac.js'
import type { HeaderMap, VerifyResult } from './shared.js'

// Only the SHA-256 header: GitHub keeps sending the SHA-1 one for old receivers, but SHA-1
// HMAC is not what new integrations should be trusting.
export const GITHUB_HEADER = 'X-Hub-Signature-256'

export function verifyGithub (secrets: readonly string[], headers: HeaderMap, body: Buffer): VerifyResult {
  return verifyBodyHmac({ secrets, header: GITHUB_HEADER, algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' }, headers, body)
}
