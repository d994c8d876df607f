import { createHmac } from 'node:crypto'
import t from 'tap'
import { sign } from '@octokit/webhooks-methods'
import { verifySignature } from '../../../src/core/signatures/index.js'
import type { VerifyConfig } from '../../../src/config/types.js'

const SECRET = 'generic-hmac-secret'
const OLD_SECRET = 'generic-hmac-previous'
const BODY = '{"event":"thing.happened","emoji":"✓"}'

type Algorithm = 'sha1' | 'sha256' | 'sha512'
type Encoding = 'hex' | 'base64'

const config = (algorithm: Algorithm, encoding: Encoding, prefix: string, secrets = [SECRET], header = 'X-Signature'): VerifyConfig =>
  ({ scheme: 'hmac', secrets, header, algorithm, encoding, prefix })

// node:crypto is the reference for the generic scheme; there is no sender library to ask.
const digest = (algorithm: Algorithm, encoding: Encoding, secret: string, body: string | Buffer) =>
  createHmac(algorithm, secret).update(body).digest(encoding)

const verify = (cfg: VerifyConfig, value: string | undefined, body: string | Buffer = BODY) =>
  verifySignature(cfg, { 'x-signature': value }, typeof body === 'string' ? Buffer.from(body) : body, 0)

t.test('octokit’s signer as an outside oracle for sha256/hex/"sha256="', async t => {
  t.ok(verify(config('sha256', 'hex', 'sha256='), await sign(SECRET, BODY)).ok)
})

const algorithms: Algorithm[] = ['sha1', 'sha256', 'sha512']
const encodings: Encoding[] = ['hex', 'base64']
const prefixes = ['', 'sha256=', 'v1=']

for (const algorithm of algorithms) {
  for (const encoding of encodings) {
    for (const prefix of prefixes) {
      t.test(`${algorithm} ${encoding} prefix ${JSON.stringify(prefix)}`, async t => {
        const cfg = config(algorithm, encoding, prefix)
        const good = digest(algorithm, encoding, SECRET, BODY)
        const other = algorithm === 'sha512' ? 'sha256' : 'sha512'
        const cases: Array<{ name: string, value: string | undefined, body?: string | Buffer, cfg?: VerifyConfig, ok: boolean, reason?: RegExp }> = [
          { name: 'valid', value: prefix + good, ok: true },
          { name: 'wrong secret', value: prefix + digest(algorithm, encoding, 'nope', BODY), ok: false, reason: /X-Signature signature does not match/ },
          { name: 'rotated: second of two secrets', value: prefix + good, cfg: config(algorithm, encoding, prefix, [OLD_SECRET, SECRET]), ok: true },
          { name: 'tampered body', value: prefix + good, body: BODY.slice(0, -1) + ']', ok: false },
          { name: 'other algorithm', value: prefix + digest(other, encoding, SECRET, BODY), ok: false },
          { name: 'other encoding', value: prefix + digest(algorithm, encoding === 'hex' ? 'base64' : 'hex', SECRET, BODY), ok: false },
          { name: 'missing header', value: undefined, ok: false, reason: /missing X-Signature header/ },
          { name: 'garbage', value: prefix + '***', ok: false, reason: new RegExp(`not a ${encoding} signature`) },
          { name: 'binary body', value: prefix + digest(algorithm, encoding, SECRET, Buffer.from([0xff, 0x00, 0xfe])), body: Buffer.from([0xff, 0x00, 0xfe]), ok: true },
          { name: 'empty body', value: prefix + digest(algorithm, encoding, SECRET, ''), body: '', ok: true }
        ]
        if (prefix !== '') {
          cases.push({ name: 'prefix missing', value: good, ok: false, reason: /does not start with/ })
          cases.push({ name: 'prefix in other case', value: prefix.toUpperCase() + good, ok: false, reason: /does not start with/ })
        }
        if (encoding === 'hex') {
          cases.push({ name: 'upper-case hex', value: prefix + good.toUpperCase(), ok: true })
        }
        for (const c of cases) {
          const result = verify(c.cfg ?? cfg, c.value, c.body ?? BODY)
          t.equal(result.ok, c.ok, c.name)
          if (!result.ok) {
            if (c.reason !== undefined) t.match(result.reason, c.reason, `${c.name}: reason`)
            t.notMatch(result.reason, SECRET, `${c.name}: no secret in reason`)
            t.notMatch(result.reason, good, `${c.name}: no expected signature in reason`)
          }
        }
      })
    }
  }
}

t.test('the configured header name is matched case-insensitively', async t => {
  const good = digest('sha256', 'hex', SECRET, BODY)
  for (const header of ['X-Signature', 'x-signature', 'X-SIGNATURE']) {
    t.ok(verifySignature(config('sha256', 'hex', '', [SECRET], header), { 'x-signature': good }, Buffer.from(BODY), 0).ok, header)
  }
  const result = verifySignature(config('sha256', 'hex', '', [SECRET], 'X-Other'), { 'x-signature': good }, Buffer.from(BODY), 0)
  t.same(result, { ok: false, reason: 'missing X-Other header' })
})
