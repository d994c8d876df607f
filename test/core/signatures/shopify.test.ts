import { createHmac } from 'node:crypto'
import t from 'tap'
import { sign } from '@octokit/webhooks-methods'
import { verifySignature } from '../../../src/core/signatures/index.js'
import type { VerifyConfig } from '../../../src/config/types.js'

const SECRET = 'shpss_0123456789abcdef'
const OLD_SECRET = 'shpss_previous'
const BODY = '{"id":820982911946154508,"email":"jon@example.com","note":"Zoë"}'

// No Shopify library is a dependency. Shopify's header is base64 of the same HMAC-SHA256 of
// the body that GitHub sends as hex, so octokit's signer is an independent oracle for it.
async function shopifySig (secret: string, body: string): Promise<string> {
  return Buffer.from((await sign(secret, body)).slice('sha256='.length), 'hex').toString('base64')
}

const config = (secrets: string[] = [SECRET]): VerifyConfig => ({ scheme: 'shopify', secrets })
const verify = (header: string | undefined, body: string | Buffer = BODY, cfg = config()) =>
  verifySignature(cfg, { 'x-shopify-hmac-sha256': header }, typeof body === 'string' ? Buffer.from(body) : body, 0)

t.test('the oracle matches Shopify’s documented recipe', async t => {
  t.equal(await shopifySig(SECRET, BODY), createHmac('sha256', SECRET).update(BODY).digest('base64'))
})

t.test('X-Shopify-Hmac-Sha256', async t => {
  const good = await shopifySig(SECRET, BODY)
  const flipped = good[0] === 'A' ? 'B' + good.slice(1) : 'A' + good.slice(1)
  const cases: Array<{ name: string, header: string | undefined, body?: string | Buffer, cfg?: VerifyConfig, ok: boolean, reason?: RegExp }> = [
    { name: 'valid', header: good, ok: true },
    { name: 'wrong secret', header: await shopifySig('other', BODY), ok: false, reason: /X-Shopify-Hmac-Sha256 signature does not match/ },
    { name: 'rotated: second of two secrets', header: good, cfg: config([OLD_SECRET, SECRET]), ok: true },
    { name: 'tampered body, one byte', header: good, body: BODY.replace('jon', 'jom'), ok: false },
    { name: 'one character of the signature changed', header: flipped, ok: false, reason: /does not match/ },
    { name: 'base64 is case-sensitive', header: good.toLowerCase() === good ? good.toUpperCase() : good.toLowerCase(), ok: false },
    { name: 'hex instead of base64', header: (await sign(SECRET, BODY)).slice(7), ok: false },
    { name: 'garbage base64', header: '!!!not*base64$$$', ok: false, reason: /not a base64 signature/ },
    { name: 'missing padding', header: good.replace(/=+$/, ''), ok: false, reason: /not a base64 signature/ },
    { name: 'missing header', header: undefined, ok: false, reason: /missing X-Shopify-Hmac-Sha256 header/ },
    { name: 'huge header', header: 'A'.repeat(100_000), ok: false, reason: /too long/ }
  ]
  for (const c of cases) {
    const result = verify(c.header, c.body ?? BODY, c.cfg ?? config())
    t.equal(result.ok, c.ok, c.name)
    if (!result.ok && c.reason !== undefined) t.match(result.reason, c.reason, `${c.name}: reason`)
  }
})

t.test('binary and empty bodies', async t => {
  const recipe = (body: Buffer) => createHmac('sha256', SECRET).update(body).digest('base64')
  const binary = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0xff, 0x00])
  t.ok(verify(recipe(binary), binary).ok)
  t.ok(verify(recipe(Buffer.alloc(0)), Buffer.alloc(0)).ok)
})
