import type { FastifyInstance } from 'fastify'

export interface HealthCheck {
  /** Resolves when the database accepts a write; rejects with the reason otherwise. */
  readonly ready: () => Promise<void>
}

/** /healthz says the process answers; /readyz says the outbox can take writes. No auth. */
export function installHealthRoutes (app: FastifyInstance, health: HealthCheck): void {
  app.get('/healthz', async () => ({ status: 'ok' }))
  app.get('/readyz', async (request, reply) => {
    try {
      await health.ready()
      return { status: 'ready' }
    } catch (err) {
      request.log.warn({ err }, 'Readiness check failed')
      return reply.code(503).header('Retry-After', '5')
        .send({ error: 'not_ready', message: `The database cannot take writes: ${(err as Error).message}` })
    }
  })
}
