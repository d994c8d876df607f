/**
 * Misbehaving targets on 127.0.0.1:<random port> for the hostile-target tests: raw TCP servers
 * that answer badly on purpose, HTTPS servers with bad certificates, and a listener whose
 * accept queue is full. Each one records the connections it accepted so a test can check that
 * the forwarder hung up on every one of them (nothing left open, no timers left running).
 */
import { readFileSync } from 'node:fs'
import { createServer as createHttpsServer } from 'node:https'
import { connect, createServer as createNetServer, type Server, type Socket } from 'node:net'
import { Worker as Thread } from 'node:worker_threads'

const FIXTURES = new URL('../fixtures/tls/', import.meta.url)

/** The test-only key and certificates under test/fixtures/tls/. */
export function tlsFixture (name: 'key.pem' | 'cert.pem' | 'wrong-host-cert.pem' | 'expired-cert.pem'): Buffer {
  return readFileSync(new URL(name, FIXTURES))
}

export interface Tracked {
  /** Connections accepted so far. */
  readonly accepted: number
  /** Accepted connections not yet closed. */
  readonly open: number
  /** Bytes the server wrote (floods count what they pushed into the socket). */
  written: number
  /** Resolves once every accepted connection is closed; rejects after `timeoutMs`. */
  allClosed (timeoutMs?: number): Promise<void>
}

export interface HostileServer extends Tracked {
  readonly url: string
  readonly port: number
  close (): Promise<void>
}

function track (server: Server): Tracked & { sockets: Set<Socket> } {
  const sockets = new Set<Socket>()
  const started = Date.now()
  const history: string[] = []
  let accepted = 0
  const state = {
    sockets,
    get accepted () { return accepted },
    get open () { return sockets.size },
    written: 0,
    async allClosed (timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs
      while (sockets.size > 0) {
        if (Date.now() > end) throw new Error(`${sockets.size} of ${accepted} connections still open: ${history.join(', ')}`)
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    }
  }
  server.on('connection', (s: Socket) => {
    const n = ++accepted
    sockets.add(s)
    history.push(`#${n} opened at ${Date.now() - started} ms`)
    // The peer hanging up or resetting is what these tests provoke; it is not an error here.
    s.on('error', () => {})
    s.on('close', () => {
      sockets.delete(s)
      history.push(`#${n} closed at ${Date.now() - started} ms after ${s.bytesRead} bytes in`)
    })
  })
  return state
}

async function listen (server: Server, scheme: 'http' | 'https'): Promise<HostileServer> {
  const tracked = track(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return Object.assign(tracked, {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    close (): Promise<void> {
      for (const s of tracked.sockets) s.destroy()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
}

export type Behaviour = (socket: Socket, server: Tracked) => void

/** A plain TCP server that does `behave` with every connection. */
export function rawServer (behave: Behaviour, scheme: 'http' | 'https' = 'http'): Promise<HostileServer> {
  let self: Tracked | undefined
  const server = createNetServer((s) => behave(s, self!))
  return listen(server, scheme).then((h) => { self = h; return h })
}

/** Calls `then` once the request head has arrived; the rest of the request is read and dropped. */
export function afterRequestHead (socket: Socket, then: () => void): void {
  let head = ''
  let done = false
  socket.on('data', (chunk: Buffer) => {
    if (done) return
    head += chunk.toString('latin1')
    if (head.includes('\r\n\r\n')) {
      done = true
      then()
    }
  })
}

/** Writes one character of `text` (cycling) every `everyMs` until the connection closes. */
export function drip (socket: Socket, text: string, everyMs = 200): void {
  let i = 0
  const timer = setInterval(() => {
    if (socket.destroyed) return clearInterval(timer)
    socket.write(text[i++ % text.length])
  }, everyMs)
  socket.on('close', () => clearInterval(timer))
}

/** Writes `chunk` over and over, as fast as the peer reads (never buffering here), until it closes. */
export function flood (socket: Socket, chunk: Buffer, counter: Tracked): void {
  const go = (): void => {
    while (!socket.destroyed) {
      counter.written += chunk.length
      if (!socket.write(chunk)) {
        socket.once('drain', go)
        return
      }
    }
  }
  go()
}

const ZEROS = Buffer.alloc(64 * 1024)

/** The hostile behaviours, each answering only after the request head has arrived. */
export const behaviours = {
  /** Accepts the connection, reads what comes (so it notices the hang-up) and never writes a byte. */
  neverAnswers: (): Behaviour => (s) => { s.resume() },
  /** A valid status line and headers, then one body byte every 200 ms, forever. */
  dripsBody: (): Behaviour => (s) => afterRequestHead(s, () => {
    s.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n')
    drip(s, 'x')
  }),
  /** The status line, then one header byte every 200 ms, forever. */
  dripsHeaders: (): Behaviour => (s) => afterRequestHead(s, () => {
    s.write('HTTP/1.1 200 OK\r\n')
    drip(s, 'X-Slow: abcdefghijklmnopqrstuvwxyz\r\n')
  }),
  /** A status line that never ends, sent as fast as it is read. */
  endlessStatusLine: (): Behaviour => (s, self) => afterRequestHead(s, () => {
    s.write('HTTP/1.1 200 ')
    flood(s, Buffer.alloc(64 * 1024, 'O'), self)
  }),
  /** Headers without end, sent as fast as they are read. */
  headerFlood: (): Behaviour => (s, self) => afterRequestHead(s, () => {
    s.write('HTTP/1.1 200 OK\r\n')
    flood(s, Buffer.from(`X-Junk: ${'a'.repeat(1000)}\r\n`), self)
  }),
  /** Announces a 5 GB body and streams zeros as fast as they are read. */
  hugeBody: (status: number): Behaviour => (s, self) => afterRequestHead(s, () => {
    s.write(`HTTP/1.1 ${status} Whatever\r\nContent-Type: application/octet-stream\r\nContent-Length: 5000000000\r\n\r\n`)
    flood(s, ZEROS, self)
  }),
  /** A chunked body that never ends. */
  endlessChunked: (): Behaviour => (s, self) => afterRequestHead(s, () => {
    s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n')
    flood(s, Buffer.concat([Buffer.from(`${ZEROS.length.toString(16)}\r\n`), ZEROS, Buffer.from('\r\n')]), self)
  }),
  /** Starts a 1000-byte answer, sends 7 bytes of it, then resets the connection (RST). */
  resetsMidResponse: (): Behaviour => (s) => afterRequestHead(s, () => {
    s.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial')
    s.resetAndDestroy()
  }),
  /** Answers with something that is not HTTP and keeps the connection open. */
  garbage: (text: string | Buffer = 'SSH-2.0-OpenSSH_9.6\r\n\r\n'): Behaviour => (s) => afterRequestHead(s, () => { s.write(text) }),
  /** Closes (FIN) as soon as the connection is accepted. */
  closesOnAccept: (): Behaviour => (s) => { s.destroy() },
  /** Resets (RST) as soon as the connection is accepted. */
  resetsOnAccept: (): Behaviour => (s) => { s.resetAndDestroy() },
  /** A plain HTTP server as seen by a TLS client: it answers the ClientHello with an HTTP 400. */
  plainHttpAnswer: (): Behaviour => (s) => { s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')) }
} as const

/** An HTTPS server answering 200 "ok" with the given fixture certificate (and the fixture key). */
export function httpsServer (cert: 'cert.pem' | 'wrong-host-cert.pem' | 'expired-cert.pem'): Promise<HostileServer> {
  const server = createHttpsServer({ key: tlsFixture('key.pem'), cert: tlsFixture(cert) }, (req, res) => {
    req.resume()
    req.on('end', () => res.end('ok'))
  })
  return listen(server, 'https')
}

/** A URL on 127.0.0.1 where nothing listens (the port was just released). */
export async function closedPortUrl (): Promise<string> {
  const server = createNetServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}

/**
 * How many connections wait in the accept queue of the listener on 127.0.0.1:`port`, from
 * /proc/net/tcp (for a listening socket its rx_queue column is that count). Null where there is
 * no such file (not Linux) or no such socket.
 */
function acceptQueueLength (port: number): number | null {
  let text: string
  try { text = readFileSync('/proc/net/tcp', 'utf8') } catch { return null }
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`
  for (const line of text.split('\n').slice(1)) {
    // sl local_address rem_address st tx_queue:rx_queue ...; st 0A is LISTEN.
    const f = line.trim().split(/\s+/)
    if (f[1] === local && f[3] === '0A') return parseInt(f[4].split(':')[1], 16)
  }
  return null
}

export interface FullListener {
  readonly url: string
  close (): Promise<void>
}

/**
 * A listener that never accepts and whose accept queue is full, so Linux drops every further
 * SYN and a connect never completes: the loopback stand-in for an unreachable host. It lives
 * in a worker thread parked in Atomics.wait, so its event loop never accepts; the queue is
 * filled with connections from here, checked against /proc/net/tcp, before it is handed out.
 * Null where the queue cannot be observed (not Linux).
 */
export async function fullListener (): Promise<FullListener | null> {
  const shared = new Int32Array(new SharedArrayBuffer(8))
  const thread = new Thread(`
    const { workerData } = require('node:worker_threads')
    const net = require('node:net')
    const flag = new Int32Array(workerData)
    const server = net.createServer()
    server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      Atomics.store(flag, 1, server.address().port)
      Atomics.notify(flag, 1)
      Atomics.wait(flag, 0, 0)
      server.close()
    })`, { eval: true, workerData: shared.buffer })
  const end = Date.now() + 10_000
  while (Atomics.load(shared, 1) === 0) {
    if (Date.now() > end) throw new Error('the listener thread did not start')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  const port = Atomics.load(shared, 1)
  const fillers: Socket[] = []
  const close = async (): Promise<void> => {
    for (const f of fillers) f.destroy()
    Atomics.store(shared, 0, 1)
    Atomics.notify(shared, 0)
    await thread.terminate()
  }
  if (acceptQueueLength(port) === null) {
    await close()
    return null
  }
  // Open connections one at a time. One that completes, or that the kernel shows queued
  // (its 'connect' event may just be late), did not find the queue full; the first one that
  // does neither within a second had its SYN dropped: the queue is full.
  for (;;) {
    if (Date.now() > end) {
      await close()
      throw new Error(`the accept queue did not fill: ${acceptQueueLength(port)} queued after ${fillers.length} connections`)
    }
    const before = acceptQueueLength(port)!
    const f = connect(port, '127.0.0.1')
    f.on('error', () => {})
    fillers.push(f)
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 1000)
      f.once('connect', () => { clearTimeout(timer); resolve(true) })
    })
    if (!connected && acceptQueueLength(port)! === before) break
  }
  return { url: `http://127.0.0.1:${port}`, close }
}
