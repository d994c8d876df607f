import { createHmac } from 'node:crypto'
import t from 'tap'
import { sign, verify as octokitVerify } from '@octokit/webhooks-methods'
import { verifySignature } from '../../../src/core/signatures/index.js'
import type { VerifyConfig } from '../../../src/config/types.js'

const SECRET = 'gh-webhook-secret'
const OLD_SECRET = 'gh-previous-secret'
const BODY = '{"action":"opened","number":1,"pull_request":{"title":"Zoë’s fix"}}'

const config = (secrets: string[] = [SECRET]): VerifyConfig => ({ scheme: 'github', secrets })
const verify = (header: string | undefined, body: string | Buffer = BODY, cfg = config()) =>
  verifySignature(cfg, { 'x-hub-signature-256': header }, typeof body === 'string' ? Buffer.from(body) : body, 0)

t.test('GitHub’s published test vector', async t => {
  // From GitHub docs, "Validating webhook deliveries".
  const secret = "It's a Secret to Everybody"
  const expected = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'
  t.equal(await sign(secret, 'Hello, World!'), expected, 'the oracle agrees with the vector')
  t.ok(verify(expected, 'Hello, World!', config([secret])).ok, 'vector verifies')
  t.notOk(verify(expected, 'Hello, World?', config([secret])).ok, 'one byte changed')
})

t.test('headers made by @octokit/webhooks-methods', async t => {
  const good = await sign(SECRET, BODY)
  const cases: Array<{ name: string, header: string | undefined, body?: string | Buffer, cfg?: VerifyConfig, ok: boolean, reason?: RegExp }> = [
    { name: 'valid', header: good, ok: true },
    { name: 'upper-case hex', header: 'sha256=' + good.slice(7).toUpperCase(), ok: true },
    { name: 'wrong secret', header: await sign('not-the-secret', BODY), ok: false, reason: /X-Hub-Signature-256 signature does not match/ },
    { name: 'rotated: second of two secrets', header: good, cfg: config([OLD_SECRET, SECRET]), ok: true },
    { name: 'rotated: first of two secrets', header: await sign(OLD_SECRET, BODY), cfg: config([OLD_SECRET, SECRET]), ok: true },
    { name: 'tampered body, one byte', header: good, body: BODY.replace('1', '2'), ok: false },
    { name: 'body with a trailing newline', header: good, body: BODY + '\n', ok: false },
    { name: 'missing header', header: undefined, ok: false, reason: /missing X-Hub-Signature-256 header/ },
    { name: 'empty header', header: '', ok: false, reason: /missing X-Hub-Signature-256 header/ },
    { name: 'no sha256= prefix', header: good.slice(7), ok: false, reason: /does not start with "sha256="/ },
    { name: 'SHA-1 style prefix', header: 'sha1=' + good.slice(7), ok: false, reason: /does not start with/ },
    { name: 'not hex', header: 'sha256=' + 'zz'.repeat(32), ok: false, reason: /not a hex signature/ },
    { name: 'odd length', header: good.slice(0, -1), ok: false, reason: /not a hex signature/ },
    { name: 'truncated to 31 bytes', header: good.slice(0, -2), ok: false, reason: /does not match/ },
    { name: 'extended by a byte', header: good + '00', ok: false, reason: /does not match/ },
    { name: 'only the prefix', header: 'sha256=', ok: false, reason: /not a hex signature/ },
    { name: 'huge header', header: 'sha256=' + 'a'.repeat(1_000_000), ok: false, reason: /too long/ },
    { name: 'no secrets configured', header: good, cfg: config([]), ok: false, reason: /no secret is configured/ }
  ]
  for (const c of cases) {
    const result = verify(c.header, c.body ?? BODY, c.cfg ?? config())
    t.equal(result.ok, c.ok, c.name)
    if (!result.ok && c.reason !== undefined) t.match(result.reason, c.reason, `${c.name}: reason`)
  }
})

t.test('the SHA-1 X-Hub-Signature header alone is not accepted', async t => {
  const sha1 = 'sha1=' + createHmac('sha1', SECRET).update(BODY).digest('hex')
  const result = verifySignature(config(), { 'x-hub-signature': sha1 }, Buffer.from(BODY), 0)
  t.same(result, { ok: false, reason: 'missing X-Hub-Signature-256 header' })
})

t.test('binary, invalid UTF-8 and empty bodies', async t => {
  // octokit signs strings only (and refuses empty ones); GitHub's recipe over raw bytes:
  const recipe = (body: Buffer) => 'sha256=' + createHmac('sha256', SECRET).update(body).digest('hex')
  t.equal(recipe(Buffer.from(BODY)), await sign(SECRET, BODY), 'the recipe agrees with octokit')
  const binary = Buffer.from([0x00, 0xff, 0xc0, 0xaf, 0xed, 0xa0, 0x80])
  t.ok(verify(recipe(binary), binary).ok, 'invalid UTF-8 body')
  t.notOk(verify(recipe(Buffer.from(binary.toString('utf8'))), binary).ok, 'lossy UTF-8 copy does not verify')
  t.ok(verify(recipe(Buffer.alloc(0)), Buffer.alloc(0)).ok, 'empty body')
})

t.test('agrees with octokit verify', async t => {
  const headers = [await sign(SECRET, BODY), await sign(OLD_SECRET, BODY), await sign(SECRET, BODY + ' '), 'sha256=00', 'garbage']
  for (const header of headers) {
    t.equal(verify(header).ok, await octokitVerify(SECRET, BODY, header), header)
  }
})

t.test('reasons never reveal the secret or the expected signature', async t => {
  const expected = (await sign(SECRET, BODY)).slice(7)
  for (const header of [await sign('other', BODY), 'sha256=00', 'x', undefined]) {
    const result = verify(header)
    t.notOk(result.ok)
    if (!result.ok) {
      t.notMatch(result.reason, SECRET)
      t.notMatch(result.reason, expected)
    }
  }
})
