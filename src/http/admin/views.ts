import { statusSummary } from '../../core/status-codes/index.js'
import type { AttemptView, DeliveryView, EventSummary, StoredEvent } from '../../store/types.js'
import { encodeBody, iso } from './params.js'

// JSON shapes of the admin API. Times are ISO 8601 strings; bodies are text or base64.

export function deliveryJson (d: DeliveryView) {
  return {
    id: d.id,
    eventId: d.eventId,
    source: d.source,
    target: d.target,
    state: d.state,
    attemptCount: d.attemptCount,
    nextAttemptAt: iso(d.nextAttemptAt),
    lastStatus: d.lastStatus,
    lastStatusInfo: d.lastStatus === null ? null : statusSummary(d.lastStatus) ?? null,
    lastError: d.lastError,
    failReason: d.failReason,
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt)
  }
}

export function attemptJson (a: AttemptView) {
  const { body, bodyEncoding } = encodeBody(a.responseBody)
  return {
    n: a.n,
    startedAt: iso(a.startedAt),
    durationMs: a.durationMs,
    status: a.status,
    error: a.error,
    errorMessage: a.errorMessage,
    retryAfterMs: a.retryAfterMs,
    outcome: a.outcome,
    statusInfo: a.status === null ? null : statusSummary(a.status) ?? null,
    responseHeaders: a.responseHeaders,
    responseBody: body,
    responseBodyEncoding: bodyEncoding
  }
}

export function eventSummaryJson (e: EventSummary) {
  return { ...e, receivedAt: iso(e.receivedAt) }
}

export function eventJson (e: StoredEvent, deliveries: DeliveryView[]) {
  const { body, bodyEncoding } = encodeBody(e.body)
  return {
    id: e.id,
    source: e.source,
    method: e.method,
    path: e.path,
    query: e.query,
    headers: e.headers,
    body,
    bodyEncoding,
    size: e.body.length,
    remoteAddress: e.remoteAddress,
    receivedAt: iso(e.receivedAt),
    dedupeKey: e.dedupeKey,
    duplicates: e.duplicates,
    deliveries: deliveries.map(deliveryJson)
  }
}
