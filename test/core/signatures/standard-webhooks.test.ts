import t from 'tap'
import { Webhook } from 'standardwebhooks'
import { verifySignature } from '../../../src/core/signatures/index.js'
import type { VerifyConfig } from '../../../src/config/types.js'

// The Svix docs' example secret, and a second one for rotation.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const OLD_SECRET = 'whsec_' + Buffer.from('an older key, also 32 bytes long').toString('base64')
const TOLERANCE_MS = 300_000
const T = 1_700_000_000
const NOW = T * 1000
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek'
const BODY = '{"type":"invoice.paid","data":{"name":"Zoë"}}'

const config = (secrets: string[] = [SECRET], toleranceMs = TOLERANCE_MS): VerifyConfig =>
  ({ scheme: 'standard-webhooks', secrets, toleranceMs })

const signature = (secret: string, body: string | Buffer = BODY, id = ID, seconds = T): string =>
  new Webhook(secret).sign(id, new Date(seconds * 1000), body)

type HeaderSet = Record<string, string | undefined>
const headers = (sig: string | undefined, prefix = 'webhook', id = ID, ts = String(T)): HeaderSet =>
  ({ [`${prefix}-id`]: id, [`${prefix}-timestamp`]: ts, [`${prefix}-signature`]: sig })
const without = (h: HeaderSet, name: string): HeaderSet => ({ ...h, [name]: undefined })

const verify = (h: HeaderSet, body: string | Buffer = BODY, now = NOW, cfg = config()) =>
  verifySignature(cfg, h, typeof body === 'string' ? Buffer.from(body) : body, now)

t.test('headers made by the standardwebhooks package', async t => {
  const good = signature(SECRET)
  const goodB64 = good.slice(3)
  const cases: Array<{ name: string, h: HeaderSet, body?: string | Buffer, cfg?: VerifyConfig, ok: boolean, reason?: RegExp }> = [
    { name: 'valid', h: headers(good), ok: true },
    { name: 'valid with svix- headers', h: headers(good, 'svix'), ok: true },
    { name: 'secret without whsec_ is base64 too', h: headers(good), cfg: config([SECRET.slice(6)]), ok: true },
    { name: 'empty body', h: headers(signature(SECRET, '')), body: '', ok: true },
    { name: 'wrong secret', h: headers(signature(OLD_SECRET)), ok: false, reason: /no v1 signature in webhook-signature matches/ },
    { name: 'rotated: second of two secrets', h: headers(good), cfg: config([OLD_SECRET, SECRET]), ok: true },
    { name: 'rotated: first of two secrets', h: headers(signature(OLD_SECRET)), cfg: config([OLD_SECRET, SECRET]), ok: true },
    { name: 'tampered body, one byte', h: headers(good), body: BODY.replace('paid', 'pain'), ok: false },
    { name: 'id is signed', h: headers(good, 'webhook', ID + 'x'), ok: false, reason: /matches/ },
    { name: 'timestamp is signed', h: headers(good, 'webhook', ID, String(T + 1)), ok: false, reason: /matches/ },
    { name: 'several signatures, match last', h: headers(`${signature(OLD_SECRET)} ${good}`), ok: true },
    { name: 'several signatures, match first', h: headers(`${good} ${signature(OLD_SECRET)}`), ok: true },
    { name: 'v1a entries are skipped', h: headers(`v1a,${goodB64} ${good}`), ok: true },
    { name: 'only a v1a entry', h: headers(`v1a,${goodB64}`), ok: false, reason: /webhook-signature header has no v1 signature/ },
    { name: 'v2 entry with the right bytes', h: headers(`v2,${goodB64}`), ok: false, reason: /no v1 signature/ },
    { name: 'unversioned signature', h: headers(goodB64), ok: false, reason: /no v1 signature/ },
    { name: 'garbage base64', h: headers('v1,!!!***'), ok: false, reason: /no well-formed v1 signature/ },
    { name: 'garbage entry next to a good one', h: headers(`v1,%%% ${good}`), ok: true },
    { name: 'truncated signature', h: headers('v1,' + goodB64.slice(0, 40)), ok: false, reason: /matches/ },
    { name: 'missing all', h: {}, ok: false, reason: /missing svix-id, svix-timestamp, svix-signature headers/ },
    { name: 'missing signature', h: headers(undefined), ok: false, reason: /^missing webhook-signature header$/ },
    { name: 'missing id', h: without(headers(good), 'webhook-id'), ok: false, reason: /^missing webhook-id header$/ },
    { name: 'missing timestamp', h: without(headers(good), 'webhook-timestamp'), ok: false, reason: /^missing webhook-timestamp header$/ },
    { name: 'missing svix-timestamp', h: without(headers(good, 'svix'), 'svix-timestamp'), ok: false, reason: /^missing svix-timestamp header$/ },
    { name: 'timestamp in ms', h: headers(good, 'webhook', ID, String(NOW)), ok: false, reason: /in the future/ },
    { name: 'timestamp not a number', h: headers(good, 'webhook', ID, 'yesterday'), ok: false, reason: /webhook-timestamp header is not a Unix timestamp/ },
    { name: 'timestamp with fraction', h: headers(good, 'webhook', ID, `${T}.5`), ok: false, reason: /not a Unix timestamp/ },
    { name: 'huge signature header', h: headers('v1,' + 'A'.repeat(50_000)), ok: false, reason: /webhook-signature header is too long/ },
    { name: 'undecodable secret', h: headers(good), cfg: config(['whsec_***']), ok: false, reason: /no usable whsec_ secret/ },
    { name: 'empty secret', h: headers(good), cfg: config(['whsec_']), ok: false, reason: /no usable whsec_ secret/ }
  ]
  for (const c of cases) {
    const result = verify(c.h, c.body ?? BODY, NOW, c.cfg ?? config())
    t.equal(result.ok, c.ok, c.name)
    if (!result.ok && c.reason !== undefined) t.match(result.reason, c.reason, `${c.name}: reason`)
  }
})

t.test('binary and invalid UTF-8 bodies', async t => {
  const body = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0xc3, 0x28])
  t.ok(verify(headers(signature(SECRET, body)), body).ok, 'raw bytes verify')
  t.notOk(verify(headers(signature(SECRET, body.toString('utf8'))), body).ok, 'a lossy UTF-8 copy does not')
})

t.test('timestamp tolerance, both ways, at the boundary', async t => {
  const h = headers(signature(SECRET))
  const cases = [
    { name: 'old by exactly the tolerance', now: NOW + TOLERANCE_MS, ok: true },
    { name: 'old by tolerance + 1 ms', now: NOW + TOLERANCE_MS + 1, ok: false, reason: /^webhook-timestamp header is 300 s old, more than the 300 s tolerance$/ },
    { name: 'future by exactly the tolerance', now: NOW - TOLERANCE_MS, ok: true },
    { name: 'future by tolerance + 1 ms', now: NOW - TOLERANCE_MS - 1, ok: false, reason: /webhook-timestamp header is 300 s in the future/ },
    { name: 'a short tolerance', now: NOW + 1001, cfg: config([SECRET], 1000), ok: false }
  ]
  for (const c of cases) {
    const result = verify(h, BODY, c.now, c.cfg ?? config())
    t.equal(result.ok, c.ok, c.name)
    if (!result.ok && c.reason !== undefined) t.match(result.reason, c.reason, `${c.name}: reason`)
  }
})

t.test('a webhook- set takes precedence over svix-, so the two are not mixed', async t => {
  const good = signature(SECRET)
  t.ok(verify({ ...headers(good, 'svix'), ...headers(good) }).ok, 'both complete')
  t.notOk(verify({ ...headers(good, 'svix'), 'webhook-id': ID }).ok, 'a partial webhook- set is reported, not patched from svix-')
})

t.test('agrees with the standardwebhooks verifier on fresh messages', async t => {
  // Its verifier reads the real clock, so these use the current time.
  const seconds = Math.floor(Date.now() / 1000)
  const now = seconds * 1000
  const candidates = [
    signature(SECRET, BODY, ID, seconds),
    signature(OLD_SECRET, BODY, ID, seconds),
    `${signature(OLD_SECRET, BODY, ID, seconds)} ${signature(SECRET, BODY, ID, seconds)}`,
    signature(SECRET, BODY + ' ', ID, seconds),
    'v1,AAAA'
  ]
  for (const sig of candidates) {
    const h = { 'webhook-id': ID, 'webhook-timestamp': String(seconds), 'webhook-signature': sig }
    let theirs = true
    try {
      new Webhook(SECRET).verify(BODY, h)
    } catch {
      theirs = false
    }
    t.equal(verify(h, BODY, now).ok, theirs, sig)
  }
})

t.test('reasons never reveal the secret or the expected signature', async t => {
  const expected = signature(SECRET).slice(3)
  for (const h of [headers(signature(OLD_SECRET)), headers('v1,AAAA'), headers(signature(SECRET), 'webhook', ID, String(T - 3600)), {}]) {
    const result = verify(h)
    t.notOk(result.ok)
    if (!result.ok) {
      t.notMatch(result.reason, SECRET.slice(6))
      t.notMatch(result.reason, expected)
    }
  }
})
