import type Database from 'better-sqlite3'

// The statements on the ingest and delivery paths, prepared once: building them through the
// query builder on every call costs several times more than running them.
export function prepareHotStatements (client: Database.Database) {
  return {
    insertEvent: client.prepare(`INSERT INTO events
      (id, source, method, path, query, headers, body, remote_address, received_at, dedupe_key)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    insertDelivery: client.prepare(`INSERT INTO deliveries
      (id, event_id, source, target, state, attempt_count, cycle_attempts, cycle_started_at,
       next_attempt_at, created_at, updated_at)
      VALUES (?, ?, ?, ?, 'pending', 0, 0, ?, ?, ?, ?)`),
    // Positional parameters: binding named ones costs a property lookup per parameter per row.
    // (better-sqlite3 takes numbered parameters as named ones, so a value used twice is passed twice.)
    // LIMIT CAST(? AS INTEGER), not LIMIT ?: SQLite's planner reads a bare LIMIT parameter and
    // then recompiles the statement every time that parameter is bound (about 20 us a call).
    // (owner, expires, now, target, now, limit)
    lease: client.prepare(`UPDATE deliveries
      SET state = 'in_flight', lease_owner = ?, lease_expires_at = ?,
          attempt_count = attempt_count + 1, cycle_attempts = cycle_attempts + 1, updated_at = ?
      WHERE id IN (SELECT id FROM deliveries
                   WHERE state = 'pending' AND target = ? AND next_attempt_at <= ?
                   ORDER BY next_attempt_at LIMIT CAST(? AS INTEGER))
      RETURNING id, event_id, attempt_count, cycle_attempts, cycle_started_at`),
    // (target, state, n): n may be negative.
    addCount: client.prepare(`INSERT INTO delivery_counts (target, state, n) VALUES (?, ?, ?)
      ON CONFLICT (target, state) DO UPDATE SET n = n + excluded.n`),
    countsByTarget: client.prepare('SELECT target, state, n FROM delivery_counts WHERE n <> 0'),
    eventById: client.prepare(`SELECT id, source, method, path, query, headers, body,
      remote_address, received_at, dedupe_key, duplicates FROM events WHERE id = ?`),
    findDuplicate: client.prepare(`SELECT id FROM events
      WHERE source = ? AND dedupe_key = ? AND received_at >= ? ORDER BY received_at LIMIT 1`).pluck(),
    countDuplicate: client.prepare('UPDATE events SET duplicates = duplicates + 1 WHERE id = ?'),
    // (state, nextAttemptAt, status, error, failReason, now, refund, id, owner, n): the attempt
    // number too, so an attempt can only be recorded under the lease that started it.
    finishDelivery: client.prepare(`UPDATE deliveries
      SET state = ?, next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL,
          last_status = ?, last_error = ?, fail_reason = ?, updated_at = ?, cycle_attempts = cycle_attempts - ?
      WHERE id = ? AND lease_owner = ? AND attempt_count = ? AND state = 'in_flight'`),
    // (expires, id, owner)
    renewLease: client.prepare(`UPDATE deliveries SET lease_expires_at = ?
      WHERE id = ? AND lease_owner = ? AND state = 'in_flight'`),
    // (deliveryId, n, startedAt, durationMs, status, error, errorMessage, retryAfterMs, outcome, responseHeaders, responseBody)
    insertAttempt: client.prepare(`INSERT OR REPLACE INTO attempts
      (delivery_id, n, started_at, duration_ms, status, error, error_message, retry_after_ms,
       outcome, response_headers, response_body)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    // A batch's net effect on one target's health, written once per batch:
    // (name, consecutiveFailures, lastSuccessAt, lastFailureAt, lastStatus, lastError, holdUntil);
    // a null time or hold leaves the stored one as it is.
    targetHealth: client.prepare(`INSERT INTO targets
      (name, consecutive_failures, last_success_at, last_failure_at, last_status, last_error, hold_until)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET
        consecutive_failures = excluded.consecutive_failures,
        last_success_at = COALESCE(excluded.last_success_at, last_success_at),
        last_failure_at = COALESCE(excluded.last_failure_at, last_failure_at),
        last_status = excluded.last_status, last_error = excluded.last_error,
        hold_until = CASE WHEN excluded.hold_until IS NULL THEN hold_until
                          ELSE MAX(COALESCE(hold_until, 0), excluded.hold_until) END`),
    failuresOf: client.prepare('SELECT consecutive_failures FROM targets WHERE name = ?').pluck(),
    expiredLeases: client.prepare(`SELECT id, target, attempt_count, lease_expires_at FROM deliveries
      WHERE state = 'in_flight' AND lease_expires_at <= ?`),
    reclaim: client.prepare(`UPDATE deliveries
      SET state = 'pending', next_attempt_at = @now, lease_owner = NULL, lease_expires_at = NULL,
          last_error = 'lease_expired', updated_at = @now
      WHERE id = @id AND state = 'in_flight'`),
    release: client.prepare(`UPDATE deliveries
      SET state = 'pending', next_attempt_at = @now, lease_owner = NULL, lease_expires_at = NULL,
          attempt_count = attempt_count - 1, cycle_attempts = cycle_attempts - 1, updated_at = @now
      WHERE id = @id AND lease_owner = @owner AND state = 'in_flight'
      RETURNING target`),
    nextDue: client.prepare(`SELECT MIN(next_attempt_at) FROM deliveries
      WHERE state = 'pending' AND target = ?`).pluck(),
    nextLeaseExpiry: client.prepare(`SELECT MIN(lease_expires_at) FROM deliveries
      WHERE state = 'in_flight'`).pluck(),
    // Event ids begin with their receive time (ids.ts), so the primary key orders events by
    // age and "received before" is "id below idsBefore(cutoff)": no index on received_at to keep.
    prunableSucceeded: client.prepare(`SELECT e.id FROM events e WHERE e.id < ?
      AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.state NOT IN ('succeeded', 'cancelled'))
      ORDER BY e.id LIMIT CAST(? AS INTEGER)`).pluck(),
    prunableFinal: client.prepare(`SELECT e.id FROM events e WHERE e.id < ?
      AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.state IN ('pending', 'in_flight'))
      ORDER BY e.id LIMIT CAST(? AS INTEGER)`).pluck(),
    deleteAttemptsOf: client.prepare('DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE event_id = ?)'),
    deleteDeliveriesOf: client.prepare('DELETE FROM deliveries WHERE event_id = ? RETURNING target, state'),
    deleteEvent: client.prepare('DELETE FROM events WHERE id = ?'),
    // The probe writes as much as a typical webhook and takes it back in the same
    // transaction: it needs free pages and a WAL append, as a real ingest would.
    // Ids are time-ordered, so deliveries_pending_idx finds each target's oldest pending row fast.
    oldestPendingOf: client.prepare(`SELECT created_at FROM deliveries WHERE state = 'pending' AND target = ?
      ORDER BY id LIMIT 1`).pluck(),
    targetStates: client.prepare(`SELECT name, paused, paused_until, hold_until, consecutive_failures,
      last_success_at, last_failure_at, last_status, last_error FROM targets ORDER BY name`),
    readyProbe: client.prepare(`INSERT INTO meta (key, value) VALUES ('ready_probe', zeroblob(65536))
      ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
    readyProbeDone: client.prepare("DELETE FROM meta WHERE key = 'ready_probe'")
  }
}

export type HotStatements = ReturnType<typeof prepareHotStatements>
