import type {
  AttemptRecord, CompletedAttempt, LeasedDelivery, LeaseRequest, StoredEvent, TargetState
} from '../types.js'
import type { CountDeltas } from './count-deltas.js'
import type { HotStatements } from './hot-statements.js'
import { eventFromRow, type EventRow } from './rows.js'

// The worker's side of the SQLite store: synchronous steps that run inside the store's write
// transactions (leaseDue, completeAttempts and runPass compose them).

interface HealthChange {
  failures: number
  successAt: number | null
  failureAt: number | null
  status: number | null
  error: string | null
  hold: number | null
  changed: boolean
}

interface LeasedRow { id: string, event_id: string, attempt_count: number, cycle_attempts: number, cycle_started_at: number }

/** Leases due rows of each target, oldest first, and loads their events (once per event). */
export function leaseRows (hot: HotStatements, counts: CountDeltas, request: Omit<LeaseRequest, 'targets'>, targets: LeaseRequest['targets']): LeasedDelivery[] {
  const { lease, eventById } = hot
  const leased: LeasedDelivery[] = []
  const cache = new Map<string, StoredEvent>()
  for (const t of targets) {
    if (t.limit <= 0) continue
    const rows = lease.all(request.owner, request.now + request.leaseMs, request.now, t.name, request.now, t.limit) as LeasedRow[]
    counts.move(t.name, 'pending', 'in_flight', rows.length)
    for (const row of rows) {
      let event = cache.get(row.event_id)
      if (event === undefined) {
        event = eventFromRow(eventById.get(row.event_id) as EventRow)
        cache.set(row.event_id, event)
      }
      leased.push({
        id: row.id,
        eventId: row.event_id,
        target: t.name,
        attempt: row.attempt_count,
        cycleAttempt: row.cycle_attempts,
        cycleStartedAt: row.cycle_started_at,
        event
      })
    }
  }
  return leased
}

/** Applies finished attempts; target health is followed in memory and written once per target. */
export function completeRecords (hot: HotStatements, counts: CountDeltas, records: readonly AttemptRecord[]): CompletedAttempt[] {
  const { finishDelivery, insertAttempt, targetHealth, failuresOf } = hot
  const health = new Map<string, HealthChange>()
  const out = records.map((r) => {
    let h = health.get(r.target)
    if (h === undefined) {
      h = { failures: (failuresOf.get(r.target) as number | undefined) ?? 0, successAt: null, failureAt: null, status: null, error: null, hold: null, changed: false }
      health.set(r.target, h)
    }
    const now = r.startedAt + r.durationMs
    const { changes } = finishDelivery.run(r.nextState, r.nextAttemptAt, r.status, r.error, r.failReason, now,
      r.countsForHealth ? 0 : 1, r.deliveryId, r.owner, r.n)
    if (changes === 0) return { deliveryId: r.deliveryId, applied: false, consecutiveFailures: h.failures }
    counts.move(r.target, 'in_flight', r.nextState)
    insertAttempt.run(r.deliveryId, r.n, r.startedAt, r.durationMs, r.status, r.error, r.errorMessage, r.retryAfterMs,
      r.outcome, r.responseHeaders === null ? null : JSON.stringify(r.responseHeaders), r.responseBody)
    if (r.countsForHealth) {
      h.changed = true
      if (r.outcome === 'success') {
        h.failures = 0
        h.successAt = now
      } else {
        h.failures++
        h.failureAt = now
      }
      h.status = r.status
      h.error = r.error
      if (r.holdTargetUntil !== null) h.hold = Math.max(h.hold ?? 0, r.holdTargetUntil)
    }
    return { deliveryId: r.deliveryId, applied: true, consecutiveFailures: h.failures }
  })
  for (const [name, h] of health) {
    if (h.changed) targetHealth.run(name, h.failures, h.successAt, h.failureAt, h.status, h.error, h.hold)
  }
  return out
}

/** Puts deliveries whose lease expired back to pending, with an attempt row saying so. */
export function reclaimExpired (hot: HotStatements, counts: CountDeltas, now: number): number {
  const { expiredLeases, reclaim, insertAttempt } = hot
  const rows = expiredLeases.all(now) as Array<{ id: string, target: string, attempt_count: number, lease_expires_at: number }>
  for (const row of rows) {
    reclaim.run({ id: row.id, now })
    counts.move(row.target, 'in_flight', 'pending')
    insertAttempt.run(row.id, row.attempt_count, row.lease_expires_at, 0, null, 'lease_expired',
      'The worker holding this attempt stopped before recording it; the target may have received it.',
      null, 'retry', null, null)
  }
  return rows.length
}

// Read by the worker on every scheduling pass, hence a prepared statement.
export function readTargetStates (hot: HotStatements): TargetState[] {
  return (hot.targetStates.all() as Array<Record<string, number | string | null>>).map((r) => ({
    name: r.name as string,
    paused: r.paused === 1,
    pausedUntil: r.paused_until as number | null,
    holdUntil: r.hold_until as number | null,
    consecutiveFailures: r.consecutive_failures as number,
    lastSuccessAt: r.last_success_at as number | null,
    lastFailureAt: r.last_failure_at as number | null,
    lastStatus: r.last_status as number | null,
    lastError: r.last_error as string | null
  }))
}
