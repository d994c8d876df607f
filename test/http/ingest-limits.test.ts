import { connect } from 'node:net'
import t from 'tap'
import { listenIngest } from '../helpers/ingest.js'
import { DEFAULTS } from '../../src/config/defaults.js'


/** Sends raw bytes and resolves with everything the server wrote before closing or `waitMs`. */
function raw (port: number, data: string | Buffer, waitMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let got = ''
    const timer = setTimeout(() => { socket.destroy(); resolve(got) }, waitMs)
    socket.on('data', (c) => { got += c.toString() })
    socket.on('close', () => { clearTimeout(timer); resolve(got) })
    socket.on('error', () => { /* reset by the server: what was read is the answer */ })
    socket.write(data)
  })
}

t.test('rate limit per source and sender: 429 with Retry-After', async (t) => {
  const { app } = await listenIngest(t, { rateLimit: { max: 3, timeWindowMs: 60_000 } })
  const codes: number[] = []
  let limited: Awaited<ReturnType<typeof app.inject>> | undefined
  for (let i = 0; i < 5; i++) {
    const res = await app.inject({ method: 'POST', url: '/in/s', payload: '{}' })
    codes.push(res.statusCode)
    if (res.statusCode === 429) limited = res
  }
  t.same(codes, [202, 202, 202, 429, 429])
  t.match(limited!.json(), { error: 'rate_limited', message: /retry in \d+ s/ })
  t.ok(Number(limited!.headers['retry-after']) > 0, 'Retry-After is set')
  t.equal((await app.inject({ method: 'POST', url: '/in/t', payload: '{}' })).statusCode, 202, 'another source has its own budget')
  t.equal((await app.inject({ method: 'POST', url: '/in/s', payload: '{}', remoteAddress: '10.0.0.9' })).statusCode, 202, 'another sender has its own budget')
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'health is never limited')
})

t.test('too many headers or too large headers: 431, nothing stored', async (t) => {
  const { port, store } = await listenIngest(t, { maxHeadersCount: 20, maxHeaderBytes: 4096 })
  const many = Array.from({ length: 25 }, (_, i) => `X-H${i}: v\r\n`).join('')
  const a = await raw(port, `POST /in/s HTTP/1.1\r\nHost: x\r\n${many}Content-Length: 2\r\nConnection: close\r\n\r\n{}`)
  t.match(a, /^HTTP\/1.1 431/)
  t.match(a, /"error":"headers_too_large"/)
  const big = await raw(port, `POST /in/s HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(8000)}\r\nContent-Length: 2\r\n\r\n{}`)
  t.match(big, /^HTTP\/1.1 431/)
  t.match(big, /"error":"headers_too_large"/)
  const ok = await raw(port, 'POST /in/s HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}')
  t.match(ok, /^HTTP\/1.1 202/)
  t.equal((await store.listEvents({}, { limit: 10 })).items.length, 1)
})

t.test('malformed requests get a JSON 400', async (t) => {
  const { port } = await listenIngest(t, {})
  for (const bad of ['GARBAGE\r\n\r\n', 'POST /in/s HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 'POST /in/s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n']) {
    const res = await raw(port, bad)
    t.match(res, /^HTTP\/1.1 400/, JSON.stringify(bad))
    t.match(res, /"error":"bad_request"/)
  }
})

t.test('a client that never finishes its headers is cut off', async (t) => {
  const { port } = await listenIngest(t, { headersTimeoutMs: 500, requestTimeoutMs: 1000 })
  const started = Date.now()
  const res = await raw(port, 'POST /in/s HTTP/1.1\r\nHost: x\r\nX-Slow: ', 10_000)
  t.ok(Date.now() - started < 8000, `closed after ${Date.now() - started} ms`)
  t.match(res, /^HTTP\/1.1 408/, 'answered 408 when the headers timeout passed')
  t.match(res, /"error":"request_timeout"/)
})

t.test('pipelined requests are each answered, in order', async (t) => {
  const { port, store } = await listenIngest(t, {})
  const one = (i: number) => `POST /in/s?i=${i} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}`
  const res = await raw(port, one(1) + one(2) + one(3).replace('Host: x', 'Host: x\r\nConnection: close'))
  t.equal(res.match(/HTTP\/1.1 202/g)?.length, 3)
  const events = (await store.listEvents({}, { limit: 10 })).items
  t.same(events.map((e) => e.query).sort(), ['i=1', 'i=2', 'i=3'])
})

t.test('trustProxy decides whose address the rate limit counts; the stored sender is the TCP peer', async (t) => {
  t.equal(DEFAULTS.server.trustProxy, false)
  for (const trustProxy of [false, true]) {
    const { app, store } = await listenIngest(t, { trustProxy, rateLimit: { max: 1, timeWindowMs: 60_000 } })
    const send = (client: string) => app.inject({ method: 'POST', url: '/in/s', payload: '{}', headers: { 'x-forwarded-for': client } })
    const first = await send('203.0.113.7')
    const second = await send('203.0.113.8')
    t.equal(second.statusCode, trustProxy ? 202 : 429, `trustProxy ${trustProxy}: two clients behind one proxy ${trustProxy ? 'are' : 'are not'} told apart`)
    t.equal((await store.getEvent(first.json().id))!.remoteAddress, '127.0.0.1', 'the peer is stored, so forwarding appends it to X-Forwarded-For')
  }
})
