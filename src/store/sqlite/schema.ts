import { sql } from 'drizzle-orm'
import { blob, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'

// Times are epoch milliseconds. Payloads live in `events` so the scheduling rows in
// `deliveries` stay small and the ready-index scans touch little data.
export const events = sqliteTable('events', {
  id: text('id').primaryKey(),
  source: text('source').notNull(),
  method: text('method').notNull(),
  path: text('path').notNull(),
  query: text('query').notNull(),
  /** JSON array of [name, value] pairs in arrival order, names as the sender spelled them. */
  headers: text('headers').notNull(),
  body: blob('body', { mode: 'buffer' }).notNull(),
  remoteAddress: text('remote_address').notNull(),
  receivedAt: integer('received_at').notNull(),
  dedupeKey: text('dedupe_key'),
  /** Later requests with the same dedupe key that were acknowledged without storing them. */
  duplicates: integer('duplicates').notNull().default(0)
}, (t) => [
  // No index on received_at: ids begin with the receive time, so the primary key orders by age.
  index('events_source_dedupe_idx').on(t.source, t.dedupeKey).where(sql`dedupe_key IS NOT NULL`)
])

export const deliveries = sqliteTable('deliveries', {
  id: text('id').primaryKey(),
  eventId: text('event_id').notNull(),
  source: text('source').notNull(),
  target: text('target').notNull(),
  state: text('state', { enum: ['pending', 'in_flight', 'succeeded', 'failed', 'cancelled'] }).notNull(),
  attemptCount: integer('attempt_count').notNull().default(0),
  /** Attempts since the delivery was created or last retried by an operator: the retry budget. */
  cycleAttempts: integer('cycle_attempts').notNull().default(0),
  cycleStartedAt: integer('cycle_started_at').notNull(),
  nextAttemptAt: integer('next_attempt_at'),
  leaseOwner: text('lease_owner'),
  leaseExpiresAt: integer('lease_expires_at'),
  lastStatus: integer('last_status'),
  lastError: text('last_error'),
  failReason: text('fail_reason'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull()
}, (t) => [
  // Exactly the scheduler's query: due rows of one target, oldest first.
  index('deliveries_ready_idx').on(t.target, t.nextAttemptAt).where(sql`state = 'pending'`),
  index('deliveries_lease_idx').on(t.leaseExpiresAt).where(sql`state = 'in_flight'`),
  index('deliveries_event_idx').on(t.eventId),
  // Listing by state, newest first. Partial, one per state that is worth an index, so a
  // delivery's way from pending to succeeded touches as few index entries as possible (a
  // succeeded delivery is in none of them). Queries name the state as a literal, not a
  // parameter, or SQLite cannot use a partial index. Succeeded rows are found by the
  // primary key, in_flight rows through deliveries_lease_idx.
  index('deliveries_pending_idx').on(t.target, t.id).where(sql`state = 'pending'`),
  index('deliveries_failed_idx').on(t.id).where(sql`state = 'failed'`),
  index('deliveries_cancelled_idx').on(t.id).where(sql`state = 'cancelled'`)
])

/**
 * Deliveries per target and state, kept by the store in the same transactions that move
 * them, so counts cost nothing to read and no index over every delivery's state is needed.
 */
export const deliveryCounts = sqliteTable('delivery_counts', {
  target: text('target').notNull(),
  state: text('state', { enum: ['pending', 'in_flight', 'succeeded', 'failed', 'cancelled'] }).notNull(),
  n: integer('n').notNull()
}, (t) => [primaryKey({ columns: [t.target, t.state] })])

export const attempts = sqliteTable('attempts', {
  deliveryId: text('delivery_id').notNull(),
  n: integer('n').notNull(),
  startedAt: integer('started_at').notNull(),
  durationMs: integer('duration_ms').notNull(),
  status: integer('status'),
  error: text('error'),
  errorMessage: text('error_message'),
  retryAfterMs: integer('retry_after_ms'),
  outcome: text('outcome', { enum: ['success', 'retry', 'fail'] }).notNull(),
  /** JSON array of [name, value] pairs. */
  responseHeaders: text('response_headers'),
  /** The first 4 KiB of the response body. */
  responseBody: blob('response_body', { mode: 'buffer' })
}, (t) => [primaryKey({ columns: [t.deliveryId, t.n] })])

export const targets = sqliteTable('targets', {
  name: text('name').primaryKey(),
  paused: integer('paused', { mode: 'boolean' }).notNull().default(false),
  /** Operator pause end; null with paused=true means until resumed. */
  pausedUntil: integer('paused_until'),
  /** Set by a 429/503 with Retry-After: nothing goes to the target before this. */
  holdUntil: integer('hold_until'),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  lastSuccessAt: integer('last_success_at'),
  lastFailureAt: integer('last_failure_at'),
  lastStatus: integer('last_status'),
  lastError: text('last_error')
})

/** Small key-value facts about this database (the readiness probe writes here). */
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull()
})

/** Alert settings (src/alerts/settings.ts) as one JSON row, id 1. */
export const alertSettings = sqliteTable('alert_settings', {
  id: integer('id').primaryKey(),
  settings: text('settings').notNull(),
  updatedAt: integer('updated_at').notNull()
})

/** Per-target alert state (open incident, grouped permanent failures) as JSON, so a restart forgets nothing. */
export const alertTargets = sqliteTable('alert_targets', {
  target: text('target').primaryKey(),
  state: text('state').notNull(),
  updatedAt: integer('updated_at').notNull()
})

/** One row per alert and channel: what was sent, when, and how it went. Ids are time-ordered. */
export const alertHistory = sqliteTable('alert_history', {
  id: text('id').primaryKey(),
  alertId: text('alert_id').notNull(),
  kind: text('kind').notNull(),
  target: text('target'),
  channel: text('channel', { enum: ['webhook', 'slack', 'email'] }).notNull(),
  status: text('status', { enum: ['sending', 'sent', 'failed'] }).notNull(),
  attempts: integer('attempts').notNull().default(0),
  result: text('result'),
  /** The alert as JSON (src/alerts/types.ts Alert); never holds a secret. */
  alert: text('alert').notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull()
}, (t) => [
  index('alert_history_created_idx').on(t.createdAt),
  index('alert_history_sending_idx').on(t.status).where(sql`status = 'sending'`)
])
