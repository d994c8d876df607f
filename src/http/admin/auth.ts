import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { RateLimitedError, UnauthorizedError } from '../../errors.js'
import { isConsoleRoute } from './console-routes.js'
import { FailedAuthLimiter } from './failed-auth-limiter.js'
import { OPEN_DOC_PREFIXES } from './openapi.js'

const OPEN_ROUTES = new Set(['/healthz', '/readyz'])

function digest (value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

/**
 * Requires `Authorization: Bearer <token>` on every route but health. Hashing both sides
 * first makes the comparison constant-time whatever the lengths.
 */
export function installBearerAuth (app: FastifyInstance, token: string, options: { maxFailedPerMinute: number, clock: () => number }): void {
  if (token === '') return
  const expected = digest(token)
  const limiter = new FailedAuthLimiter(options.maxFailedPerMinute, options.clock)
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url ?? ''
    if (OPEN_ROUTES.has(route) || OPEN_DOC_PREFIXES.some((p) => route.startsWith(p)) || isConsoleRoute(route)) return
    // Checked before the token, so even the right token waits once an address is blocked.
    const wait = limiter.blockedFor(request.ip)
    if (wait > 0) {
      void reply.header('Retry-After', String(wait))
      throw new RateLimitedError(`${options.maxFailedPerMinute} failed logins per minute`, wait)
    }
    const header = request.headers.authorization ?? ''
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header)
    if (match === null || !timingSafeEqual(digest(match[1]), expected)) {
      limiter.recordFailure(request.ip)
      request.log.warn({ ip: request.ip, url: request.url.split('?')[0] }, 'Admin request with a missing or wrong token')
      void reply.header('WWW-Authenticate', 'Bearer realm="sidehook"')
      throw new UnauthorizedError()
    }
  })
}
