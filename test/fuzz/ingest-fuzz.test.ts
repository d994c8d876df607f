/**
 * Seeded fuzz of the ingest route, in process: random methods, paths, query strings, header
 * sets, content types, sender addresses and bodies. Every answer is one of the statuses a
 * sender may see, every refusal is {"error", "message"} JSON, nothing is stored for a refusal,
 * and every 202 stored exactly the bytes, path and query that were sent.
 *
 * Two phases: `app.inject` for volume (its URL goes through WHATWG URL parsing first, so dot
 * segments and backslashes never reach the app that way), then raw request lines over a real
 * socket on 127.0.0.1 for what only a real sender can send. Replay a failure with FUZZ_SEED=<seed>.
 */
import { connect } from 'node:net'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pino } from 'pino'
import t, { type Test } from 'tap'
import { Batcher } from '../../src/batcher.js'
import { buildForwardUrl } from '../../src/core/forward-headers.js'
import { buildIngestApp } from '../../src/http/ingest-app.js'
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import type { InsertResult, NewEvent } from '../../src/store/types.js'
import { testConfig, testSource, testTarget } from '../helpers/config.js'
import { HEADER_VALUE_CHARS, Prng, seedFromEnv, TOKEN_CHARS } from '../helpers/prng.js'
import { shopifyHeaders } from '../helpers/sign.js'

const SEED = seedFromEnv(0x51de400c)
const INJECT_CASES = 3000
const RAW_CASES = 400
const ALLOWED = new Set([202, 400, 401, 404, 405, 413, 415, 429, 431])
const SERVER_BODY_LIMIT = 4096
const MAX_HEADERS = 30
const SHOPIFY_SECRET = 'fuzz-secret'
const TARGET_URL = 'http://127.0.0.1:9/hooks/base'

const SOURCES = { shop: ['a', 'b'], small: ['a'], sh: ['a'], dd: ['b'] } as const

async function setup (t: Test, rateLimit: { max: number, timeWindowMs: number } | null) {
  const dir = t.testdir()
  const store = new SqliteStore({ path: join(dir, 'outbox.db'), durability: 'normal' })
  const commits = new Batcher<NewEvent, InsertResult>((events) => store.insertEvents(events))
  const config = testConfig(join(dir, 'x.db'), [testTarget('a', TARGET_URL), testTarget('b', 'http://127.0.0.1:9/')], [
    testSource('shop', ['a', 'b']),
    testSource('small', ['a'], { bodyLimit: 64 }),
    testSource('sh', ['a'], { verify: { scheme: 'shopify', secrets: [SHOPIFY_SECRET] } }),
    testSource('dd', ['b'], { dedupe: { mode: 'auto', windowMs: 60_000 } })
  ])
  const app = buildIngestApp({
    config: {
      ...config,
      server: { ...config.server, bodyLimit: SERVER_BODY_LIMIT, maxHeadersCount: MAX_HEADERS, rateLimit }
    },
    logger: pino({ level: 'silent' }),
    health: { ready: () => store.checkWritable() },
    commit: (e) => commits.add(e)
  })
  t.teardown(async () => { await app.close(); await store.close() })
  return { app, store }
}

// ---- generators ---------------------------------------------------------------------------

const METHODS: ReadonlyArray<readonly [number, string]> = [
  [40, 'POST'], [8, 'PUT'], [8, 'PATCH'], [8, 'DELETE'], [5, 'GET'], [3, 'HEAD'], [3, 'OPTIONS'],
  [1, 'TRACE'], [1, 'PROPFIND'], [1, 'SEARCH'], [1, 'QUERY'], [1, 'LOCK'], [1, 'M-SEARCH'], [1, 'PURGE'], [1, 'MKCOL'], [1, 'post']
]

const SOURCE_SEGMENTS: ReadonlyArray<readonly [number, string]> = [
  [12, 'shop'], [4, 'small'], [4, 'sh'], [4, 'dd'], [1, 'nope'], [1, ''], [1, '%73hop'], [1, 'SHOP'], [1, 'shop%2F'], [1, '__proto__'],
  [1, 'constructor'], [1, 'toString'], [1, 'x'.repeat(64)], [1, 'x'.repeat(101)], [1, 'ü'], [1, '%ZZ'], [1, '%'], [1, '%E2%82'],
  [1, '%00'], [1, '%C0%AF'], [1, 'sh op'], [1, 'shop;x=1']
]

const PATH_CHARS = [...'abcXYZ019-._~!$&\'()*+,;=:@', '%20', '%2F', '%2f', '%25', '%00', '%ff', '%E2%9C%93', '%', '%Z', '%ZZ', '%e2%82', 'é', '✓', '💥', '\u0000']
const QUERY_CHARS = [...PATH_CHARS, '?', '/', '&', '=', '==', '&&', '[]', '%5B%5D', '#']

function randomPath (r: Prng): string {
  const prefix = r.weighted<string>([
    [20, 'in'], [1, '/'], [1, '/in'], [1, '/healthz'], [1, '/readyz'], [1, '/IN/shop'], [1, '//in/shop'], [1, '/in//shop'], [1, '/admin/events'], [1, '/random']
  ])
  let path = prefix === 'in' ? `/in/${r.weighted(SOURCE_SEGMENTS)}` : prefix
  if (r.chance(0.5)) {
    const segments = r.int(1, 5)
    for (let i = 0; i < segments; i++) path += '/' + r.string(r.int(0, 12), PATH_CHARS)
  }
  if (r.chance(0.03)) path += '/' + 'p'.repeat(r.int(2000, 8000))
  if (r.chance(0.4)) path += '?' + r.string(r.int(0, 30), QUERY_CHARS)
  if (r.chance(0.02)) path += '?' + 'q='.repeat(r.int(500, 3000))
  return path
}

const HEADER_NAMES = [
  'content-type', 'content-length', 'transfer-encoding', 'x-github-delivery', 'webhook-id', 'idempotency-key', 'x-forwarded-for',
  'x-forwarded-proto', 'host', 'connection', 'expect', 'user-agent', 'x-shopify-hmac-sha256', 'authorization', 'cookie',
  'accept-encoding', 'content-encoding', 'trailer', 'te', 'upgrade', 'keep-alive', 'x-hub-signature-256', 'sidehook-event-id'
]
const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/octet-stream', 'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x', 'application/vnd.github+json', 'text/plain;charset=utf-8;', 'application/json; charset',
  '', ' ', 'json', 'a/b/c', '*/*', ';;;', 'application/json, text/plain', 'text/plain; charset=\u00ff', 'x/y; q="unterminated'
]

function randomHeaders (r: Prng): Record<string, string> {
  const headers: Record<string, string> = {}
  const n = r.weighted<number>([[10, r.int(0, 6)], [2, r.int(7, MAX_HEADERS - 5)], [1, r.int(MAX_HEADERS - 2, MAX_HEADERS + 10)]])
  for (let i = 0; i < n; i++) {
    const name = r.chance(0.4) ? r.pick(HEADER_NAMES) : `x-${r.string(r.int(1, 20), TOKEN_CHARS)}`
    headers[name.toLowerCase()] = r.string(r.int(0, r.chance(0.05) ? 2000 : 40), HEADER_VALUE_CHARS).trim()
  }
  if (r.chance(0.7)) headers['content-type'] = r.pick(CONTENT_TYPES)
  else if (r.chance(0.5)) delete headers['content-type']
  // A forged Content-Length or Transfer-Encoding is the raw phase's business: inject frames the body itself.
  if (r.chance(0.9)) delete headers['content-length']
  if (r.chance(0.7)) delete headers['transfer-encoding']
  return headers
}

function randomBody (r: Prng): Buffer {
  return r.weighted<() => Buffer>([
    [3, () => Buffer.alloc(0)],
    [5, () => r.bytes(r.int(1, 300))],
    [2, () => r.bytes(r.int(50, 80))],
    [1, () => r.bytes(r.int(SERVER_BODY_LIMIT - 50, SERVER_BODY_LIMIT + 50))],
    [3, () => Buffer.from(JSON.stringify({ id: `evt_${r.int(0, 20)}`, n: r.int(0, 1e6), s: r.string(r.int(0, 30), HEADER_VALUE_CHARS) }))],
    [2, () => Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xed, 0xa0, 0x80, 0xef, 0xbb, 0xbf].slice(0, r.int(1, 17)))],
    [1, () => Buffer.from('\uFEFF{"bom":true}')],
    [1, () => Buffer.from(r.string(r.int(1, 200), ['a', 'é', '✓', '💥', '\u0000', '\r\n']))]
  ])()
}

const ADDRESSES = ['127.0.0.1', '127.0.0.1', '127.0.0.1', '10.0.0.1', '10.0.0.2', '192.0.2.7', '::1', '2001:db8::1', '::ffff:10.1.2.3', 'not-an-ip', '']

interface Case {
  readonly n: number
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly body: Buffer
  readonly chunked: boolean
  readonly remoteAddress: string
}

function randomCase (r: Prng, n: number): Case {
  const method = r.weighted(METHODS)
  const url = randomPath(r)
  const headers = randomHeaders(r)
  const body = randomBody(r)
  if (url.startsWith('/in/sh') && r.chance(0.4)) Object.assign(headers, shopifyHeaders(body, SHOPIFY_SECRET))
  if (url.startsWith('/in/dd') && r.chance(0.5)) headers['x-github-delivery'] = `d-${r.int(0, 15)}`
  const remoteAddress = r.chance(0.3) ? '127.0.0.1' : r.chance(0.8) ? `10.${r.int(0, 3)}.${r.int(0, 255)}.${r.int(1, 254)}` : r.pick(ADDRESSES)
  // A streamed body is what a chunked request looks like to the app; a real one always says so.
  const chunked = body.length > 0 && r.chance(0.1)
  if (chunked) headers['transfer-encoding'] = 'chunked'
  return { n, method, url, headers, body, chunked, remoteAddress }
}

// ---- checks -------------------------------------------------------------------------------

/** What inject turns a URL into before the app sees it (light-my-request's parse-url). */
function asInjected (url: string): { pathname: string, query: string } {
  const u = url.startsWith('//') ? new URL('http://localhost' + url) : new URL(url, 'http://localhost')
  return { pathname: u.pathname, query: u.search.slice(1) }
}

/** The path suffix after /in/<source>, from an origin-form pathname. */
function suffixOf (pathname: string): string {
  const end = pathname.indexOf('/', '/in/'.length)
  return end === -1 ? '' : pathname.slice(end)
}

function errorShapeProblem (status: number, contentType: unknown, text: string): string | undefined {
  if (!String(contentType ?? '').startsWith('application/json')) return `status ${status} with content-type ${String(contentType)}`
  let body: unknown
  try { body = JSON.parse(text) } catch { return `status ${status} with a body that is not JSON: ${text.slice(0, 200)}` }
  const { error, message } = (body ?? {}) as { error?: unknown, message?: unknown }
  if (typeof error !== 'string' || !/^[a-z][a-z_]*$/.test(error)) return `status ${status}: "error" is not a code: ${text.slice(0, 300)}`
  if (typeof message !== 'string' || message === '') return `status ${status}: no message: ${text.slice(0, 300)}`
  return undefined
}

function describeCase (c: Case): string {
  const headers = Object.entries(c.headers).map(([k, v]) => `${k}: ${v.slice(0, 40)}`).join(' | ')
  return `#${c.n} ${c.method} ${c.url.slice(0, 200)} from ${JSON.stringify(c.remoteAddress)} [${headers.slice(0, 400)}] body ${c.body.length} bytes${c.chunked ? ' (chunked)' : ''}`
}

t.test(`ingest fuzz through inject, seed ${SEED}, ${INJECT_CASES} cases (replay with FUZZ_SEED=${SEED})`, async (t) => {
  const { app, store } = await setup(t, { max: 40, timeWindowMs: 600_000 })
  const r = new Prng(SEED)
  const cases = Array.from({ length: INJECT_CASES }, (_, n) => randomCase(r, n))
  const failures: string[] = []
  const statuses = new Map<number, number>()
  let stored = 0
  const fail = (c: Case, why: string) => { if (failures.length < 8) failures.push(`${describeCase(c)}\n    ${why}`) }

  const runOne = async (c: Case) => {
    const res = await app.inject({
      method: c.method as 'POST',
      url: c.url,
      headers: c.headers,
      payload: c.chunked ? Readable.from([c.body.subarray(0, 1), c.body.subarray(1)]) : c.body,
      remoteAddress: c.remoteAddress
    })
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
    const probe = res.statusCode === 200 && /^\/(healthz|readyz)(\?|$)/.test(c.url)
    if (!ALLOWED.has(res.statusCode) && !probe) return fail(c, `status ${res.statusCode}: ${res.body.slice(0, 300)}`)
    if (probe) return
    if (res.statusCode !== 202) {
      if (c.method.toUpperCase() === 'HEAD') return
      const problem = errorShapeProblem(res.statusCode, res.headers['content-type'], res.body)
      if (problem !== undefined) fail(c, problem)
      return
    }
    const answer = res.json() as { id: string, duplicate?: boolean, deliveries?: Array<{ id: string, target: string }> }
    const event = await store.getEvent(answer.id)
    if (event === undefined || event === null) return fail(c, `202 ${res.body} but no event ${answer.id} is stored`)
    if (answer.duplicate === true) return
    stored++
    const { pathname, query } = asInjected(c.url)
    const source = decodeURIComponent(pathname.split('/')[2] ?? '')
    const want = { source, method: c.method.toUpperCase(), path: suffixOf(pathname), query }
    const got = { source: event.source, method: event.method, path: event.path, query: event.query }
    if (JSON.stringify(got) !== JSON.stringify(want)) fail(c, `stored ${JSON.stringify(got)}, sent ${JSON.stringify(want)}`)
    if (!event.body.equals(c.body)) fail(c, `stored body of ${event.body.length} bytes differs from the ${c.body.length} sent`)
    const targets = (SOURCES as Record<string, readonly string[]>)[source] ?? []
    if (JSON.stringify(answer.deliveries?.map((d) => d.target)) !== JSON.stringify(targets)) fail(c, `deliveries ${JSON.stringify(answer.deliveries)}`)
  }

  // Sixteen at a time, so group commit batches requests as it does under real load.
  for (let i = 0; i < cases.length; i += 16) {
    await Promise.all(cases.slice(i, i + 16).map((c) => runOne(c).catch((err: Error) => fail(c, `inject threw: ${err.stack ?? String(err)}`))))
  }

  t.same(failures, [], 'every answer is allowed, every refusal is JSON, every 202 stored what was sent')
  const histogram = Object.fromEntries([...statuses].sort(([a], [b]) => a - b))
  t.comment(`statuses: ${JSON.stringify(histogram)}; ${stored} events stored`)
  for (const status of ALLOWED) t.ok(statuses.has(status), `the fuzz reached status ${status}`)
  let total = 0
  let before: string | null | undefined
  for (let pages = 0; before !== null && pages < 100; pages++) {
    const page = await store.listEvents({}, before === undefined ? { limit: 500 } : { limit: 500, before })
    total += page.items.length
    before = page.next
  }
  t.equal(total, stored, 'exactly the acknowledged, non-duplicate webhooks are stored; no refusal left anything behind')
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'still healthy')
})

// ---- raw request lines over a socket --------------------------------------------------------

const RAW_SEGMENTS = [
  '.', '..', '%2e', '%2E', '%2e%2e', '.%2e', '%2E.', '..%2f', '...', '.hidden', 'a.b', 'x', 'orders', '%2F', '%5C', '\\', '..\\..',
  'a\\b', '.\t.', '.%09.', '%2e\n', '%ZZ', '%', '%00', '~', ';', ';..', "'", '"', '<', '>', '{', '}', '|', '^', '`', '[', ']', '@', ':', ''
]

interface RawCase { readonly n: number, readonly target: string, readonly body: Buffer }

function randomRawCase (r: Prng, n: number): RawCase {
  let path = r.chance(0.8) ? `/in/${r.pick(['shop', 'shop', 'small', 'dd', 'nope'])}` : r.pick(['/in/%73hop', '/in/shop/..', '/in/./shop', '/in/x/../shop'])
  for (let i = r.int(0, 5); i > 0; i--) path += '/' + r.pick(RAW_SEGMENTS)
  if (r.chance(0.1)) path += '/' + r.pick(RAW_SEGMENTS) + r.pick(RAW_SEGMENTS)
  if (r.chance(0.3)) path += '?' + r.pick(['a=1', '../x', '%ZZ', 'a=..%2F..', '', '?', 'x=\\'])
  const target = r.weighted<string>([[8, path], [1, `http://evil.example${path}`], [1, `HTTP://127.0.0.1:1${path}`]])
  return { n, target, body: r.bytes(r.int(0, 40)) }
}

function rawRequest (port: number, head: string, body: Buffer): Promise<{ status: number, headers: string, body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('no answer within 10 s')) }, 10_000)
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', () => { /* a reset after the answer: what was read is the answer */ })
    socket.on('close', () => {
      clearTimeout(timer)
      const text = Buffer.concat(chunks).toString('latin1')
      const split = text.indexOf('\r\n\r\n')
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text)
      resolve({ status: m === null ? 0 : Number(m[1]), headers: text.slice(0, split), body: split === -1 ? '' : text.slice(split + 4) })
    })
    socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]))
  })
}

t.test(`ingest fuzz over raw sockets, seed ${SEED}, ${RAW_CASES} cases (replay with FUZZ_SEED=${SEED})`, async (t) => {
  // No rate limit: every raw request comes from 127.0.0.1.
  const { app, store } = await setup(t, null)
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  const port = Number(new URL(address).port)
  const r = new Prng(SEED ^ 0x7a7a7a7a)
  const cases = Array.from({ length: RAW_CASES }, (_, n) => randomRawCase(r, n))
  const failures: string[] = []
  const statuses = new Map<number, number>()
  const fail = (c: RawCase, why: string) => { if (failures.length < 40) failures.push(`#${c.n} POST ${JSON.stringify(c.target)}: ${why}`) }

  const runOne = async (c: RawCase) => {
    const head = `POST ${c.target} HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/octet-stream\r\nContent-Length: ${c.body.length}\r\nConnection: close\r\n\r\n`
    const res = await rawRequest(port, head, c.body)
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
    if (!ALLOWED.has(res.status)) return fail(c, `status ${res.status}: ${res.headers} ${res.body.slice(0, 200)}`)
    const type = /^content-type: *(.*)$/im.exec(res.headers)?.[1]
    if (res.status !== 202) {
      const problem = errorShapeProblem(res.status, type, res.body)
      if (problem !== undefined) fail(c, problem)
      return
    }
    const answer = JSON.parse(res.body) as { id: string, duplicate?: boolean }
    const event = await store.getEvent(answer.id)
    if (event === undefined || event === null) return fail(c, `202 but event ${answer.id} is not stored`)
    if (answer.duplicate === true) return
    // The request target as sent, reduced to origin form (RFC 9112 3.2.2: absolute form is allowed).
    const originForm = c.target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '')
    const q = originForm.indexOf('?')
    const pathname = q === -1 ? originForm : originForm.slice(0, q)
    const want = { path: suffixOf(pathname), query: q === -1 ? '' : originForm.slice(q + 1) }
    const got = { path: event.path, query: event.query }
    if (JSON.stringify(got) !== JSON.stringify(want)) fail(c, `stored ${JSON.stringify(got)}, sent ${JSON.stringify(want)}`)
    if (!event.body.equals(c.body)) fail(c, 'stored body differs from the one sent')
    // What the worker will request: it must stay under the target's own path.
    const forwarded = new URL(buildForwardUrl(TARGET_URL, event.path, event.query))
    if (forwarded.host !== '127.0.0.1:9' || !forwarded.pathname.startsWith('/hooks/base')) {
      fail(c, `accepted, and would be forwarded to ${forwarded.href}: outside the target's URL ${TARGET_URL}`)
    }
  }

  for (let i = 0; i < cases.length; i += 8) {
    await Promise.all(cases.slice(i, i + 8).map((c) => runOne(c).catch((err: Error) => fail(c, `threw: ${err.message}`))))
  }
  t.same(failures, [], 'every answer is allowed and JSON; what is accepted is stored as sent and forwarded under the target URL')
  t.comment(`statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`)
  t.ok(statuses.has(202) && statuses.has(400), 'both accepted and refused requests were seen')
})
