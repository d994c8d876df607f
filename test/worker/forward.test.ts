import { createServer as createNetServer } from 'node:net'
import t from 'tap'
import { classifyNetworkError, createTargetAgent, forward, SNIPPET_BYTES } from '../../src/worker/forward.js'
import type { LeasedDelivery } from '../../src/store/types.js'
import { makeEvent } from '../helpers/events.js'
import { startTarget } from '../helpers/target-server.js'
import { testTarget } from '../helpers/config.js'

function leased (over: Parameters<typeof makeEvent>[0] = {}): LeasedDelivery {
  const event = makeEvent(over)
  return { id: event.deliveries[0].id, eventId: event.id, target: 'app', attempt: 3, cycleAttempt: 1, cycleStartedAt: 0, event: { ...event, duplicates: 0 } }
}

async function send (url: string, d: LeasedDelivery, over = {}, signal = new AbortController().signal) {
  const target = testTarget('app', url, over)
  const dispatcher = createTargetAgent(target)
  try {
    return await forward({ dispatcher, target, delivery: d, signal, clock: Date.now })
  } finally {
    await dispatcher.close()
  }
}

t.test('sends method, path, query, body bytes and the header rules', async (t) => {
  const target = await startTarget((_r, res) => { res.writeHead(201, { 'X-Reply': 'yes' }).end('created') })
  t.teardown(() => target.close())
  const body = Buffer.from([0xc3, 0x28, 0x00, 0xff])
  const d = leased({
    method: 'PUT',
    path: '/orders/a%2Fb',
    query: 'x=1&y=%20',
    body,
    remoteAddress: '203.0.113.9',
    headers: [
      ['Host', 'sidehook.example.com'], ['Content-Type', 'application/octet-stream'], ['Content-Length', '4'],
      ['Connection', 'keep-alive, X-Secret-Hop'], ['X-Secret-Hop', 'drop me'], ['Keep-Alive', 'timeout=5'],
      ['TE', 'trailers'], ['Upgrade', 'h2c'], ['Proxy-Authorization', 'Basic x'], ['Proxy-Connection', 'close'],
      ['Trailer', 'X'], ['X-Forwarded-For', '198.51.100.1'], ['Stripe-Signature', 't=1,v1=abc'],
      ['X-Multi', 'one'], ['X-Multi', 'two'], ['Authorization', 'Bearer sender'], ['Expect', '100-continue']
    ]
  })
  const r = await send(`${target.url}/hooks?token=abc`, d, { headers: { Authorization: 'Bearer target-secret', 'X-Extra': '1' } })
  t.match(r, { status: 201, error: null })
  t.equal(r.responseBody!.toString(), 'created')
  t.ok(r.responseHeaders!.some(([n, v]) => n === 'x-reply' && v === 'yes'))
  const got = target.received[0]
  t.equal(got.method, 'PUT')
  t.equal(got.url, '/hooks/orders/a%2Fb?token=abc&x=1&y=%20')
  t.same(got.body, body)
  const h = got.headers
  for (const hop of ['expect', 'x-secret-hop', 'keep-alive', 'te', 'upgrade', 'proxy-authorization', 'proxy-connection', 'trailer']) {
    t.notOk(hop in h, `${hop} is not forwarded`)
  }
  t.equal(h.host, `127.0.0.1:${target.port}`, 'Host is the target\'s')
  t.equal(h['content-length'], '4')
  t.equal(h['x-forwarded-for'], '198.51.100.1, 203.0.113.9')
  t.equal(h['x-forwarded-proto'], 'http')
  t.equal(h['x-forwarded-host'], 'sidehook.example.com')
  t.equal(h['sidehook-event-id'], d.eventId)
  t.equal(h['sidehook-delivery-id'], d.id)
  t.equal(h['sidehook-attempt'], '3')
  t.equal(h['stripe-signature'], 't=1,v1=abc')
  t.equal(h.authorization, 'Bearer target-secret', 'the target\'s configured header wins')
  t.equal(h['x-extra'], '1')
  t.equal(h['x-multi'], 'one, two')
})

t.test('redirects are not followed', async (t) => {
  const target = await startTarget((_r, res) => { res.writeHead(302, { Location: '/elsewhere' }).end() })
  t.teardown(() => target.close())
  const r = await send(target.url, leased())
  t.equal(r.status, 302)
  t.equal(target.received.length, 1)
})

t.test('keeps only the first 4 KiB of a large answer', async (t) => {
  const big = Buffer.alloc(1024 * 1024, 'a')
  const target = await startTarget((_r, res) => { res.writeHead(500).end(big) })
  t.teardown(() => target.close())
  const r = await send(target.url, leased())
  t.equal(r.status, 500)
  t.equal(r.responseBody!.length, SNIPPET_BYTES)
})

t.test('a target that hangs is timed out', async (t) => {
  const target = await startTarget(() => { /* never answers */ })
  t.teardown(() => target.close())
  const started = Date.now()
  const r = await send(target.url, leased(), { timeoutMs: 300 })
  t.match(r, { status: null, error: 'timeout' })
  t.ok(Date.now() - started < 2000)
  t.match(r.errorMessage, /300 ms/)
})

t.test('an attempt that times out while waiting for a connection ends on time and never goes out', async (t) => {
  let release: (() => void) | undefined
  const target = await startTarget((_r, res) => {
    if (release === undefined) release = () => res.writeHead(200).end('late')
    else res.writeHead(200).end('ok')
  })
  t.teardown(() => target.close())
  // One connection: the second attempt queues behind the first, which the target holds.
  const config = testTarget('app', target.url, { concurrency: 1, timeoutMs: 5000 })
  const dispatcher = createTargetAgent(config)
  t.teardown(() => dispatcher.close())
  const signal = new AbortController().signal
  const first = forward({ dispatcher, target: config, delivery: leased(), signal, clock: Date.now })
  await target.waitFor(1)
  const started = Date.now()
  const queued = await forward({ dispatcher, target: { ...config, timeoutMs: 200 }, delivery: leased(), signal, clock: Date.now })
  t.match(queued, { status: null, error: 'timeout', responseBody: null })
  t.ok(Date.now() - started < 2000, 'did not wait for the connection to free up')
  release!()
  t.match(await first, { status: 200, error: null })
  t.same(await forward({ dispatcher, target: config, delivery: leased(), signal, clock: Date.now }).then((r) => r.status), 200, 'the connection still works')
  t.equal(target.received.length, 2, 'the timed-out attempt was never sent')
})

t.test('an answer whose body breaks off keeps its status but counts as a network failure', async (t) => {
  const server = createNetServer((s) => {
    s.once('data', () => s.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial'))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  const r = await send(`http://127.0.0.1:${(server.address() as { port: number }).port}`, leased())
  t.equal(r.status, 200)
  t.not(r.error, null)
  t.equal(r.responseBody!.toString(), 'partial')
})

t.test('an attempt whose shutdown signal already fired is not sent', async (t) => {
  const target = await startTarget()
  t.teardown(() => target.close())
  const ac = new AbortController()
  ac.abort()
  t.match(await send(target.url, leased(), {}, ac.signal), { status: null, error: 'aborted' })
  t.equal(target.received.length, 0)
})

t.test('network failures are values, not exceptions', async (t) => {
  const closed = await startTarget()
  const url = closed.url
  await closed.close()
  t.match(await send(url, leased()), { status: null, error: 'connection_refused' })

  const garbage = createNetServer((s) => { s.end('this is not http\r\n\r\n') })
  await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { garbage.close() })
  const port = (garbage.address() as { port: number }).port
  const r = await send(`http://127.0.0.1:${port}`, leased())
  t.equal(r.status, null)
  t.equal(r.error, 'protocol_error', 'an answer that is not HTTP')

  t.match(await send('http://does-not-exist.invalid', leased()), { status: null, error: 'dns_failure' })
})

t.test('an outside abort says aborted', async (t) => {
  const target = await startTarget(() => { /* never answers */ })
  t.teardown(() => target.close())
  const ac = new AbortController()
  setTimeout(() => ac.abort(), 100)
  t.match(await send(target.url, leased(), {}, ac.signal), { error: 'aborted' })
})

t.test('error classification table', async (t) => {
  const cases: Array<[unknown, string]> = [
    [{ code: 'ECONNREFUSED' }, 'connection_refused'],
    [{ code: 'ECONNRESET' }, 'connection_reset'],
    [{ code: 'UND_ERR_SOCKET' }, 'connection_reset'],
    [{ code: 'ENOTFOUND' }, 'dns_failure'],
    [{ code: 'EAI_AGAIN' }, 'dns_failure'],
    [{ code: 'UND_ERR_CONNECT_TIMEOUT' }, 'connect_timeout'],
    [{ code: 'UND_ERR_HEADERS_TIMEOUT' }, 'timeout'],
    [{ code: 'UND_ERR_BODY_TIMEOUT' }, 'timeout'],
    [{ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, 'tls_failure'],
    [{ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }, 'tls_failure'],
    [{ code: 'CERT_HAS_EXPIRED' }, 'tls_failure'],
    [{ code: 'HPE_INVALID_CONSTANT' }, 'protocol_error'],
    [{ name: 'HTTPParserError' }, 'protocol_error'],
    [{ message: 'fetch failed', cause: { code: 'ECONNREFUSED' } }, 'connection_refused'],
    [new Error('weird'), 'network_error'],
    [undefined, 'network_error']
  ]
  for (const [err, want] of cases) t.equal(classifyNetworkError(err), want, JSON.stringify(err))
})
