import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { UnauthorizedError } from '../../errors.js'

const OPEN_ROUTES = new Set(['/healthz', '/readyz'])

function digest (value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

/**
 * Requires `Authorization: Bearer <token>` on every route but health. Hashing both sides
 * first makes the comparison constant-time whatever the lengths.
 */
export function installBearerAuth (app: FastifyInstance, token: string): void {
  if (token === '') return
  const expected = digest(token)
  app.addHook('onRequest', async (request, reply) => {
    if (OPEN_ROUTES.has(request.routeOptions.url ?? '')) return
    const header = request.headers.authorization ?? ''
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header)
    if (match === null || !timingSafeEqual(digest(match[1]), expected)) {
      void reply.header('WWW-Authenticate', 'Bearer realm="sidehook"')
      throw new UnauthorizedError()
    }
  })
}
