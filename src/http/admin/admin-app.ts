import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { RateLimitConfig, TargetConfig } from '../../config/types.js'
import type { Store } from '../../store/store.js'
import rateLimit from '@fastify/rate-limit'
import { BadRequestError, RateLimitedError } from '../../errors.js'
import { packageVersion } from '../../package-root.js'
import { installErrorHandlers } from '../error-handler.js'
import { installHealthRoutes, type HealthCheck } from '../health.js'
import { alertRoutes, type AlertAdmin } from './alert-routes.js'
import { installBearerAuth } from './auth.js'
import { consoleRoutes } from './console-routes.js'
import { describeRoute, installOpenApi } from './openapi.js'
import { deliveryRoutes } from './delivery-routes.js'
import { eventRoutes } from './event-routes.js'
import { statusCodeRoutes } from './status-code-routes.js'
import { targetRoutes } from './target-routes.js'

export interface AdminDeps {
  readonly store: Store
  readonly targets: Readonly<Record<string, TargetConfig>>
  /** Empty: no auth (the listener is then bound to loopback by the caller). */
  readonly token: string
  readonly maxFailedAuthPerMinute?: number
  /** Requests per client address; absent or null: no limit. */
  readonly rateLimit?: RateLimitConfig | null
  readonly health: HealthCheck
  readonly logger: Logger
  readonly wake: () => void
  readonly clock?: () => number
  /** Without it the /admin/alerts routes are not registered. */
  readonly alerter?: AlertAdmin
  /** Served at /metrics in the Prometheus text format, behind the same token. */
  readonly metrics?: { readonly registry: { metrics: () => Promise<string>, contentType: string } }
}

/** The operator listener: inspect, retry, cancel, pause, look up status codes. */
export function buildAdminApp (deps: AdminDeps): FastifyInstance {
  const clock = deps.clock ?? Date.now
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'admin' }) as FastifyBaseLogger,
    bodyLimit: 64 * 1024,
    // Operator actions log their own line; probes and reads stay quiet.
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } }
  })
  installErrorHandlers(app)
  app.addHook('onRoute', describeRoute)
  // Operators often POST with curl -d '' or no body at all: treat empty JSON as "no body".
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = (body as string).trim()
    if (text === '') return done(null, null)
    try {
      done(null, JSON.parse(text))
    } catch (err) {
      done(new BadRequestError(`Body is not valid JSON: ${(err as Error).message}`), undefined)
    }
  })
  installHealthRoutes(app, deps.health)
  installBearerAuth(app, deps.token, { maxFailedPerMinute: deps.maxFailedAuthPerMinute ?? 10, clock })
  const metrics = deps.metrics
  if (metrics !== undefined) {
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()))
  }
  installOpenApi(app, packageVersion())
  consoleRoutes(app)
  // Registered after the OpenAPI plugin so it sees every route.
  void app.register(async (scope) => {
    const limit = deps.rateLimit
    if (limit != null) {
      await scope.register(rateLimit, {
        max: limit.max,
        timeWindow: limit.timeWindowMs,
        addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
        errorResponseBuilder: (_request, context) => new RateLimitedError(`${context.max} per ${context.after}`, Math.ceil(context.ttl / 1000))
      })
    }
    statusCodeRoutes(scope)
    eventRoutes(scope, deps.store)
    deliveryRoutes(scope, { store: deps.store, clock, wake: deps.wake })
    targetRoutes(scope, { store: deps.store, targets: deps.targets, clock, wake: deps.wake })
    if (deps.alerter !== undefined) alertRoutes(scope, { alerter: deps.alerter })
  })
  return app
}
