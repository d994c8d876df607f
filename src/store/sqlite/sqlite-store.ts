import { and, asc, desc, eq, gte, inArray, lt, ne, sql, type SQL } from 'drizzle-orm'
import { StorageUnavailableError, isStorageFault } from '../../errors.js'
import type { Store } from '../store.js'
import type {
  AttemptRecord, AttemptView, CancelResult, CompletedAttempt, DeliveryFilter, DeliveryState, DeliveryView,
  EventSummary, InsertResult, LeasedDelivery, LeaseRequest, NewEvent, Page, PageRequest, RetryResult, StateCounts,
  StoredEvent, TargetState
} from '../types.js'
import { prepareHotStatements, type HotStatements } from './hot-statements.js'
import { openDatabase, type OpenOptions, type SqliteDb } from './open-database.js'
import { WalSync } from './wal-sync.js'
import { attemptFromRow, deliveryFromRow, eventFromRow, type EventRow } from './rows.js'
import { attempts, deliveries, events, targets } from './schema.js'

interface LeasedRow { id: string, event_id: string, attempt_count: number, cycle_attempts: number, cycle_started_at: number }

/** The embedded outbox: one SQLite file in WAL mode. Writes are synchronous and short. */
export class SqliteStore implements Store {
  readonly #db: SqliteDb
  readonly #hot: HotStatements

  readonly #walSync: WalSync | null

  constructor (options: OpenOptions) {
    this.#db = openDatabase(options)
    this.#hot = prepareHotStatements(this.#db.$client)
    this.#walSync = options.durability === 'full' && options.path !== ':memory:' ? new WalSync(`${options.path}-wal`) : null
  }

  /** The drizzle handle, for SQLite companions of this store that share its file (alerts). */
  get db (): SqliteDb { return this.#db }

  // Runs a write transaction, turning "cannot write now" driver faults into one error type
  // that the ingest route answers with 503.
  #write<T> (fn: () => T): Promise<T> {
    try {
      return Promise.resolve(this.#db.$client.transaction(fn).immediate())
    } catch (err) {
      return Promise.reject(isStorageFault(err) ? new StorageUnavailableError((err as Error).message, { cause: err }) : err)
    }
  }

  #read<T> (fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn())
    } catch (err) {
      return Promise.reject(isStorageFault(err) ? new StorageUnavailableError((err as Error).message, { cause: err }) : err)
    }
  }

  async insertEvents (batch: readonly NewEvent[]): Promise<InsertResult[]> {
    const results = await this.#insert(batch)
    if (this.#walSync !== null) {
      try {
        await this.#walSync.sync()
      } catch (err) {
        throw new StorageUnavailableError(`syncing the write-ahead log failed: ${(err as Error).message}`, { cause: err })
      }
    }
    return results
  }

  #insert (batch: readonly NewEvent[]): Promise<InsertResult[]> {
    const { insertEvent, insertDelivery, findDuplicate, countDuplicate } = this.#hot
    return this.#write(() => batch.map((e) => {
      if (e.dedupeKey !== null) {
        const original = findDuplicate.get(e.source, e.dedupeKey, e.dedupeSince) as string | undefined
        if (original !== undefined) {
          countDuplicate.run(original)
          return { duplicateOf: original }
        }
      }
      insertEvent.run(e.id, e.source, e.method, e.path, e.query, JSON.stringify(e.headers), e.body,
        e.remoteAddress, e.receivedAt, e.dedupeKey)
      for (const d of e.deliveries) {
        insertDelivery.run(d.id, e.id, e.source, d.target, e.receivedAt, e.receivedAt, e.receivedAt, e.receivedAt)
      }
      return { duplicateOf: null }
    }))
  }

  leaseDue (request: LeaseRequest): Promise<LeasedDelivery[]> {
    const { lease, eventById } = this.#hot
    return this.#write(() => {
      const leased: LeasedDelivery[] = []
      const cache = new Map<string, StoredEvent>()
      for (const t of request.targets) {
        if (t.limit <= 0) continue
        const rows = lease.all({
          owner: request.owner, expires: request.now + request.leaseMs, now: request.now, target: t.name, limit: t.limit
        }) as LeasedRow[]
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
    })
  }

  completeAttempts (records: readonly AttemptRecord[]): Promise<CompletedAttempt[]> {
    const { finishDelivery, insertAttempt, targetHealth, failuresOf } = this.#hot
    return this.#write(() => records.map((r) => {
      const now = r.startedAt + r.durationMs
      const { changes } = finishDelivery.run({
        id: r.deliveryId, owner: r.owner, state: r.nextState, nextAttemptAt: r.nextAttemptAt,
        status: r.status, error: r.error, failReason: r.failReason, now, refund: r.countsForHealth ? 0 : 1
      })
      if (changes === 0) {
        return { deliveryId: r.deliveryId, applied: false, consecutiveFailures: (failuresOf.get(r.target) as number | undefined) ?? 0 }
      }
      insertAttempt.run({
        deliveryId: r.deliveryId, n: r.n, startedAt: r.startedAt, durationMs: r.durationMs, status: r.status,
        error: r.error, errorMessage: r.errorMessage, retryAfterMs: r.retryAfterMs, outcome: r.outcome,
        responseHeaders: r.responseHeaders === null ? null : JSON.stringify(r.responseHeaders),
        responseBody: r.responseBody
      })
      let consecutiveFailures: number
      if (r.countsForHealth) {
        consecutiveFailures = targetHealth.pluck().get({
          target: r.target, success: r.outcome === 'success' ? 1 : 0, now, status: r.status, error: r.error,
          hold: r.holdTargetUntil
        }) as number
      } else {
        consecutiveFailures = (failuresOf.get(r.target) as number | undefined) ?? 0
      }
      return { deliveryId: r.deliveryId, applied: true, consecutiveFailures }
    }))
  }

  reclaimExpiredLeases (now: number): Promise<number> {
    const { expiredLeases, reclaim, insertAttempt } = this.#hot
    return this.#write(() => {
      const rows = expiredLeases.all(now) as Array<{ id: string, attempt_count: number, lease_expires_at: number }>
      for (const row of rows) {
        reclaim.run({ id: row.id, now })
        insertAttempt.run({
          deliveryId: row.id, n: row.attempt_count, startedAt: row.lease_expires_at, durationMs: 0, status: null,
          error: 'lease_expired',
          errorMessage: 'The worker holding this attempt stopped before recording it; the target may have received it.',
          retryAfterMs: null, outcome: 'retry', responseHeaders: null, responseBody: null
        })
      }
      return rows.length
    })
  }

  releaseLeases (owner: string, deliveryIds: readonly string[], now: number): Promise<number> {
    const { release } = this.#hot
    return this.#write(() => {
      let n = 0
      for (const id of deliveryIds) n += release.run({ id, owner, now }).changes
      return n
    })
  }

  nextDueAt (target: string): Promise<number | null> {
    return this.#read(() => this.#hot.nextDue.get(target) as number | null)
  }

  nextLeaseExpiry (): Promise<number | null> {
    return this.#read(() => this.#hot.nextLeaseExpiry.get() as number | null)
  }

  getEvent (id: string): Promise<StoredEvent | null> {
    return this.#read(() => {
      const row = this.#hot.eventById.get(id) as EventRow | undefined
      return row === undefined ? null : eventFromRow(row)
    })
  }

  listEvents (filter: { source?: string }, page: PageRequest): Promise<Page<EventSummary>> {
    return this.#read(() => {
      const where = and(
        filter.source === undefined ? undefined : eq(events.source, filter.source),
        page.before === undefined ? undefined : lt(events.id, page.before)
      )
      const rows = this.#db.select({
        id: events.id, source: events.source, method: events.method, path: events.path, query: events.query,
        receivedAt: events.receivedAt, remoteAddress: events.remoteAddress, size: sql<number>`length(${events.body})`
      }).from(events).where(where).orderBy(desc(events.id)).limit(page.limit + 1).all()
      return toPage(rows, page.limit)
    })
  }

  getDelivery (id: string): Promise<DeliveryView | null> {
    return this.#read(() => {
      const row = this.#db.select().from(deliveries).where(eq(deliveries.id, id)).get()
      return row === undefined ? null : deliveryFromRow(row)
    })
  }

  getAttempts (deliveryId: string): Promise<AttemptView[]> {
    return this.#read(() => this.#db.select().from(attempts).where(eq(attempts.deliveryId, deliveryId))
      .orderBy(asc(attempts.n)).all().map(attemptFromRow))
  }

  deliveriesOfEvent (eventId: string): Promise<DeliveryView[]> {
    return this.#read(() => this.#db.select().from(deliveries).where(eq(deliveries.eventId, eventId))
      .orderBy(asc(deliveries.target)).all().map(deliveryFromRow))
  }

  listDeliveries (filter: DeliveryFilter, page: PageRequest): Promise<Page<DeliveryView>> {
    return this.#read(() => {
      const where = and(...deliveryConditions(filter), page.before === undefined ? undefined : lt(deliveries.id, page.before))
      const rows = this.#db.select().from(deliveries).where(where).orderBy(desc(deliveries.id)).limit(page.limit + 1).all()
      return toPage(rows.map(deliveryFromRow), page.limit)
    })
  }

  retryDelivery (id: string, now: number): Promise<RetryResult> {
    return this.#write(() => {
      const { changes } = this.#db.update(deliveries).set(retriedColumns(now))
        .where(and(eq(deliveries.id, id), ne(deliveries.state, 'in_flight'))).run()
      if (changes > 0) return 'retried'
      const row = this.#db.select({ state: deliveries.state }).from(deliveries).where(eq(deliveries.id, id)).get()
      return row === undefined ? 'not_found' : 'in_flight'
    })
  }

  retryDeliveries (filter: DeliveryFilter & { state: DeliveryState }, now: number): Promise<number> {
    return this.#write(() => {
      if (filter.state === 'in_flight') return 0
      return this.#db.update(deliveries).set(retriedColumns(now)).where(and(...deliveryConditions(filter))).run().changes
    })
  }

  cancelDelivery (id: string, now: number): Promise<CancelResult> {
    return this.#write(() => {
      const { changes } = this.#db.update(deliveries)
        .set({ state: 'cancelled', nextAttemptAt: null, updatedAt: now })
        .where(and(eq(deliveries.id, id), inArray(deliveries.state, ['pending', 'failed']))).run()
      if (changes > 0) return 'cancelled'
      const row = this.#db.select({ state: deliveries.state }).from(deliveries).where(eq(deliveries.id, id)).get()
      if (row === undefined) return 'not_found'
      return row.state === 'cancelled' ? 'cancelled_already' : row.state as 'in_flight' | 'succeeded'
    })
  }

  targetStates (): Promise<TargetState[]> {
    // Read by the worker on every scheduling pass, hence a prepared statement.
    return this.#read(() => (this.#hot.targetStates.all() as Array<Record<string, number | string | null>>).map((r) => ({
      name: r.name as string,
      paused: r.paused === 1,
      pausedUntil: r.paused_until as number | null,
      holdUntil: r.hold_until as number | null,
      consecutiveFailures: r.consecutive_failures as number,
      lastSuccessAt: r.last_success_at as number | null,
      lastFailureAt: r.last_failure_at as number | null,
      lastStatus: r.last_status as number | null,
      lastError: r.last_error as string | null
    })))
  }

  countsByTarget (): Promise<Record<string, StateCounts>> {
    return this.#read(() => {
      const rows = this.#db.select({ target: deliveries.target, state: deliveries.state, n: sql<number>`count(*)` })
        .from(deliveries).groupBy(deliveries.target, deliveries.state).all()
      const out: Record<string, Record<DeliveryState, number>> = {}
      for (const r of rows) {
        out[r.target] ??= { pending: 0, in_flight: 0, succeeded: 0, failed: 0, cancelled: 0 }
        out[r.target][r.state] = r.n
      }
      return out
    })
  }

  oldestPending (targets: readonly string[]): Promise<Record<string, number | null>> {
    return this.#read(() => {
      const out: Record<string, number | null> = {}
      for (const target of targets) out[target] = (this.#hot.oldestPendingOf.get(target) as number | undefined) ?? null
      return out
    })
  }

  pauseTarget (name: string, until: number | null): Promise<void> {
    return this.#write(() => {
      this.#db.insert(targets).values({ name, paused: true, pausedUntil: until })
        .onConflictDoUpdate({ target: targets.name, set: { paused: true, pausedUntil: until } }).run()
    })
  }

  resumeTarget (name: string): Promise<void> {
    return this.#write(() => {
      this.#db.insert(targets).values({ name, paused: false })
        .onConflictDoUpdate({ target: targets.name, set: { paused: false, pausedUntil: null, holdUntil: null } }).run()
    })
  }

  pruneEvents (cutoffs: { succeededBefore: number, failedBefore: number }, limit: number): Promise<number> {
    const h = this.#hot
    return this.#write(() => {
      const ids = new Set(h.prunableSucceeded.all(cutoffs.succeededBefore, limit) as string[])
      if (ids.size < limit) for (const id of h.prunableFinal.all(cutoffs.failedBefore, limit - ids.size) as string[]) ids.add(id)
      for (const id of ids) {
        h.deleteAttemptsOf.run(id)
        h.deleteDeliveriesOf.run(id)
        h.deleteEvent.run(id)
      }
      return ids.size
    })
  }

  checkWritable (): Promise<void> {
    return this.#write(() => {
      this.#hot.readyProbe.run()
      this.#hot.readyProbeDone.run()
    })
  }

  async close (): Promise<void> {
    await this.#walSync?.close()
    if (this.#db.$client.open) this.#db.$client.close()
  }
}

function deliveryConditions (filter: DeliveryFilter): Array<SQL | undefined> {
  return [
    filter.state === undefined ? undefined : eq(deliveries.state, filter.state),
    filter.target === undefined ? undefined : eq(deliveries.target, filter.target),
    filter.source === undefined ? undefined : eq(deliveries.source, filter.source),
    filter.since === undefined ? undefined : gte(deliveries.createdAt, filter.since),
    filter.until === undefined ? undefined : lt(deliveries.createdAt, filter.until)
  ]
}

function retriedColumns (now: number) {
  return {
    state: 'pending' as const,
    nextAttemptAt: now,
    cycleAttempts: 0,
    cycleStartedAt: now,
    failReason: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    updatedAt: now
  }
}

function toPage<T extends { id: string }> (rows: T[], limit: number): Page<T> {
  const more = rows.length > limit
  const items = more ? rows.slice(0, limit) : rows
  return { items, next: more ? items[items.length - 1].id : null }
}
