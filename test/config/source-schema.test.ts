import t from 'tap'
import type { ConfigProblem } from '../../src/config/problem.js'
import { validateConfig } from '../../src/config/validate-config.js'

function withVerify (verify: unknown): unknown {
  return { targets: { app: { url: 'http://x/' } }, sources: { s: { targets: ['app'], verify } } }
}

t.test('valid verify blocks are normalised to secrets with scheme defaults', async (t) => {
  const rows: Array<[string, unknown, unknown]> = [
    ['no verification', null, null],
    ['stripe, one secret', { scheme: 'stripe', secret: 'whsec_1' }, { scheme: 'stripe', secrets: ['whsec_1'], toleranceMs: 300000 }],
    ['stripe, own tolerance', { scheme: 'stripe', secret: 'k', toleranceMs: 60000 }, { scheme: 'stripe', secrets: ['k'], toleranceMs: 60000 }],
    ['github, rotation', { scheme: 'github', secrets: ['old', 'new'] }, { scheme: 'github', secrets: ['old', 'new'] }],
    ['shopify', { scheme: 'shopify', secret: 'k' }, { scheme: 'shopify', secrets: ['k'] }],
    ['standard webhooks', { scheme: 'standard-webhooks', secret: 'whsec_x' }, { scheme: 'standard-webhooks', secrets: ['whsec_x'], toleranceMs: 300000 }],
    ['hmac, defaults', { scheme: 'hmac', secret: 'k', header: 'X-Signature' }, {
      scheme: 'hmac', secrets: ['k'], header: 'X-Signature', algorithm: 'sha256', encoding: 'hex', prefix: ''
    }],
    ['hmac, everything given', { scheme: 'hmac', secret: 'k', header: 'X-Sig', algorithm: 'sha512', encoding: 'base64', prefix: 'sha512=' }, {
      scheme: 'hmac', secrets: ['k'], header: 'X-Sig', algorithm: 'sha512', encoding: 'base64', prefix: 'sha512='
    }]
  ]
  for (const [name, verify, expected] of rows) {
    const { config, problems } = validateConfig(withVerify(verify))
    t.same(problems, [], name)
    t.same(config?.sources.s.verify, expected, name)
  }
  const { config } = validateConfig({ targets: { app: { url: 'http://x/' } }, sources: { s: { targets: ['app'] } } })
  t.equal(config?.sources.s.verify, null, 'verify defaults to null')
})

t.test('verify problems', async (t) => {
  const at = 'sources.s.verify'
  const rows: Array<[string, unknown, ConfigProblem[]]> = [
    ['not an object', 'stripe', [{ path: at, message: 'expected an object or null, got a string' }]],
    ['no scheme', { secret: 'k' }, [{ path: `${at}.scheme`, message: 'is required' }]],
    ['unknown scheme', { scheme: 'paypal', secret: 'k' }, [{
      path: `${at}.scheme`, message: "must be one of 'stripe', 'github', 'shopify', 'standard-webhooks', 'hmac'; got 'paypal'"
    }]],
    ['empty secret', { scheme: 'stripe', secret: '' }, [{ path: `${at}.secret`, message: 'secret is empty' }]],
    ['empty secret in a list', { scheme: 'github', secrets: ['a', ''] }, [{ path: `${at}.secrets[1]`, message: 'secret is empty' }]],
    ['empty secrets list', { scheme: 'github', secrets: [] }, [{ path: `${at}.secrets`, message: 'must list at least one secret' }]],
    ['secret not a string', { scheme: 'github', secret: 123 }, [{ path: `${at}.secret`, message: 'expected a string, got 123' }]],
    ['both secret and secrets', { scheme: 'shopify', secret: 'a', secrets: ['b'] }, [{ path: at, message: "set either 'secret' or 'secrets', not both" }]],
    ['neither secret nor secrets', { scheme: 'shopify' }, [{ path: `${at}.secret`, message: "is required (or 'secrets', to accept several during rotation)" }]],
    ['key of another scheme', { scheme: 'github', secret: 'k', toleranceMs: 1 }, [{ path: `${at}.toleranceMs`, message: 'unknown key' }]],
    ['tolerance 0', { scheme: 'stripe', secret: 'k', toleranceMs: 0 }, [{ path: `${at}.toleranceMs`, message: 'must be at least 1, got 0' }]],
    ['hmac without header', { scheme: 'hmac', secret: 'k' }, [{ path: `${at}.header`, message: 'is required' }]],
    ['hmac bad header', { scheme: 'hmac', secret: 'k', header: 'X Sig' }, [{ path: `${at}.header`, message: 'not a valid HTTP header name' }]],
    ['hmac bad algorithm', { scheme: 'hmac', secret: 'k', header: 'X-Sig', algorithm: 'md5' }, [{
      path: `${at}.algorithm`, message: "must be one of 'sha1', 'sha256', 'sha512'; got 'md5'"
    }]],
    ['hmac bad encoding', { scheme: 'hmac', secret: 'k', header: 'X-Sig', encoding: 'base32' }, [{
      path: `${at}.encoding`, message: "must be one of 'hex', 'base64'; got 'base32'"
    }]],
    ['typo with suggestion', { scheme: 'hmac', secret: 'k', header: 'X-Sig', prefx: 'sha256=' }, [{
      path: `${at}.prefx`, message: "unknown key; did you mean 'prefix'?"
    }]]
  ]
  for (const [name, verify, expected] of rows) {
    t.same(validateConfig(withVerify(verify)).problems, expected, name)
  }
})
