/**
 * Hostile senders against the built server (issue 4, item 7), over raw sockets on 127.0.0.1:
 * broken framing and header syntax, odd request lines and paths, awkward bodies, pipelines.
 * Every refusal is a 4xx with a JSON body or a closed connection, never a 5xx or a crash;
 * every accepted body is stored and forwarded byte for byte. Idle connections and memory
 * growth are in hostile-load.test.ts. Replay the random bodies with FUZZ_SEED=<seed>.
 */
import { existsSync } from 'node:fs'
import t from 'tap'
import { request } from 'undici'
import { Prng, seedFromEnv } from '../helpers/prng.js'
import { chunkedParts, parseResponses, rawExchange, rawPost, type RawOutcome } from '../helpers/raw-http.js'
import { MAIN, ServerProcess, writeConfig } from '../helpers/spawn-server.js'
import { startTarget } from '../helpers/target-server.js'

if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first (npm test does)`)

const SEED = seedFromEnv(0x4057113)
const MAX_HEADER_BYTES = 8192

const target = await startTarget()
t.teardown(() => target.close())
const server = new ServerProcess(writeConfig(t.testdir(), {
  server: {
    host: '127.0.0.1', port: 0, rateLimit: false, maxHeaderBytes: MAX_HEADER_BYTES,
    headersTimeoutMs: 2000, requestTimeoutMs: 3000, keepAliveTimeoutMs: 1000
  },
  targets: { app: { url: `${target.url}/hooks/base`, retry: { initialDelayMs: 100, maxDelayMs: 500 } } },
  sources: { s: { targets: ['app'], dedupe: false } }
}), { LOG_LEVEL: 'info' })
t.teardown(async () => { if (server.child.exitCode === null) await server.kill('SIGKILL') })
const urls = await server.ready()
const port = Number(new URL(urls.ingest).port)

async function healthz (): Promise<number> {
  const res = await request(`${urls.ingest}/healthz`, { headersTimeout: 10_000, bodyTimeout: 10_000 })
  await res.body.dump()
  return res.statusCode
}

interface StoredEvent { id: string, path: string, query: string, body: string | null, bodyEncoding: 'utf8' | 'base64' | null, size: number }

async function storedEvent (id: string): Promise<StoredEvent> {
  const res = await request(`${urls.admin}/admin/events/${id}`)
  if (res.statusCode !== 200) throw new Error(`GET /admin/events/${id}: ${res.statusCode} ${await res.body.text()}`)
  return await res.body.json() as StoredEvent
}

function storedBytes (e: StoredEvent): Buffer {
  if (e.body === null) return Buffer.alloc(0)
  return Buffer.from(e.body, e.bodyEncoding === 'base64' ? 'base64' : 'utf8')
}

/** The one response in `out`, or undefined when the server closed without answering. */
function single (out: RawOutcome) {
  const { responses, rest } = parseResponses(out.bytes)
  return { response: responses[0], count: responses.length, rest }
}

function isErrorJson (body: Buffer): boolean {
  try {
    const j = JSON.parse(body.toString('utf8')) as { error?: unknown, message?: unknown }
    return typeof j.error === 'string' && /^[a-z][a-z_]*$/.test(j.error) && typeof j.message === 'string' && j.message !== ''
  } catch {
    return false
  }
}

const CL2 = 'Content-Length: 2\r\n\r\n{}'
type Expect = ReadonlyArray<number | 'closed'>

/** Request bytes, and what may come back: the listed statuses, with a JSON error body, or a close without a word. */
const MALFORMED: ReadonlyArray<readonly [string, string, Expect]> = [
  ['space in a header name', `POST /in/s HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n${CL2}`, [400]],
  ['separator in a header name', `POST /in/s HTTP/1.1\r\nHost: x\r\nBad(Name): v\r\n${CL2}`, [400]],
  ['control character in a header value', `POST /in/s HTTP/1.1\r\nHost: x\r\nX-V: a\x01b\r\n${CL2}`, [400]],
  ['DEL in a header value', `POST /in/s HTTP/1.1\r\nHost: x\r\nX-V: a\x7fb\r\n${CL2}`, [400]],
  ['header line without a colon', `POST /in/s HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n${CL2}`, [400]],
  ['space before the colon', `POST /in/s HTTP/1.1\r\nHost: x\r\nContent-Length : 2\r\n\r\n{}`, [400]],
  ['NUL in a header name', `POST /in/s HTTP/1.1\r\nHost: x\r\nX-\x00A: v\r\n${CL2}`, [400]],
  ['NUL in a header value', `POST /in/s HTTP/1.1\r\nHost: x\r\nX-A: v\x00w\r\n${CL2}`, [400]],
  ['NUL in the request target', `POST /in/s\x00x HTTP/1.1\r\nHost: x\r\n${CL2}`, [400]],
  ['raw UTF-8 in the request target', `POST /in/s/\xc3\xa9 HTTP/1.1\r\nHost: x\r\n${CL2}`, [400]],
  ['tab inside a dot segment', `POST /in/s/.\t./x HTTP/1.1\r\nHost: x\r\n${CL2}`, [400]],
  ['obs-fold continuation with a space', `POST /in/s HTTP/1.1\r\nHost: x\r\nX-Fold: a\r\n  b\r\n${CL2}`, [400]],
  ['obs-fold continuation with a tab', `POST /in/s HTTP/1.1\r\nHost: x\r\nX-Fold: a\r\n\tb\r\n${CL2}`, [400]],
  ['two different Content-Length headers', 'POST /in/s HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}x', [400]],
  ['two equal Content-Length headers', 'POST /in/s HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}', [400]],
  ['a Content-Length list', 'POST /in/s HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 3\r\n\r\n{}x', [400]],
  ['a negative Content-Length', 'POST /in/s HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}', [400]],
  ['a Content-Length past 2^64', 'POST /in/s HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n{}', [400]],
  ['Content-Length and Transfer-Encoding', 'POST /in/s HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n', [400]],
  ['Transfer-Encoding: gzip alone', 'POST /in/s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n{}', [400]],
  ['chunked not last in Transfer-Encoding', 'POST /in/s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n2\r\n{}\r\n0\r\n\r\n', [400]],
  ['a chunk size that overflows', 'POST /in/s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n{}\r\n0\r\n\r\n', [400]],
  ['a chunk longer than its size', 'POST /in/s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc\r\n0\r\n\r\n', [400]],
  ['a request line over the header limit', `POST /in/s?${'a'.repeat(MAX_HEADER_BYTES + 100)} HTTP/1.1\r\nHost: x\r\n${CL2}`, [431]],
  ['one header value over the limit', `POST /in/s HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(MAX_HEADER_BYTES + 100)}\r\n${CL2}`, [431]],
  ['an absurd method', `FROBNICATE /in/s HTTP/1.1\r\nHost: x\r\n${CL2}`, [400]],
  ['a 5000-character method', `${'A'.repeat(5000)} /in/s HTTP/1.1\r\nHost: x\r\n\r\n`, [400, 431]],
  ['a lower-case method', `post /in/s HTTP/1.1\r\nHost: x\r\n${CL2}`, [400]],
  ['an HTTP/0.9 request line', 'GET /healthz\r\n', ['closed', 400, 408]],
  ['the HTTP/2 connection preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00', [400, 'closed']],
  ['HTTP/3.0 in the request line', `POST /in/s HTTP/3.0\r\nHost: x\r\n${CL2}`, [400, 505]],
  ['a garbled version', `POST /in/s HTTP/1.x\r\nHost: x\r\n${CL2}`, [400]],
  ['bare LF line ends', 'POST /in/s HTTP/1.1\nHost: x\nContent-Length: 2\n\n{}', [400]],
  ['bare CR line ends', 'POST /in/s HTTP/1.1\rHost: x\rContent-Length: 2\r\r{}', [400]],
  ['a TLS ClientHello', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' + 'x'.repeat(50), [400, 'closed']],
  ['CONNECT', 'CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: x\r\n\r\n', ['closed', 400, 404, 405]],
  ['no Host header in HTTP/1.1', `POST /in/s HTTP/1.1\r\nConnection: close\r\n${CL2}`, [400]],
  ['an Expect the server cannot meet', `POST /in/s HTTP/1.1\r\nHost: x\r\nConnection: close\r\nExpect: 200-ok\r\n${CL2}`, [417]]
]

t.test('malformed requests: a 4xx JSON answer or a closed connection, never a 5xx; the server stays healthy', async (t) => {
  const r = new Prng(SEED)
  const cases = [...MALFORMED, ['random binary instead of a request', r.bytes(600).toString('latin1'), [400, 431, 'closed']] as const]
  const before = target.received.length
  // Concurrently: the ones the server waits out (HTTP/0.9) take a few seconds each.
  await Promise.all(cases.map(async ([name, bytes, expect]) => {
    const out = await rawExchange(port, bytes, 15_000)
    const { response, count } = single(out)
    if (response === undefined) {
      t.ok(expect.includes('closed') && out.bytes.length === 0, `${name}: closed without an answer after ${out.ms} ms`)
      t.ok(out.closedByServer, `${name}: the server closed the connection`)
    } else {
      t.ok(expect.includes(response.status), `${name}: ${response.status}`)
      t.ok(response.status < 500, `${name}: not a 5xx`)
      t.ok(isErrorJson(response.body), `${name}: JSON error body ${response.body.toString().slice(0, 120)}`)
      t.equal(count, 1, `${name}: one answer`)
      t.ok(out.closedByServer, `${name}: the connection is closed after the refusal`)
    }
    t.equal(await healthz(), 200, `${name}: /healthz still 200 afterwards`)
  }))
  t.equal(server.child.exitCode, null, 'the server is still running')
  t.equal(target.received.length, before, 'nothing was forwarded')
  t.same(server.lines.filter((l) => l.level >= 50).map((l) => l.msg), [], 'no error was logged')
})

t.test('paths a sender should not be able to use', async (t) => {
  const before = target.received.length
  // The forwarder's URL parser resolves dot segments (also %2e, also after a backslash).
  for (const path of ['/in/s/../../admin', '/in/s/%2e%2e/%2E%2E/admin', '/in/s/.%2e/x', '/in/s/..\\..\\admin', '/in/s/a/..', '/in/s/./x', '/in/s/%2e']) {
    const { response } = single(await rawExchange(port, rawPost(path, '{}', { Connection: 'close' })))
    t.equal(response?.status, 400, `${path}: refused`)
    t.ok(response !== undefined && isErrorJson(response.body), `${path}: JSON error`)
  }
  const bad = single(await rawExchange(port, rawPost('/in/s/%ZZ', '{}', { Connection: 'close' }))).response
  t.equal(bad?.status, 400, 'bad percent-encoding: 400')
  t.match(JSON.parse(bad?.body.toString() ?? '{}'), { error: 'bad_request' }, 'in the usual JSON shape')
  const long = single(await rawExchange(port, rawPost(`/in/${'x'.repeat(200)}`, '{}', { Connection: 'close' }))).response
  t.equal(long?.status, 404, 'a source name longer than any: 404')
  t.match(JSON.parse(long?.body.toString() ?? '{}'), { error: 'unknown_source' })

  // Absolute form (RFC 9112 3.2.2) is legal: it must reach the same place as the origin form.
  const abs = single(await rawExchange(port, rawPost('http://evil.example/in/s/a?z=1', 'abs', { Connection: 'close' }))).response
  t.equal(abs?.status, 202, 'absolute-form request target: 202')
  const id = JSON.parse(abs?.body.toString() ?? '{}').id as string
  t.match(await storedEvent(id), { path: '/a', query: 'z=1' }, 'stored with the origin-form suffix')
  await target.waitFor(before + 1)
  t.same(target.received.slice(before).map((r) => r.url), ['/hooks/base/a?z=1'], 'only the accepted one was forwarded, under the target URL')
})

t.test(`awkward bodies are stored and forwarded byte for byte (seed ${SEED})`, async (t) => {
  const r = new Prng(SEED ^ 0x2222)
  const head = (extra = '') => `POST /in/s HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n${extra}`
  const bodies: Array<{ name: string, body: Buffer, parts: Array<string | Buffer>, todo?: string }> = []
  const add = (name: string, body: Buffer, parts?: Array<string | Buffer>, todo?: string) =>
    bodies.push({ name, body, parts: parts ?? [rawPost('/in/s', body, { Connection: 'close' })], todo })
  add('invalid UTF-8', Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xed, 0xa0, 0x80, 0xc0, 0xaf, 0xff, 0xfe]))
  add('a lone surrogate in CESU-8', Buffer.from([0x7b, 0xed, 0xb0, 0x80, 0x7d]))
  add('NUL bytes', Buffer.from([0, 0, 0x7b, 0, 0x7d, 0]))
  add('one random byte', r.bytes(1))
  add('1 KB random binary', r.bytes(1000))
  add('100 KB random binary', r.bytes(100_000))
  add('text that looks like HTTP', Buffer.from('\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nPOST /in/s HTTP/1.1\r\n\r\n'))
  add('UTF-8 with multi-byte characters', Buffer.from('{"text":"héllo ✓ 💥 \u2028"}'))
  add('UTF-8 with a byte order mark', Buffer.from('\uFEFF{"bom":true}'))
  add('empty, Content-Length: 0', Buffer.alloc(0))
  add('empty, no Content-Length', Buffer.alloc(0), [`${head()}\r\n`])
  add('empty, chunked', Buffer.alloc(0), [`${head('Transfer-Encoding: chunked\r\n')}\r\n`, '0\r\n\r\n'])
  const tiny = r.bytes(600)
  add('600 bytes in 1-3 byte chunks, one write each', tiny, chunkedParts(`${head('Transfer-Encoding: chunked\r\n')}\r\n`, tiny, () => r.int(1, 3)))
  const ext = Buffer.from('{"chunk":"extensions"}')
  add('chunks with extensions', ext, chunkedParts(`${head('Transfer-Encoding: chunked\r\n')}\r\n`, ext, () => 4, '', ';name=value;flag'))
  const trailed = r.bytes(300)
  add('chunked with trailers', trailed, chunkedParts(`${head('Transfer-Encoding: chunked\r\nTrailer: X-Checksum, X-Other\r\n')}\r\n`, trailed, () => r.int(1, 64), 'X-Checksum: abc\r\nX-Other: 1\r\n'))
  const split = r.bytes(2000)
  const whole = rawPost('/in/s', split, { Connection: 'close' })
  add('Content-Length body split into 100 writes', split, Array.from({ length: 100 }, (_, i) => whole.subarray(Math.floor(i * whole.length / 100), Math.floor((i + 1) * whole.length / 100))))

  const before = target.received.length
  const accepted: Array<{ name: string, id: string, body: Buffer }> = []
  for (const b of bodies) {
    const { response } = single(await rawExchange(port, b.parts))
    t.equal(response?.status, 202, `${b.name}: 202`)
    if (response?.status !== 202) continue
    const id = JSON.parse(response.body.toString()).id as string
    accepted.push({ name: b.name, id, body: b.body })
    const stored = await storedEvent(id)
    t.equal(stored.size, b.body.length, `${b.name}: stored size ${b.body.length}`)
    t.ok(stored.bodyEncoding === 'utf8' || stored.bodyEncoding === 'base64', `${b.name}: bodyEncoding ${stored.bodyEncoding}`)
    t.ok(storedBytes(stored).equals(b.body), `${b.name}: the admin API returns the same bytes`, b.todo === undefined ? {} : { todo: b.todo })
  }
  await target.waitFor(before + accepted.length, 30_000)
  const byEvent = new Map(target.received.slice(before).map((rcv) => [String(rcv.headers['sidehook-event-id']), rcv]))
  for (const a of accepted) {
    const got = byEvent.get(a.id)
    t.ok(got?.body.equals(a.body), `${a.name}: the target received exactly the bytes sent`)
    t.equal(got?.url, '/hooks/base', `${a.name}: at the target URL`)
  }
})

t.test('50 pipelined requests on one socket: 50 answers in order, all stored', async (t) => {
  const r = new Prng(SEED ^ 0x5050)
  const bodies = Array.from({ length: 50 }, () => r.bytes(r.int(0, 2000)))
  const requests = bodies.map((body, i) => rawPost(`/in/s?i=${i}`, body, i === 49 ? { Connection: 'close' } : {}))
  const out = await rawExchange(port, Buffer.concat(requests), 30_000)
  const { responses, rest } = parseResponses(out.bytes)
  t.equal(responses.length, 50, '50 answers')
  t.equal(rest.length, 0, 'nothing else on the wire')
  t.ok(responses.every((res) => res.status === 202), 'all 202')
  const events = await Promise.all(responses.map((res) => storedEvent(JSON.parse(res.body.toString()).id as string)))
  t.same(events.map((e) => e.query), bodies.map((_, i) => `i=${i}`), 'the n-th answer belongs to the n-th request')
  t.ok(events.every((e, i) => storedBytes(e).equals(bodies[i])), 'every body stored as sent')
})

t.test('a malformed request inside a pipeline: earlier requests are answered first, then the refusal', async (t) => {
  const good = (i: number) => rawPost(`/in/s?p=${i}`, `{"p":${i}}`)
  const out = await rawExchange(port, Buffer.concat([good(0), good(1), good(2), Buffer.from('GARBAGE\r\n\r\n'), good(4)]), 15_000)
  const { responses } = parseResponses(out.bytes)
  t.same(responses.map((res) => res.status), [202, 202, 202, 400], 'three 202s, then the 400')
  t.ok(isErrorJson(responses[3]?.body ?? Buffer.alloc(0)), 'the refusal is JSON')
  t.ok(out.closedByServer, 'and the connection is closed')
  const events = await Promise.all(responses.slice(0, 3).map((res) => storedEvent(JSON.parse(res.body.toString()).id as string)))
  t.same(events.map((e) => e.query), ['p=0', 'p=1', 'p=2'], 'the three acknowledged requests are stored, in order')

  const big = await rawExchange(port, Buffer.concat([good(5), Buffer.from(`POST /in/s HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(MAX_HEADER_BYTES + 10)}\r\n\r\n`)]), 15_000)
  t.same(parseResponses(big.bytes).responses.map((res) => res.status), [202, 431], 'a 202, then the 431 for the oversized headers')
  // Here the broken request is the one being read: it gets the 400 instead of an answer.
  const brokenBody = await rawExchange(port, Buffer.concat([good(6), Buffer.from('POST /in/s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc\r\n')]), 15_000)
  t.same(parseResponses(brokenBody.bytes).responses.map((res) => res.status), [202, 400], 'a 202, then the 400 for the broken chunked body')
  t.equal(await healthz(), 200)
  t.same(server.lines.filter((l) => l.level >= 50).map((l) => l.msg), [], 'no error was logged')
})
