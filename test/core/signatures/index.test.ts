import t from 'tap'
import { SIGNATURE_HEADERS, signatureHeaderNames, verifySignature } from '../../../src/core/signatures/index.js'
import type { VerifyConfig } from '../../../src/config/types.js'
import {
  STANDARD_WEBHOOKS_SECRET, githubHeaders, hmacHeaders, shopifyHeaders, standardWebhooksHeaders, stripeHeaders
} from '../../helpers/sign.js'

const BODY = '{"hello":"world"}'
const NOW = 1_700_000_000_000
const SECRET = 'whsec_dispatch_test'

const configs: VerifyConfig[] = [
  { scheme: 'stripe', secrets: [SECRET], toleranceMs: 300_000 },
  { scheme: 'github', secrets: [SECRET] },
  { scheme: 'shopify', secrets: [SECRET] },
  { scheme: 'standard-webhooks', secrets: [STANDARD_WEBHOOKS_SECRET], toleranceMs: 300_000 },
  { scheme: 'hmac', secrets: [SECRET], header: 'X-Custom-Sig', algorithm: 'sha512', encoding: 'base64', prefix: 'v1=' }
]

t.test('each scheme accepts the test helper’s headers and rejects the others’', async t => {
  const signed: Record<string, Record<string, string>> = {
    stripe: stripeHeaders(BODY, SECRET, new Date(NOW)),
    github: await githubHeaders(BODY, SECRET),
    shopify: shopifyHeaders(BODY, SECRET),
    'standard-webhooks': standardWebhooksHeaders(BODY, STANDARD_WEBHOOKS_SECRET, { now: new Date(NOW) }),
    hmac: hmacHeaders(BODY, SECRET, { header: 'X-Custom-Sig', algorithm: 'sha512', encoding: 'base64', prefix: 'v1=' })
  }
  for (const config of configs) {
    for (const [scheme, headers] of Object.entries(signed)) {
      t.equal(verifySignature(config, headers, Buffer.from(BODY), NOW).ok, scheme === config.scheme, `${config.scheme} given ${scheme} headers`)
    }
  }
})

t.test('svix-prefixed helper output verifies too', async t => {
  const headers = standardWebhooksHeaders(BODY, STANDARD_WEBHOOKS_SECRET, { now: new Date(NOW), prefix: 'svix', id: 'msg_1' })
  t.same(Object.keys(headers).sort(), ['svix-id', 'svix-signature', 'svix-timestamp'])
  t.ok(verifySignature(configs[3], headers, Buffer.from(BODY), NOW).ok)
})

t.test('an unknown scheme from untyped config fails instead of throwing', async t => {
  const bogus = JSON.parse('{"scheme":"carrier-pigeon","secrets":["x"]}') as VerifyConfig
  t.same(verifySignature(bogus, {}, Buffer.alloc(0), NOW), { ok: false, reason: 'unknown signature scheme "carrier-pigeon"' })
})

t.test('SIGNATURE_HEADERS lists every header the fixed schemes read, lower-cased', async t => {
  const expected = [
    'stripe-signature', 'x-hub-signature-256', 'x-hub-signature', 'x-shopify-hmac-sha256',
    'webhook-id', 'webhook-timestamp', 'webhook-signature', 'svix-id', 'svix-timestamp', 'svix-signature'
  ]
  t.same([...SIGNATURE_HEADERS].sort(), expected.sort())
  t.ok(Object.isFrozen(SIGNATURE_HEADERS))
})

t.test('signatureHeaderNames adds the hmac scheme’s own header once', async t => {
  t.equal(signatureHeaderNames(null), SIGNATURE_HEADERS)
  t.equal(signatureHeaderNames(configs[0]), SIGNATURE_HEADERS)
  t.same(signatureHeaderNames(configs[4]), [...SIGNATURE_HEADERS, 'x-custom-sig'])
  const reusing: VerifyConfig = { ...configs[4], header: 'X-Hub-Signature-256' } as VerifyConfig
  t.equal(signatureHeaderNames(reusing), SIGNATURE_HEADERS)
})

t.test('never throws on hostile input', async t => {
  // A small deterministic PRNG so a failure reproduces.
  let seed = 42
  const next = () => { seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31; return seed }
  const alphabet = 'tv01=,; =+/_-abcfxyzAZ09\u0000\u00ff\u{1F680}\n\t '
  const randomText = (max: number) => Array.from({ length: next() % max }, () => alphabet[next() % alphabet.length]).join('')
  const names = [...SIGNATURE_HEADERS, 'x-custom-sig']
  let failures = 0
  for (let i = 0; i < 2000; i++) {
    const headers: Record<string, string> = {}
    for (const name of names) if (next() % 2 === 0) headers[name] = randomText(120).repeat(next() % 7 === 0 ? 200 : 1)
    const body = Buffer.from(randomText(64))
    for (const config of configs) {
      let ok: boolean
      try {
        ok = verifySignature(config, headers, body, next() * 1000).ok
      } catch (err) {
        t.fail(`${config.scheme} threw on ${JSON.stringify(headers).slice(0, 200)}: ${String(err)}`)
        return
      }
      if (!ok) failures++
    }
  }
  t.equal(failures, 2000 * configs.length, 'and random input never verifies')
})
