import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import type { Config, SourceConfig } from '../config/types.js'
import { dedupeKey } from '../core/dedupe-key.js'
import { verifySignature } from '../core/signatures/index.js'
import { BodyTooLargeError, InvalidSignatureError, StorageUnavailableError, UnknownSourceError } from '../errors.js'
import { newId } from '../ids.js'
import type { InsertResult, NewEvent } from '../store/types.js'
import { installErrorHandlers } from './error-handler.js'
import { installHealthRoutes, type HealthCheck } from './health.js'

export interface IngestDeps {
  readonly config: Config
  /** Resolves once the event and its deliveries are durably committed (or found to be a duplicate). */
  readonly commit: (event: NewEvent) => Promise<InsertResult>
  readonly health: HealthCheck
  readonly logger: Logger
  readonly clock?: () => number
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
  const maxBody = Math.max(config.server.bodyLimit, ...Object.values(config.sources).map((s) => s.bodyLimit))
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'ingest' }) as FastifyBaseLogger,
    bodyLimit: maxBody,
    // One line per webhook would be the loudest thing in the log; errors are logged where they happen.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    forceCloseConnections: 'idle'
  })
  installErrorHandlers(app)
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

  // Refuse before reading the body: unknown sources and declared sizes over the source's limit.
  const precheck = async (request: FastifyRequest): Promise<void> => {
    const source = sourceOf(request)
    const declared = Number(request.headers['content-length'])
    if (declared > source.bodyLimit) throw new BodyTooLargeError(source.bodyLimit)
  }

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const source = sourceOf(request)
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
    if (body.length > source.bodyLimit) throw new BodyTooLargeError(source.bodyLimit)
    const now = clock()
    if (source.verify !== null) {
      const verdict = verifySignature(source.verify, request.headers as Record<string, string | undefined>, body, now)
      if (!verdict.ok) throw new InvalidSignatureError(verdict.reason)
    }
    const event = toEvent(request, source, body, now)
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

  for (const url of ['/in/:source', '/in/:source/*']) {
    app.route({ method: [...METHODS], url, onRequest: precheck, handler, schema: { response: acceptedSchema } })
    app.route({
      method: ['GET', 'HEAD', 'OPTIONS'],
      url,
      handler: async (_request, reply) => reply.code(405).header('Allow', METHODS.join(', '))
        .send({ error: 'method_not_allowed', message: `Webhooks are accepted with ${METHODS.join(', ')}` })
    })
  }
  return app
}

function toEvent (request: FastifyRequest, source: SourceConfig, body: Buffer, now: number): NewEvent {
  const raw = request.raw
  const url = raw.url ?? '/'
  const q = url.indexOf('?')
  const pathname = q === -1 ? url : url.slice(0, q)
  // The suffix is taken from the raw URL so percent-encoding reaches the target unchanged.
  const prefixEnd = pathname.indexOf('/', '/in/'.length)
  const path = prefixEnd === -1 ? '' : pathname.slice(prefixEnd)
  const pairs: Array<[string, string]> = []
  const rh = raw.rawHeaders
  for (let i = 0; i < rh.length; i += 2) pairs.push([rh[i], rh[i + 1]])
  const id = newId('evt', now)
  return {
    id,
    source: source.name,
    method: request.method,
    path,
    query: q === -1 ? '' : url.slice(q + 1),
    headers: pairs,
    body,
    remoteAddress: request.ip,
    receivedAt: now,
    dedupeKey: source.dedupe === null ? null : dedupeKey(source.dedupe, request.headers, body),
    dedupeSince: source.dedupe === null ? now : now - source.dedupe.windowMs,
    deliveries: source.targets.map((target) => ({ id: newId('dlv', now), target }))
  }
}
