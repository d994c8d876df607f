import type { FastifyInstance } from 'fastify'
import { NotFoundError } from '../../errors.js'
import type { Store } from '../../store/store.js'
import { decodeCursor, encodeCursor, pageQuery } from './params.js'
import { eventJson, eventSummaryJson } from './views.js'

export function eventRoutes (app: FastifyInstance, store: Store): void {
  app.get('/admin/events', {
    schema: {
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { ...pageQuery, source: { type: 'string', maxLength: 64 } }
      }
    }
  }, async (request) => {
    const q = request.query as { limit: number, cursor?: string, source?: string }
    const page = await store.listEvents({ source: q.source }, { limit: q.limit, before: decodeCursor(q.cursor, 'evt') })
    return { items: page.items.map(eventSummaryJson), nextCursor: encodeCursor(page.next) }
  })

  app.get('/admin/events/:id', {
    schema: { params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] } }
  }, async (request) => {
    const { id } = request.params as { id: string }
    const event = await store.getEvent(id)
    if (event === null) throw new NotFoundError(`No event ${id}`)
    return eventJson(event, await store.deliveriesOfEvent(id))
  })
}
