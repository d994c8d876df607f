import { createHmac } from 'node:crypto'
import t from 'tap'
import Stripe from 'stripe'
import { verifySignature } from '../../../src/core/signatures/index.js'
import type { VerifyConfig } from '../../../src/config/types.js'

const SECRET = 'whsec_test_secret_1a2b3c'
const OLD_SECRET = 'whsec_previous_secret_9z8y'
const TOLERANCE_MS = 300_000
const T = 1_700_000_000
const NOW = T * 1000
const BODY = '{"id":"evt_1","object":"event","type":"payment_intent.succeeded"}'

const config = (secrets: string[] = [SECRET], toleranceMs = TOLERANCE_MS): VerifyConfig =>
  ({ scheme: 'stripe', secrets, toleranceMs })

const stripeHeader = (payload: string, secret: string, timestamp = T): string =>
  Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp })

// stripe-node only signs strings; for raw bytes the recipe is the one Stripe documents.
const bytesSig = (body: Buffer, secret: string, timestamp = T): string =>
  createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')

const v1Of = (header: string): string => {
  const match = /v1=([0-9a-f]+)/.exec(header)
  if (match === null) throw new Error('no v1 in ' + header)
  return match[1]
}

const verify = (headerValue: string | undefined, body: string | Buffer = BODY, now = NOW, cfg = config()) =>
  verifySignature(cfg, { 'stripe-signature': headerValue }, typeof body === 'string' ? Buffer.from(body) : body, now)

t.test('the byte recipe used below agrees with stripe-node', async t => {
  t.equal(bytesSig(Buffer.from(BODY), SECRET), v1Of(stripeHeader(BODY, SECRET)))
})

t.test('headers made by stripe-node', async t => {
  const cases: Array<{ name: string, header: string | undefined, body?: string | Buffer, cfg?: VerifyConfig, ok: boolean, reason?: RegExp }> = [
    { name: 'valid', header: stripeHeader(BODY, SECRET), ok: true },
    { name: 'empty body', header: stripeHeader('', SECRET), body: '', ok: true },
    { name: 'non-ASCII UTF-8 body', header: stripeHeader('{"name":"Zoë ✓ 🚀"}', SECRET), body: '{"name":"Zoë ✓ 🚀"}', ok: true },
    { name: 'wrong secret', header: stripeHeader(BODY, 'whsec_someone_else'), ok: false, reason: /no v1= signature in Stripe-Signature matches/ },
    { name: 'rotated: second of two secrets', header: stripeHeader(BODY, SECRET), cfg: config([OLD_SECRET, SECRET]), ok: true },
    { name: 'rotated: first of two secrets', header: stripeHeader(BODY, OLD_SECRET), cfg: config([OLD_SECRET, SECRET]), ok: true },
    { name: 'tampered body, one byte', header: stripeHeader(BODY, SECRET), body: BODY.replace('evt_1', 'evt_2'), ok: false, reason: /matches/ },
    { name: 'whsec_ prefix is part of the key, not stripped', header: stripeHeader(BODY, SECRET.slice('whsec_'.length)), ok: false },
    { name: 'missing header', header: undefined, ok: false, reason: /missing Stripe-Signature header/ },
    { name: 'empty header', header: '', ok: false, reason: /missing Stripe-Signature header/ },
    { name: 'no t', header: `v1=${v1Of(stripeHeader(BODY, SECRET))}`, ok: false, reason: /no t= timestamp/ },
    { name: 'no v1', header: `t=${T},v0=${v1Of(stripeHeader(BODY, SECRET))}`, ok: false, reason: /no v1= signature/ },
    { name: 'non-numeric t', header: `t=soon,v1=${v1Of(stripeHeader(BODY, SECRET))}`, ok: false, reason: /malformed t= timestamp/ },
    { name: 'negative t', header: `t=-1,v1=${v1Of(stripeHeader(BODY, SECRET))}`, ok: false, reason: /malformed t= timestamp/ },
    { name: 'two different t', header: `t=${T},t=${T + 1},v1=${v1Of(stripeHeader(BODY, SECRET))}`, ok: false, reason: /more than one t=/ },
    { name: 'v1 not hex', header: `t=${T},v1=not-a-signature`, ok: false, reason: /no well-formed v1= signature/ },
    { name: 'v1 truncated', header: `t=${T},v1=${v1Of(stripeHeader(BODY, SECRET)).slice(0, 62)}`, ok: false, reason: /matches/ },
    { name: 'garbage', header: ',,,=,==,t,v1', ok: false, reason: /no t= timestamp/ },
    { name: 'huge header', header: `t=${T},` + 'v1=00,'.repeat(20_000), ok: false, reason: /too long/ },
    { name: 'no usable secret', header: stripeHeader(BODY, SECRET), cfg: config(['']), ok: false, reason: /no secret is configured/ }
  ]
  for (const c of cases) {
    const result = verify(c.header, c.body ?? BODY, NOW, c.cfg ?? config())
    t.equal(result.ok, c.ok, c.name)
    if (!result.ok && c.reason !== undefined) t.match(result.reason, c.reason, `${c.name}: reason`)
  }
})

t.test('several signatures in one header (Stripe during a secret roll, plus v0)', async t => {
  const current = v1Of(stripeHeader(BODY, SECRET))
  const previous = v1Of(stripeHeader(BODY, OLD_SECRET))
  const header = `t=${T},v1=${previous},v1=${current},v0=${'ab'.repeat(32)}`
  t.ok(verify(header, BODY, NOW, config([SECRET])).ok, 'second v1 matches the only secret')
  t.ok(verify(header, BODY, NOW, config([OLD_SECRET])).ok, 'first v1 matches the only secret')
  t.notOk(verify(header, BODY, NOW, config(['whsec_other'])).ok, 'none match')
  t.ok(verify(`t=${T},v1=zz,v1=${current}`, BODY, NOW).ok, 'a malformed entry does not hide a good one')
  t.ok(verify(`t=${T}, v1=${current.toUpperCase()}`, BODY, NOW).ok, 'spaces after commas and upper-case hex')
})

t.test('binary and invalid UTF-8 bodies are signed byte for byte', async t => {
  const body = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80, 0x0a])
  t.ok(verify(`t=${T},v1=${bytesSig(body, SECRET)}`, body).ok, 'raw bytes verify')
  const lossy = Buffer.from(body.toString('utf8'))
  t.notOk(verify(`t=${T},v1=${bytesSig(lossy, SECRET)}`, body).ok, 'a UTF-8 round-tripped copy does not')
})

t.test('timestamp tolerance, both ways, at the boundary', async t => {
  const header = stripeHeader(BODY, SECRET)
  const cases = [
    { name: 'exactly now', now: NOW, ok: true },
    { name: 'old by exactly the tolerance', now: NOW + TOLERANCE_MS, ok: true },
    { name: 'old by tolerance + 1 ms', now: NOW + TOLERANCE_MS + 1, ok: false, reason: /Stripe-Signature timestamp is 300 s old/ },
    { name: 'future by exactly the tolerance', now: NOW - TOLERANCE_MS, ok: true },
    { name: 'future by tolerance + 1 ms', now: NOW - TOLERANCE_MS - 1, ok: false, reason: /Stripe-Signature timestamp is 300 s in the future/ },
    { name: 'a day old', now: NOW + 86_400_000, ok: false, reason: /86400 s old/ }
  ]
  for (const c of cases) {
    const result = verify(header, BODY, c.now)
    t.equal(result.ok, c.ok, c.name)
    if (!result.ok && c.reason !== undefined) t.match(result.reason, c.reason, `${c.name}: reason`)
  }
})

t.test('agrees with stripe-node verifyHeader on past timestamps', async t => {
  // stripe-node only rejects stale timestamps, so the comparison stays on that side.
  const sig = Stripe.webhooks.signature
  if (sig === null) throw new Error('stripe-node exposes no signature helper')
  const headers = [
    stripeHeader(BODY, SECRET),
    stripeHeader(BODY, SECRET, T - 299),
    stripeHeader(BODY, SECRET, T - 301),
    stripeHeader(BODY, OLD_SECRET),
    stripeHeader(BODY + ' ', SECRET)
  ]
  for (const header of headers) {
    let theirs: boolean
    try {
      theirs = sig.verifyHeader(BODY, header, SECRET, 300, undefined, NOW)
    } catch {
      theirs = false
    }
    t.equal(verify(header).ok, theirs, header)
  }
})

t.test('reasons never reveal the secret or the expected signature', async t => {
  const expected = v1Of(stripeHeader(BODY, SECRET))
  for (const header of [stripeHeader(BODY, 'whsec_x'), `t=${T},v1=00`, `t=${T - 10_000},v1=${expected}`, undefined]) {
    const result = verify(header)
    t.notOk(result.ok)
    if (!result.ok) {
      t.notMatch(result.reason, SECRET)
      t.notMatch(result.reason, expected)
    }
  }
})
