import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { TargetConfig } from '../../config/types.js'
import type { Store } from '../../store/store.js'
import { installErrorHandlers } from '../error-handler.js'
import { installHealthRoutes, type HealthCheck } from '../health.js'
import { installBearerAuth } from './auth.js'
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
  readonly health: HealthCheck
  readonly logger: Logger
  readonly wake: () => void
  readonly clock?: () => number
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
  // Operators often POST with curl -d '' or no body at all: treat empty JSON as "no body".
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = (body as string).trim()
    if (text === '') return done(null, null)
    try {
      done(null, JSON.parse(text))
    } catch (err) {
      const e = err as Error & { statusCode?: number, code?: string }
      e.statusCode = 400
      e.code = 'bad_request'
      e.message = `Body is not valid JSON: ${e.message}`
      done(e, undefined)
    }
  })
  installHealthRoutes(app, deps.health)
  installBearerAuth(app, deps.token, { maxFailedPerMinute: deps.maxFailedAuthPerMinute ?? 10, clock })
  statusCodeRoutes(app)
  eventRoutes(app, deps.store)
  deliveryRoutes(app, { store: deps.store, clock, wake: deps.wake })
  targetRoutes(app, { store: deps.store, targets: deps.targets, clock, wake: deps.wake })
  return app
}
