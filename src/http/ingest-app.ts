import type { IncomingMessage, ServerResponse } from 'node:http'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import type { Config, SourceConfig } from '../config/types.js'
import { verifySignature } from '../core/signatures/index.js'
import {
  BadRequestError, BodyTooLargeError, InvalidSignatureError, RateLimitedError, ShuttingDownError, StorageUnavailableError, TooManyHeadersError,
  UnknownSourceError
} from '../errors.js'
import type { InsertResult, NewEvent } from '../store/types.js'
import rateLimit from '@fastify/rate-limit'
import { clientErrorHandler, trackResponses } from './client-errors.js'
import { installErrorHandlers } from './error-handler.js'
import { hasDotSegment, splitTarget, toEvent } from './ingest-event.js'
import { installHealthRoutes, type HealthCheck } from './health.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The Content-Type header of an ingest request, held aside while Fastify reads the body. */
    sidehookContentType: string | undefined
  }
}

export interface IngestDeps {
  readonly config: Config
  /** Resolves once the event and its deliveries are durably committed (or found to be a duplicate). */
  readonly commit: (event: NewEvent) => Promise<InsertResult>
  readonly health: HealthCheck
  readonly logger: Logger
  readonly clock?: () => number
  /** Told about every answer on /in/*: accepted, duplicate, or rejected with its error code. */
  readonly observe?: (source: string, result: 'accepted' | 'duplicate' | 'rejected', reason: string, seconds: number) => void
}

const METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const
const STORAGE_RETRY_AFTER_S = 5

const acceptedSchema = {
  202: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      duplicate: { type: 'boolean' },
      deliveries: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, target: { type: 'string' } } } }
    }
  }
}

/** The public listener: /in/<source>[/*] stores the request and answers 202 after the commit. */
export function buildIngestApp (deps: IngestDeps): FastifyInstance {
  const { config } = deps
  const clock = deps.clock ?? Date.now
  const server = config.server
  const maxBody = Math.max(server.bodyLimit, ...Object.values(config.sources).map((s) => s.bodyLimit))
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'ingest' }) as FastifyBaseLogger,
    bodyLimit: maxBody,
    // One line per webhook would be the loudest thing in the log; errors are logged where they happen.
    logController: new LogController({ disableRequestLogging: true }),
    // A child logger per request (with pino's redaction) costs more than the rest of the
    // route; ingest logs carry the source and event ids instead of a request id.
    childLoggerFactory: (logger) => logger,
    // Our own hook answers during shutdown, with the JSON shape and a Retry-After.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    trustProxy: server.trustProxy,
    // Slow or idle clients must not hold sockets forever.
    requestTimeout: server.requestTimeoutMs,
    keepAliveTimeout: server.keepAliveTimeoutMs,
    connectionTimeout: server.requestTimeoutMs + server.keepAliveTimeoutMs,
    // requireHostHeader: Node would refuse a Host-less HTTP/1.1 request itself with an empty
    // body; the hook below refuses it with the usual JSON instead.
    // connectionsCheckingInterval: Node looks for expired header and request timeouts only this
    // often (30 s by default), so a client dribbling bytes would outlive both by that much.
    http: {
      maxHeaderSize: server.maxHeaderBytes,
      headersTimeout: server.headersTimeoutMs,
      requireHostHeader: false,
      connectionsCheckingInterval: Math.min(1000, server.headersTimeoutMs)
    },
    clientErrorHandler,
    // Fastify answers a malformed percent-encoding or an over-long path parameter itself, in
    // another JSON shape; the only parameter here is the source name, at most 64 characters.
    frameworkErrors: (err, _request, res) => {
      const reply = res as FastifyReply
      if (err.code === 'FST_ERR_BAD_URL') return reply.code(400).send({ error: 'bad_request', message: 'The URL path is not valid percent-encoded UTF-8' })
      if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return reply.code(404).send({ error: 'unknown_source', message: 'Unknown source: the name is longer than any source name' })
      return reply.send(err)
    }
  })
  // Node drops headers past maxHeadersCount without a word; one more than the limit lets the
  // hook below see the excess and refuse the request instead of forwarding it incomplete.
  app.server.maxHeadersCount = server.maxHeadersCount + 1
  trackResponses(app.server)
  // Node's own answer to an Expect other than 100-continue is a 417 without a body.
  app.server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    const body = JSON.stringify({ error: 'expectation_failed', message: 'Only "Expect: 100-continue" is supported' })
    res.writeHead(417, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body)
  })
  installErrorHandlers(app)
  let closing = false
  app.addHook('preClose', async () => { closing = true })
  // Hooks on the ingest path take a callback instead of returning a promise: one promise and
  // one microtask less per hook and request, and they do nothing asynchronous anyway.
  app.addHook('onRequest', (request, reply, done) => {
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      done(new BadRequestError('An HTTP/1.1 request needs a Host header'))
      return
    }
    if (closing) {
      void reply.header('Retry-After', '5').header('Connection', 'close')
      done(new ShuttingDownError())
      return
    }
    done()
  })
  installHealthRoutes(app, deps.health)

  // Bodies are kept as the exact bytes received, whatever the content type claims.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => { done(null, body) })

  const sourceOf = (request: FastifyRequest): SourceConfig => {
    const name = (request.params as { source: string }).source
    const source = Object.hasOwn(config.sources, name) ? config.sources[name] : undefined
    if (source === undefined) throw new UnknownSourceError(name)
    return source
  }

  // Refuse before reading the body: unknown sources, too many headers, declared sizes over the source's limit.
  const check = (request: FastifyRequest): void => {
    const source = sourceOf(request)
    if (hasDotSegment(splitTarget(request.raw.url ?? '/').path)) {
      throw new BadRequestError('The path after /in/<source> must not hold "." or ".." segments: the target would receive another path')
    }
    if (request.raw.rawHeaders.length / 2 > server.maxHeadersCount) throw new TooManyHeadersError(server.maxHeadersCount)
    const declared = Number(request.headers['content-length'])
    if (declared > source.bodyLimit) throw new BodyTooLargeError(source.bodyLimit)
  }
  // Fastify answers 415 to a Content-Type it cannot parse ("json", "a/b/c") before any handler
  // runs, and a sender would get that answer on every retry. The body is kept as bytes whatever
  // the type says, so Fastify is shown no Content-Type at all (its catch-all parser reads the
  // body), and the handler puts the header back. The stored and forwarded headers come from
  // rawHeaders, untouched.
  app.decorateRequest('sidehookContentType', undefined)
  const precheck = (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void => {
    try {
      check(request)
    } catch (err) {
      done(err as Error)
      return
    }
    const type = request.headers['content-type']
    if (type !== undefined) {
      request.sidehookContentType = type
      request.headers['content-type'] = undefined
    }
    done()
  }

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.sidehookContentType !== undefined) request.headers['content-type'] = request.sidehookContentType
    const source = sourceOf(request)
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
    if (body.length > source.bodyLimit) throw new BodyTooLargeError(source.bodyLimit)
    const now = clock()
    if (source.verify !== null) {
      const verdict = verifySignature(source.verify, request.headers as Record<string, string | undefined>, body, now)
      if (!verdict.ok) throw new InvalidSignatureError(verdict.reason)
    }
    const event = toEvent(request, source, body, now)
    if (request.log.level === 'trace') {
      request.log.trace({ source: source.name, method: event.method, path: event.path, headers: request.headers, size: body.length }, 'Webhook received')
    }
    let result: InsertResult
    try {
      result = await deps.commit(event)
    } catch (err) {
      if (err instanceof StorageUnavailableError) {
        request.log.error({ err, source: source.name }, 'Could not store a webhook; answered 503')
        void reply.header('Retry-After', String(STORAGE_RETRY_AFTER_S))
      }
      throw err
    }
    if (result.duplicateOf !== null) {
      request.log.info({ source: source.name, eventId: result.duplicateOf, dedupeKey: event.dedupeKey }, 'Duplicate webhook acknowledged without storing it')
      return reply.code(202).send({ id: result.duplicateOf, duplicate: true })
    }
    return reply.code(202).send({ id: event.id, deliveries: event.deliveries })
  }

  void app.register(async (scope) => {
    const observe = deps.observe
    if (observe !== undefined) {
      // onSend sees every answer, including the rate limiter's and the error handler's.
      scope.addHook('onSend', (request, reply, payload, done) => {
        const source = (request.params as { source?: string }).source ?? ''
        const seconds = reply.elapsedTime / 1000
        if (reply.statusCode === 202) {
          observe(source, typeof payload === 'string' && payload.includes('"duplicate":true') ? 'duplicate' : 'accepted', '', seconds)
        } else {
          let reason = String(reply.statusCode)
          try { reason = (JSON.parse(String(payload)) as { error?: string }).error ?? reason } catch { /* keep the status */ }
          observe(source, 'rejected', reason, seconds)
        }
        done(null, payload)
      })
    }
    if (server.rateLimit !== null) {
      await scope.register(rateLimit, {
        max: server.rateLimit.max,
        timeWindow: server.rateLimit.timeWindowMs,
        // Per source and sender address: one noisy sender cannot starve the others.
        keyGenerator: (request) => `${(request.params as { source?: string }).source ?? ''}|${request.ip}`,
        addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
        errorResponseBuilder: (_request, context) => new RateLimitedError(`${context.max} per ${context.after}`, Math.ceil(context.ttl / 1000))
      })
    }
    for (const url of ['/in/:source', '/in/:source/*']) {
      scope.route({ method: [...METHODS], url, onRequest: precheck, handler, schema: { response: acceptedSchema } })
      scope.route({
        method: ['GET', 'HEAD', 'OPTIONS'],
        url,
        config: { rateLimit: false },
        handler: async (request, reply) => {
          sourceOf(request)
          return reply.code(405).header('Allow', METHODS.join(', '))
            .send({ error: 'method_not_allowed', message: `Webhooks are accepted with ${METHODS.join(', ')}` })
        }
      })
    }
  })
  return app
}
