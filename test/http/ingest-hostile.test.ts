/**
 * In-process checks of the ingest app's answers to hostile senders (the built server gets the
 * same in test/e2e/hostile-*.test.ts): paths that would escape the target URL, the absolute
 * request form, Fastify's and Node's own refusals in our JSON shape, a malformed request inside
 * a pipeline, and senders that dribble bytes.
 */
import { connect } from 'node:net'
import t from 'tap'
import { listenIngest } from '../helpers/ingest.js'
import { hasDotSegment, splitTarget } from '../../src/http/ingest-event.js'
import { parseResponses, rawExchange, rawPost } from '../helpers/raw-http.js'


const json = (body: Buffer) => JSON.parse(body.toString()) as { error: string, message: string, id: string }

t.test('splitTarget and hasDotSegment', async (t) => {
  t.same(splitTarget('/in/s/a/b?x=1&y'), { path: '/a/b', query: 'x=1&y' })
  t.same(splitTarget('/in/s'), { path: '', query: '' })
  t.same(splitTarget('/in/s?'), { path: '', query: '' })
  t.same(splitTarget('http://evil.example/in/s/a?q'), { path: '/a', query: 'q' })
  t.same(splitTarget('HTTPS://h:1/in/s'), { path: '', query: '' })
  for (const p of ['/..', '/.', '/a/../b', '/%2e%2E', '/.%2e/x', '/%2E', '/a\\..\\b', '/x/..']) t.ok(hasDotSegment(p), p)
  for (const p of ['', '/', '/a', '/...', '/.a', '/a.', '/..a', '/%2e%2e%2e', '/..%2f', '/a/b.c']) t.notOk(hasDotSegment(p), p)
})

t.test('dot segments are refused before anything is stored; the absolute form is stored by its suffix', async (t) => {
  const { port, store } = await listenIngest(t)
  for (const path of ['/in/s/../../admin', '/in/s/%2e%2e/x', '/in/s/..\\x', '/in/s/.']) {
    const [res] = parseResponses((await rawExchange(port, rawPost(path, '{}', { Connection: 'close' }))).bytes).responses
    t.equal(res?.status, 400, path)
    t.equal(json(res.body).error, 'bad_request')
  }
  t.equal((await store.listEvents({}, { limit: 10 })).items.length, 0, 'nothing stored')
  const [abs] = parseResponses((await rawExchange(port, rawPost('http://other.example/in/s/x?y=1', '{}', { Connection: 'close' }))).bytes).responses
  t.equal(abs?.status, 202)
  t.match(await store.getEvent(json(abs.body).id), { path: '/x', query: 'y=1' })
})

t.test("Fastify's and Node's own refusals come in the JSON shape", async (t) => {
  const { app, port } = await listenIngest(t)
  const bad = await app.inject({ method: 'POST', url: '/in/s/%ZZ', payload: '{}' })
  t.equal(bad.statusCode, 400)
  t.same(bad.json(), { error: 'bad_request', message: 'The URL path is not valid percent-encoded UTF-8' })
  const long = await app.inject({ method: 'POST', url: `/in/${'x'.repeat(150)}`, payload: '{}' })
  t.equal(long.statusCode, 404)
  t.equal(long.json().error, 'unknown_source')
  const noHost = parseResponses((await rawExchange(port, 'POST /in/s HTTP/1.1\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}')).bytes).responses[0]
  t.equal(noHost?.status, 400, 'HTTP/1.1 without Host')
  t.match(json(noHost.body), { error: 'bad_request', message: /Host/ })
  const http10 = parseResponses((await rawExchange(port, 'POST /in/s HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}')).bytes).responses[0]
  t.equal(http10?.status, 202, 'HTTP/1.0 needs no Host')
  const expect = parseResponses((await rawExchange(port, 'POST /in/s HTTP/1.1\r\nHost: x\r\nConnection: close\r\nExpect: 200-ok\r\nContent-Length: 2\r\n\r\n{}')).bytes).responses[0]
  t.equal(expect?.status, 417)
  t.equal(json(expect.body).error, 'expectation_failed')
  const cont = parseResponses((await rawExchange(port, 'POST /in/s HTTP/1.1\r\nHost: x\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}')).bytes).responses
  t.same(cont.map((r) => r.status), [100, 202], 'Expect: 100-continue still works')
})

t.test('a malformed request in a pipeline is answered after the requests before it', async (t) => {
  const { port, store } = await listenIngest(t)
  const good = (i: number) => rawPost(`/in/s?i=${i}`, `{"i":${i}}`)
  const out = await rawExchange(port, Buffer.concat([good(0), good(1), Buffer.from('NOT HTTP\r\n\r\n'), good(3)]))
  const { responses } = parseResponses(out.bytes)
  t.same(responses.map((r) => r.status), [202, 202, 400])
  t.ok(out.closedByServer)
  const stored = await Promise.all(responses.slice(0, 2).map(async (r) => (await store.getEvent(json(r.body).id))?.query))
  t.same(stored, ['i=0', 'i=1'])
  const broken = await rawExchange(port, Buffer.concat([good(4), Buffer.from('POST /in/s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')]))
  t.same(parseResponses(broken.bytes).responses.map((r) => r.status), [202, 400], 'a broken body of the last request: 400 at once')
  const alone = await rawExchange(port, 'NOT HTTP\r\n\r\n')
  t.same(parseResponses(alone.bytes).responses.map((r) => r.status), [400], 'alone: 400 at once')
})

t.test('a sender dribbling header bytes is cut off by the header timeout, not 30 s later', async (t) => {
  const { port } = await listenIngest(t, { headersTimeoutMs: 500, requestTimeoutMs: 1000, keepAliveTimeoutMs: 1000 })
  const started = Date.now()
  const out = await new Promise<{ bytes: Buffer, ms: number }>((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    let writes = 0
    socket.write('POST /in/s HTTP/1.1\r\nHost: x\r\nX-Slow: ')
    // A byte every 100 ms keeps the socket from ever being idle; at most 150 of them.
    const timer = setInterval(() => { if (writes++ < 150 && socket.writable) socket.write('a'); else clearInterval(timer) }, 100)
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', () => { /* cut off */ })
    socket.on('close', () => { clearInterval(timer); resolve({ bytes: Buffer.concat(chunks), ms: Date.now() - started }) })
  })
  // Node looks for expired requests every connectionsCheckingInterval, 30 s unless set.
  t.ok(out.ms < 10_000, `cut off after ${out.ms} ms`)
  t.equal(parseResponses(out.bytes).responses[0]?.status, 408)
})
