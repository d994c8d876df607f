import type { FastifyInstance } from 'fastify'
import { ConflictError, NotFoundError } from '../../errors.js'
import type { Store } from '../../store/store.js'
import { DELIVERY_STATES, type DeliveryFilter, type DeliveryState } from '../../store/types.js'
import { decodeCursor, encodeCursor, pageQuery, parseTime, timeFilters } from './params.js'
import { attemptJson, deliveryJson } from './views.js'

export interface DeliveryRouteDeps {
  readonly store: Store
  readonly clock: () => number
  /** Tells the worker that deliveries became due. */
  readonly wake: () => void
}

const filterProperties = {
  state: { type: 'string', enum: [...DELIVERY_STATES] },
  target: { type: 'string', maxLength: 64 },
  source: { type: 'string', maxLength: 64 },
  ...timeFilters
} as const

const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] } as const

interface FilterInput { state?: DeliveryState, target?: string, source?: string, since?: string, until?: string }

function toFilter (q: FilterInput, now: number): DeliveryFilter {
  return {
    state: q.state,
    target: q.target,
    source: q.source,
    since: parseTime('since', q.since, now),
    until: parseTime('until', q.until, now)
  }
}

export function deliveryRoutes (app: FastifyInstance, deps: DeliveryRouteDeps): void {
  const { store, clock, wake } = deps

  app.get('/admin/deliveries', {
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery, ...filterProperties } } }
  }, async (request) => {
    const q = request.query as FilterInput & { limit: number, cursor?: string }
    const page = await store.listDeliveries(toFilter(q, clock()), { limit: q.limit, before: decodeCursor(q.cursor, 'dlv') })
    return { items: page.items.map(deliveryJson), nextCursor: encodeCursor(page.next) }
  })

  app.get('/admin/deliveries/:id', { schema: { params: idParams } }, async (request) => {
    const { id } = request.params as { id: string }
    const delivery = await store.getDelivery(id)
    if (delivery === null) throw new NotFoundError(`No delivery ${id}`)
    const attempts = await store.getAttempts(id)
    return { ...deliveryJson(delivery), attempts: attempts.map(attemptJson) }
  })

  app.post('/admin/deliveries/:id/retry', { schema: { params: idParams } }, async (request) => {
    const { id } = request.params as { id: string }
    const result = await store.retryDelivery(id, clock())
    if (result === 'not_found') throw new NotFoundError(`No delivery ${id}`)
    if (result === 'in_flight') throw new ConflictError(`Delivery ${id} is being attempted right now; retry it once the attempt ends`)
    request.log.info({ deliveryId: id }, 'Delivery retried by an operator')
    wake()
    return deliveryJson((await store.getDelivery(id))!)
  })

  app.post('/admin/deliveries/:id/cancel', { schema: { params: idParams } }, async (request) => {
    const { id } = request.params as { id: string }
    const result = await store.cancelDelivery(id, clock())
    if (result === 'not_found') throw new NotFoundError(`No delivery ${id}`)
    if (result === 'in_flight') throw new ConflictError(`Delivery ${id} is being attempted right now; cancel it once the attempt ends`)
    if (result === 'succeeded') throw new ConflictError(`Delivery ${id} already succeeded`)
    request.log.info({ deliveryId: id }, 'Delivery cancelled by an operator')
    return deliveryJson((await store.getDelivery(id))!)
  })

  // Bulk retry takes the list filters in its body; without a state it retries failed ones,
  // so an empty body can never re-send everything that already succeeded.
  app.post('/admin/deliveries/retry', {
    schema: { body: { type: ['object', 'null'], additionalProperties: false, properties: filterProperties } }
  }, async (request) => {
    const body = (request.body ?? {}) as FilterInput
    const filter = toFilter(body, clock())
    const state = body.state ?? 'failed'
    if (state === 'in_flight') throw new ConflictError('Deliveries in flight cannot be retried')
    const retried = await store.retryDeliveries({ ...filter, state }, clock())
    request.log.info({ filter: { ...body, state }, retried }, 'Deliveries retried in bulk by an operator')
    if (retried > 0) wake()
    return { retried, state }
  })
}
