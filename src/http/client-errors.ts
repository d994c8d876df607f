import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'

// Errors that happen before a request reaches Fastify (the HTTP parser, header limits,
// timeouts) get the same JSON shape as every other error answer.
const BY_CODE: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'headers_too_large', 'Request headers are larger than the limit'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request_timeout', 'The request was not received in time'],
  ERR_HTTP_HEADERS_TIMEOUT: [408, 'request_timeout', 'The request headers were not received in time']
}
const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }

// Pipelined requests that came before a malformed one were parsed whole and are being answered.
// The error answer must wait for their responses, or it would be read as the answer to the
// first of them and the others would be cut off although they may have been stored. (A request
// whose own body is malformed is incomplete: it gets the error answer instead of a response.)
const unanswered = new WeakMap<Socket, Set<IncomingMessage>>()
const deferred = new WeakMap<Socket, string>()
const refused = new WeakSet<Socket>()

function waitingFor (socket: Socket): boolean {
  for (const req of unanswered.get(socket) ?? []) if (req.complete) return true
  return false
}

/** Keeps each connection's unanswered requests, so an error answer can wait for their responses. */
export function trackResponses (server: Server): void {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket
    let pending = unanswered.get(socket)
    if (pending === undefined) unanswered.set(socket, pending = new Set())
    pending.add(req)
    // 'close' follows 'finish', after the response's bytes were handed to the socket.
    res.once('close', () => {
      pending.delete(req)
      const answer = deferred.get(socket)
      if (answer === undefined || waitingFor(socket)) return
      deferred.delete(socket)
      if (socket.writable) socket.end(answer)
      else socket.destroy()
    })
  })
}

export function clientErrorHandler (this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  // The parser reports its error again for any later data on the connection: answer once.
  if (refused.has(socket)) return
  refused.add(socket)
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const [status, error, message] = BY_CODE[err.code ?? ''] ?? [400, 'bad_request', 'Malformed HTTP request']
  this.log.debug({ code: err.code }, 'Refused a malformed request')
  const body = JSON.stringify({ error, message })
  const answer = `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  if (waitingFor(socket)) deferred.set(socket, answer)
  else socket.end(answer)
}
