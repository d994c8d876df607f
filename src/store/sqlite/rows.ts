import type { AttemptView, DeliveryView, HeaderPairs, StoredEvent } from '../types.js'
import type { attempts, deliveries } from './schema.js'

export interface EventRow {
  id: string
  source: string
  method: string
  path: string
  query: string
  headers: string
  body: Buffer
  remote_address: string
  received_at: number
  dedupe_key: string | null
  duplicates: number
}

export function eventFromRow (row: EventRow): StoredEvent {
  return {
    id: row.id,
    source: row.source,
    method: row.method,
    path: row.path,
    query: row.query,
    headers: JSON.parse(row.headers) as HeaderPairs,
    body: row.body,
    remoteAddress: row.remote_address,
    receivedAt: row.received_at,
    dedupeKey: row.dedupe_key,
    duplicates: row.duplicates
  }
}

export function deliveryFromRow (row: typeof deliveries.$inferSelect): DeliveryView {
  return {
    id: row.id,
    eventId: row.eventId,
    source: row.source,
    target: row.target,
    state: row.state,
    attemptCount: row.attemptCount,
    nextAttemptAt: row.state === 'pending' ? row.nextAttemptAt : null,
    lastStatus: row.lastStatus,
    lastError: row.lastError,
    failReason: row.failReason,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt
  }
}

export function attemptFromRow (row: typeof attempts.$inferSelect): AttemptView {
  return {
    n: row.n,
    startedAt: row.startedAt,
    durationMs: row.durationMs,
    status: row.status,
    error: row.error,
    errorMessage: row.errorMessage,
    retryAfterMs: row.retryAfterMs,
    outcome: row.outcome,
    responseHeaders: row.responseHeaders === null ? null : JSON.parse(row.responseHeaders) as HeaderPairs,
    responseBody: row.responseBody
  }
}
