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

export function clientErrorHandler (this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const [status, error, message] = BY_CODE[err.code ?? ''] ?? [400, 'bad_request', 'Malformed HTTP request']
  this.log.debug({ code: err.code }, 'Refused a malformed request')
  const body = JSON.stringify({ error, message })
  socket.end(`HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
}
