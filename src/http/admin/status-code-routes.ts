import type { FastifyInstance } from 'fastify'
import { STATUS_CLASSES, listStatuses, lookupStatus, type StatusClass } from '../../core/status-codes/index.js'
import { BadRequestError } from '../../errors.js'

export function statusCodeRoutes (app: FastifyInstance): void {
  app.get('/admin/status-codes', {
    schema: {
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { class: { type: 'string', enum: [...STATUS_CLASSES] }, retryable: { type: 'boolean' } }
      }
    }
  }, async (request) => {
    const q = request.query as { class?: StatusClass, retryable?: boolean }
    return { items: listStatuses({ class: q.class, retryable: q.retryable }) }
  })

  app.get('/admin/status-codes/:code', {
    schema: { params: { type: 'object', properties: { code: { type: 'string', maxLength: 10 } }, required: ['code'] } }
  }, async (request) => {
    const { code } = request.params as { code: string }
    const info = /^\d{3}$/.test(code) ? lookupStatus(Number(code)) : undefined
    if (info === undefined) throw new BadRequestError(`code must be an HTTP status code from 100 to 599, got "${code}"`)
    return info
  })
}
