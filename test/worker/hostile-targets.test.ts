/**
 * Hostile targets, one attempt each through forward() against real sockets on 127.0.0.1: every
 * way a target can misbehave ends as a value (never a throw), with the right error code, within
 * the target's time bounds, without buffering what the target floods us with, and with the
 * connection hung up (the target sees it closed, so no socket or timer is left behind).
 * test/worker/hostile-targets-worker.test.ts runs the same targets through the Worker and checks
 * what is recorded.
 */
import { Agent, type Dispatcher } from 'undici'
import t, { type Test } from 'tap'
import type { TargetConfig } from '../../src/config/types.js'
import type { LeasedDelivery } from '../../src/store/types.js'
import { classifyNetworkError, createTargetAgent, forward, SNIPPET_BYTES, type ForwardResult } from '../../src/worker/forward.js'
import { testTarget } from '../helpers/config.js'
import { makeEvent } from '../helpers/events.js'
import { behaviours, closedPortUrl, fullListener, httpsServer, rawServer, tlsFixture, type Behaviour, type HostileServer } from '../helpers/hostile.js'

const MB = 1024 * 1024

function leased (): LeasedDelivery {
  const event = makeEvent({ receivedAt: Date.now() })
  return { id: event.deliveries[0].id, eventId: event.id, target: 'app', attempt: 1, cycleAttempt: 1, cycleStartedAt: event.receivedAt, event: { ...event, duplicates: 0 } }
}

interface Sent {
  readonly r: ForwardResult
  /** Wall time the call took, measured outside forward(). */
  readonly tookMs: number
  /** Highest RSS growth over the RSS before the call, sampled every 10 ms. */
  readonly rssGrowth: number
}

/** One attempt with a fresh agent (or the given one), closed only after the checks. */
async function send (t: Test, url: string, over: Partial<TargetConfig> = {}, dispatcher?: Dispatcher): Promise<Sent> {
  const target = testTarget('app', url, { timeoutMs: 1000, connectTimeoutMs: 500, ...over })
  const agent = dispatcher ?? createTargetAgent(target)
  t.teardown(() => agent.close())
  const rss0 = process.memoryUsage().rss
  let peak = rss0
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 10)
  const started = Date.now()
  try {
    const r = await forward({ dispatcher: agent, target, delivery: leased(), signal: new AbortController().signal, clock: Date.now })
    return { r, tookMs: Date.now() - started, rssGrowth: Math.max(peak, process.memoryUsage().rss) - rss0 }
  } finally {
    clearInterval(sampler)
  }
}

async function serve (t: Test, behave: Behaviour, scheme: 'http' | 'https' = 'http'): Promise<HostileServer> {
  const server = await rawServer(behave, scheme)
  t.teardown(() => server.close())
  return server
}

/** The forwarder hung up: every connection the target accepted is closed, before the agent is. */
async function hungUp (t: Test, server: HostileServer): Promise<void> {
  await server.allClosed()
  t.ok(server.accepted >= 1, 'the target saw the connection')
  t.equal(server.open, 0, 'and saw it closed again')
}

t.test('never answers: timeout after timeoutMs', async (t) => {
  const server = await serve(t, behaviours.neverAnswers())
  const { r, tookMs } = await send(t, server.url, { timeoutMs: 1000 })
  t.match(r, { status: null, error: 'timeout', errorMessage: /1000 ms/, responseBody: null })
  t.ok(r.durationMs >= 900, `not cut short (${r.durationMs} ms)`)
  t.ok(tookMs < 6000, `bounded by the timeout (${tookMs} ms)`)
  await hungUp(t, server)
})

t.test('drips body bytes forever: the total timeout still ends it, the status is kept', async (t) => {
  const server = await serve(t, behaviours.dripsBody())
  // Bytes arrive every 200 ms, far inside the 1000 ms idle limit: only the total bound can stop this.
  const { r, tookMs } = await send(t, server.url, { timeoutMs: 1000 })
  t.match(r, { status: 200, error: 'timeout', errorMessage: /1000 ms/ })
  t.ok(r.responseBody !== null && r.responseBody.length >= 1, 'what arrived is kept')
  t.match(r.responseBody!.toString(), /^x+$/)
  t.ok(r.responseHeaders!.some(([n, v]) => n === 'content-length' && v === '100000'))
  t.ok(tookMs < 6000, `bounded (${tookMs} ms)`)
  await hungUp(t, server)
})

t.test('drips header bytes forever: timeout, no status', async (t) => {
  const server = await serve(t, behaviours.dripsHeaders())
  const { r, tookMs } = await send(t, server.url, { timeoutMs: 1000 })
  t.match(r, { status: null, error: 'timeout', responseHeaders: null, responseBody: null })
  t.ok(tookMs < 6000, `bounded (${tookMs} ms)`)
  await hungUp(t, server)
})

t.test('a status line without end: timeout, and nothing of it is buffered', async (t) => {
  const server = await serve(t, behaviours.endlessStatusLine())
  const { r, tookMs, rssGrowth } = await send(t, server.url, { timeoutMs: 1000 })
  t.match(r, { status: null, error: 'timeout' })
  t.ok(tookMs < 6000, `bounded (${tookMs} ms)`)
  t.ok(server.written > 4 * MB, `the target did flood (${Math.round(server.written / MB)} MiB)`)
  t.ok(rssGrowth < 200 * MB, `RSS grew ${Math.round(rssGrowth / MB)} MiB`)
  await hungUp(t, server)
})

t.test('headers without end: the header size limit stops it as a protocol error', async (t) => {
  const server = await serve(t, behaviours.headerFlood())
  const { r, rssGrowth } = await send(t, server.url, { timeoutMs: 10_000 })
  t.match(r, { status: null, error: 'protocol_error', errorMessage: /Headers Overflow/ })
  t.ok(r.durationMs < 10_000, 'stopped by the limit, not by the timeout')
  t.ok(rssGrowth < 200 * MB, `RSS grew ${Math.round(rssGrowth / MB)} MiB`)
  await hungUp(t, server)
  t.equal(classifyNetworkError({ code: 'UND_ERR_HEADERS_OVERFLOW' }), 'protocol_error')
})

for (const status of [200, 500]) {
  t.test(`a 5 GB body with ${status}: read up to the drain limit, then the connection is dropped`, async (t) => {
    const server = await serve(t, behaviours.hugeBody(status))
    // A generous timeout, so an attempt that ends early ended by the drain limit and not the clock.
    const { r, rssGrowth } = await send(t, server.url, { timeoutMs: 20_000 })
    // The target did answer; the status decides (2xx success, 5xx retry) and the body is evidence only.
    t.match(r, { status, error: null, errorMessage: null })
    t.equal(r.responseBody!.length, SNIPPET_BYTES, 'keeps 4 KiB')
    t.ok(r.responseBody!.every((b) => b === 0))
    t.ok(r.durationMs < 20_000, `ended before the timeout (${r.durationMs} ms)`)
    await hungUp(t, server)
    t.ok(server.written < 64 * MB, `the target got rid of ${Math.round(server.written / MB)} MiB before the hang-up, not 5 GB`)
    t.ok(rssGrowth < 200 * MB, `RSS grew ${Math.round(rssGrowth / MB)} MiB`)
  })
}

t.test('an endless chunked body: same bound without a Content-Length', async (t) => {
  const server = await serve(t, behaviours.endlessChunked())
  const { r, rssGrowth } = await send(t, server.url, { timeoutMs: 20_000 })
  t.match(r, { status: 200, error: null })
  t.equal(r.responseBody!.length, SNIPPET_BYTES)
  t.ok(r.durationMs < 20_000)
  await hungUp(t, server)
  t.ok(server.written < 64 * MB, `${Math.round(server.written / MB)} MiB written`)
  t.ok(rssGrowth < 200 * MB, `RSS grew ${Math.round(rssGrowth / MB)} MiB`)
})

t.test('reset mid-response: connection_reset, with the status and the partial body kept', async (t) => {
  const server = await serve(t, behaviours.resetsMidResponse())
  const { r } = await send(t, server.url)
  t.match(r, { status: 200, error: 'connection_reset' })
  t.equal(r.responseBody!.toString(), 'partial')
  t.ok(r.responseHeaders!.some(([n, v]) => n === 'content-length' && v === '1000'))
  await hungUp(t, server)
})

t.test('not HTTP at all: protocol_error', async (t) => {
  const answers: Array<[string, string | Buffer]> = [
    ['an SSH banner', 'SSH-2.0-OpenSSH_9.6\r\n\r\n'],
    ['binary', Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a])],
    ['an HTML page without a status line', '<html><body>hello</body></html>\r\n\r\n']
  ]
  for (const [name, text] of answers) {
    const server = await serve(t, behaviours.garbage(text))
    const { r } = await send(t, server.url, { timeoutMs: 5000 })
    t.match(r, { status: null, error: 'protocol_error', errorMessage: /does not match the HTTP\/1.1 protocol/ }, name)
    t.ok(r.durationMs < 5000, `${name}: not left to time out`)
    await hungUp(t, server)
  }
})

t.test('hangs up right after accepting: connection_reset, every time', async (t) => {
  // Checked stable over 60 runs each on a loaded machine: a FIN reads as undici's
  // "other side closed" (UND_ERR_SOCKET), an RST as ECONNRESET; both are connection_reset.
  const closes = await serve(t, behaviours.closesOnAccept())
  const resets = await serve(t, behaviours.resetsOnAccept())
  for (let i = 0; i < 5; i++) {
    t.match((await send(t, closes.url)).r, { status: null, error: 'connection_reset', errorMessage: /other side closed/ }, `FIN, run ${i + 1}`)
    t.match((await send(t, resets.url)).r, { status: null, error: 'connection_reset', errorMessage: /ECONNRESET/ }, `RST, run ${i + 1}`)
  }
})

t.test('an http url on an HTTPS port: connection_reset (Node\'s TLS server just closes)', async (t) => {
  const server = await httpsServer('cert.pem')
  t.teardown(() => server.close())
  const { r } = await send(t, server.url.replace('https:', 'http:'))
  t.match(r, { status: null, error: 'connection_reset' })
  await hungUp(t, server)
})

t.test('bad TLS certificates: tls_failure', async (t) => {
  const selfSigned = await httpsServer('cert.pem')
  t.teardown(() => selfSigned.close())
  // The default agent trusts only the public roots, as Sidehook's does.
  t.match((await send(t, selfSigned.url)).r, { status: null, error: 'tls_failure', errorMessage: /self-signed certificate/ }, 'self-signed')
  await hungUp(t, selfSigned)

  // Control: the same server is fine for a client that trusts this certificate, so the failures
  // below are about the certificate and nothing else.
  const trusting = (cert: Parameters<typeof tlsFixture>[0]): Dispatcher => new Agent({ connect: { ca: tlsFixture(cert), timeout: 1000 } })
  t.match((await send(t, selfSigned.url, {}, trusting('cert.pem'))).r, { status: 200, error: null }, 'trusted, it answers')

  const wrongHost = await httpsServer('wrong-host-cert.pem')
  t.teardown(() => wrongHost.close())
  t.match((await send(t, wrongHost.url, {}, trusting('wrong-host-cert.pem'))).r,
    { status: null, error: 'tls_failure', errorMessage: /does not match certificate's altnames/ }, 'certificate for example.invalid used at 127.0.0.1')

  const expired = await httpsServer('expired-cert.pem')
  t.teardown(() => expired.close())
  t.match((await send(t, expired.url, {}, trusting('expired-cert.pem'))).r,
    { status: null, error: 'tls_failure', errorMessage: /certificate has expired/ }, 'expired in 2001')

  const plain = await serve(t, behaviours.plainHttpAnswer(), 'https')
  t.match((await send(t, plain.url)).r, { status: null, error: 'tls_failure', errorMessage: /wrong version number/ }, 'https url on a plain HTTP port')
})

t.test('a TLS handshake that never completes: connect_timeout', async (t) => {
  const server = await serve(t, behaviours.neverAnswers(), 'https')
  const { r, tookMs } = await send(t, server.url, { connectTimeoutMs: 500, timeoutMs: 10_000 })
  t.match(r, { status: null, error: 'connect_timeout', errorMessage: /Connect Timeout/ })
  t.ok(tookMs < 10_000, `the connect timeout ended it (${tookMs} ms)`)
  await hungUp(t, server)
})

t.test('a TCP connect that never completes (accept queue full): connect_timeout', async (t) => {
  const listener = await fullListener()
  if (listener === null) {
    t.plan(0, 'the accept queue cannot be observed here (no /proc/net/tcp)')
    return
  }
  t.teardown(() => listener.close())
  const { r, tookMs } = await send(t, listener.url, { connectTimeoutMs: 500, timeoutMs: 10_000 })
  t.match(r, { status: null, error: 'connect_timeout', errorMessage: /Connect Timeout/ })
  t.ok(tookMs < 10_000, `the connect timeout ended it (${tookMs} ms)`)
})

t.test('a host that does not resolve: dns_failure', async (t) => {
  // RFC 6761: .invalid never resolves, so no lookup can succeed by accident.
  const { r } = await send(t, 'http://sidehook-test.invalid/', { connectTimeoutMs: 5000, timeoutMs: 10_000 })
  t.match(r, { status: null, error: 'dns_failure', errorMessage: /sidehook-test\.invalid/ })
})

t.test('a closed port: connection_refused', async (t) => {
  const { r } = await send(t, await closedPortUrl())
  t.match(r, { status: null, error: 'connection_refused', errorMessage: /ECONNREFUSED/ })
})
