/**
 * Raw HTTP/1.1 over node:net on 127.0.0.1, for requests no HTTP client would send: broken
 * framing, odd request lines, pipelines, bodies dribbled out chunk by chunk.
 */
import { connect, type Socket } from 'node:net'

export interface RawOutcome {
  /** Everything the server wrote. */
  readonly bytes: Buffer
  /** True when the server closed (FIN or reset) before `waitMs`; false when we gave up. */
  readonly closedByServer: boolean
  readonly ms: number
}

/**
 * Writes `parts` (one socket write each, a turn of the event loop apart) and collects what the
 * server sends until it closes the connection or `waitMs` pass.
 */
export function rawExchange (port: number, parts: Array<string | Buffer> | string | Buffer, waitMs = 10_000): Promise<RawOutcome> {
  const list = Array.isArray(parts) ? parts : [parts]
  return new Promise((resolve) => {
    const started = Date.now()
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    let done = false
    const finish = (closedByServer: boolean) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ bytes: Buffer.concat(chunks), closedByServer, ms: Date.now() - started })
    }
    const timer = setTimeout(() => finish(false), waitMs)
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('end', () => finish(true))
    socket.on('close', () => finish(true))
    // A reset after the answer is one way of closing; what was read is the answer.
    socket.on('error', () => finish(true))
    socket.once('connect', () => { void writeAll(socket, list) })
  })
}

async function writeAll (socket: Socket, parts: ReadonlyArray<string | Buffer>): Promise<void> {
  for (const part of parts) {
    if (socket.destroyed) return
    const ok = socket.write(typeof part === 'string' ? Buffer.from(part, 'latin1') : part)
    if (!ok) await new Promise((resolve) => socket.once('drain', resolve))
    if (parts.length > 1) await new Promise((resolve) => setImmediate(resolve))
  }
}

export interface RawResponse {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: Buffer
}

/**
 * Splits a byte stream into HTTP/1.1 responses framed by Content-Length or chunked encoding.
 * Stops at anything it cannot frame and returns what it parsed so far, with the rest.
 */
export function parseResponses (bytes: Buffer, opts: { headRequests?: boolean } = {}): { responses: RawResponse[], rest: Buffer } {
  const responses: RawResponse[] = []
  let at = 0
  for (let guard = 0; guard < 10_000 && at < bytes.length; guard++) {
    const end = bytes.indexOf('\r\n\r\n', at)
    if (end === -1) break
    const head = bytes.subarray(at, end).toString('latin1').split('\r\n')
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(head[0])
    if (m === null) break
    const headers: Record<string, string> = {}
    for (const line of head.slice(1)) {
      const colon = line.indexOf(':')
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
    }
    let bodyStart = end + 4
    let body: Buffer
    const status = Number(m[1])
    if (opts.headRequests === true || status === 204 || status === 304 || (status >= 100 && status < 200)) {
      body = Buffer.alloc(0)
    } else if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
      const parts: Buffer[] = []
      let ok = false
      for (let g = 0; g < 100_000; g++) {
        const lineEnd = bytes.indexOf('\r\n', bodyStart)
        if (lineEnd === -1) break
        const size = parseInt(bytes.subarray(bodyStart, lineEnd).toString('latin1'), 16)
        if (!Number.isFinite(size)) break
        if (size === 0) {
          const trailerEnd = bytes.indexOf('\r\n\r\n', lineEnd - 2)
          if (trailerEnd === -1) break
          bodyStart = trailerEnd + 4
          ok = true
          break
        }
        parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size))
        bodyStart = lineEnd + 2 + size + 2
      }
      if (!ok) break
      body = Buffer.concat(parts)
    } else {
      const length = Number(headers['content-length'] ?? 0)
      if (bodyStart + length > bytes.length) break
      body = bytes.subarray(bodyStart, bodyStart + length)
      bodyStart += length
    }
    responses.push({ status, headers, body })
    at = bodyStart
  }
  return { responses, rest: bytes.subarray(at) }
}

/** A request with a Content-Length body. */
export function rawPost (target: string, body: Buffer | string, headers: Record<string, string> = {}): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body) : body
  const lines = Object.entries({ Host: 'hostile.test', 'Content-Type': 'application/octet-stream', ...headers, 'Content-Length': String(b.length) })
    .map(([k, v]) => `${k}: ${v}\r\n`).join('')
  return Buffer.concat([Buffer.from(`POST ${target} HTTP/1.1\r\n${lines}\r\n`, 'latin1'), b])
}

/** The body as chunked-encoding pieces of 1 to `maxChunk` bytes, each its own socket write. */
export function chunkedParts (head: string, body: Buffer, sizes: () => number, trailers = '', extension = ''): Buffer[] {
  const parts: Buffer[] = [Buffer.from(head, 'latin1')]
  for (let at = 0; at < body.length;) {
    const n = Math.min(Math.max(1, sizes()), body.length - at)
    parts.push(Buffer.concat([Buffer.from(`${n.toString(16)}${extension}\r\n`), body.subarray(at, at + n), Buffer.from('\r\n')]))
    at += n
  }
  parts.push(Buffer.from(`0\r\n${trailers}\r\n`, 'latin1'))
  return parts
}
