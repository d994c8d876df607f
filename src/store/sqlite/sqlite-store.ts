import { and, asc, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm'
import { StorageUnavailableError, isStorageFault } from '../../errors.js'
import { idsBefore } from '../../ids.js'
import type { Store } from '../store.js'
import type {
  AttemptRecord, AttemptView, CancelResult, CompletedAttempt, DeliveryFilter, DeliveryState, DeliveryView,
  EventSummary, InsertResult, LeasedDelivery, LeaseRequest, NewEvent, Page, PageRequest, PassRequest, PassResult, RetryResult,
  StateCounts, StoredEvent, TargetState
} from '../types.js'
import { prepareHotStatements, type HotStatements } from './hot-statements.js'
import { openDatabase, type OpenOptions, type SqliteDb } from './open-database.js'
import { CountDeltas } from './count-deltas.js'
import { completeRecords, leaseRows, readTargetStates, reclaimExpired } from './scheduling.js'
import { WalSync } from './wal-sync.js'
import { attemptFromRow, deliveryFromRow, eventFromRow, type EventRow } from './rows.js'
import { attempts, deliveries, events, targets } from './schema.js'

type Transaction = ((fn: () => unknown) => unknown) & { immediate: (fn: () => unknown) => unknown }

/** The embedded outbox: one SQLite file in WAL mode. Writes are synchronous and short. */
export class SqliteStore implements Store {
  readonly #db: SqliteDb
  readonly #hot: HotStatements

  readonly #walSync: WalSync | null
  // One wrapper for every write: better-sqlite3 builds four functions per transaction() call.
  readonly #tx: Transaction

  constructor (options: OpenOptions) {
    this.#db = openDatabase(options)
    this.#hot = prepareHotStatements(this.#db.$client)
    this.#tx = this.#db.$client.transaction((fn: () => unknown) => fn()) as unknown as Transaction
    this.#walSync = options.durability === 'full' && options.path !== ':memory:' ? new WalSync(`${options.path}-wal`) : null
  }

  /** The drizzle handle, for SQLite companions of this store that share its file (alerts). */
  get db (): SqliteDb { return this.#db }

  // Runs a write transaction, turning "cannot write now" driver faults into one error type
  // that the ingest route answers with 503.
  // Every write gets the count changes of its transaction, written just before it commits.
  #write<T> (fn: (counts: CountDeltas) => T): Promise<T> {
    try {
      return Promise.resolve(this.#tx.immediate(() => {
        const counts = new CountDeltas()
        const result = fn(counts)
        counts.write(this.#hot)
        return result
      }) as T)
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
    return this.#write((counts) => batch.map((e) => {
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
        counts.move(d.target, null, 'pending')
      }
      return { duplicateOf: null }
    }))
  }

  leaseDue (request: LeaseRequest): Promise<LeasedDelivery[]> {
    return this.#write((counts) => leaseRows(this.#hot, counts, request, request.targets))
  }

  completeAttempts (records: readonly AttemptRecord[]): Promise<CompletedAttempt[]> {
    return this.#write((counts) => completeRecords(this.#hot, counts, records))
  }

  runPass (request: PassRequest): Promise<PassResult> {
    const { nextLeaseExpiry, nextDue } = this.#hot
    return this.#write((counts) => {
      const completions = request.records.length === 0 ? [] : completeRecords(this.#hot, counts, request.records)
      for (const id of request.renew ?? []) this.#hot.renewLease.run(request.now + request.leaseMs, id, request.owner)
      const expiry = nextLeaseExpiry.get() as number | null
      const reclaimed = expiry !== null && expiry <= request.now ? reclaimExpired(this.#hot, counts, request.now) : 0
      const states = readTargetStates(this.#hot)
      const planned = request.plan(states)
      const leased = planned.length === 0 ? [] : leaseRows(this.#hot, counts, request, planned)
      const nextDueAt: Record<string, number | null> = {}
      for (const { name, limit } of planned) {
        let took = 0
        for (const d of leased) if (d.target === name) took++
        if (took < limit) nextDueAt[name] = nextDue.get(name) as number | null
      }
      return { completions, reclaimed, states, leased, nextDueAt, nextLeaseExpiry: nextLeaseExpiry.get() as number | null }
    })
  }

  releaseLeases (owner: string, deliveryIds: readonly string[], now: number): Promise<number> {
    const { release } = this.#hot
    return this.#write((counts) => {
      let n = 0
      for (const id of deliveryIds) {
        const row = release.get({ id, owner, now }) as { target: string } | undefined
        if (row === undefined) continue
        counts.move(row.target, 'in_flight', 'pending')
        n++
      }
      return n
    })
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
      const order = this.#sortsInMemory(filter) ? sql`+${deliveries.id} desc` : desc(deliveries.id)
      const rows = this.#db.select().from(deliveries).where(where).orderBy(order).limit(page.limit + 1).all()
      return toPage(rows.map(deliveryFromRow), page.limit)
    })
  }

  // Left to itself, SQLite walks the primary key newest first and filters: right when the
  // rows asked for are common, a walk over the whole table when they are few and old. In-flight
  // rows are always few, and pending ones usually are: for those, "+id" makes it take them
  // from their small partial index and sort them instead. A large backlog of pending rows
  // of every target is the newest rows, where the walk finds them at once.
  #sortsInMemory (filter: DeliveryFilter): boolean {
    if (filter.state === 'in_flight') return true
    if (filter.state !== 'pending' || filter.target !== undefined) return false
    let pending = 0
    for (const r of this.#hot.countsByTarget.all() as CountRow[]) if (r.state === 'pending') pending += r.n
    return pending <= SORT_IN_MEMORY_MAX
  }

  retryDelivery (id: string, now: number): Promise<RetryResult> {
    return this.#write((counts) => {
      const row = this.#db.select({ state: deliveries.state, target: deliveries.target }).from(deliveries).where(eq(deliveries.id, id)).get()
      if (row === undefined) return 'not_found'
      if (row.state === 'in_flight') return 'in_flight'
      this.#db.update(deliveries).set(retriedColumns(now)).where(eq(deliveries.id, id)).run()
      counts.move(row.target, row.state, 'pending')
      return 'retried'
    })
  }

  retryDeliveries (filter: DeliveryFilter & { state: DeliveryState }, now: number): Promise<number> {
    return this.#write((counts) => {
      if (filter.state === 'in_flight') return 0
      const rows = this.#db.update(deliveries).set(retriedColumns(now)).where(and(...deliveryConditions(filter)))
        .returning({ target: deliveries.target }).all()
      for (const r of rows) counts.move(r.target, filter.state, 'pending')
      return rows.length
    })
  }

  cancelDelivery (id: string, now: number): Promise<CancelResult> {
    return this.#write((counts) => {
      const row = this.#db.select({ state: deliveries.state, target: deliveries.target }).from(deliveries).where(eq(deliveries.id, id)).get()
      if (row === undefined) return 'not_found'
      if (row.state === 'cancelled') return 'cancelled_already'
      if (row.state === 'in_flight' || row.state === 'succeeded') return row.state
      this.#db.update(deliveries).set({ state: 'cancelled', nextAttemptAt: null, updatedAt: now }).where(eq(deliveries.id, id)).run()
      counts.move(row.target, row.state, 'cancelled')
      return 'cancelled'
    })
  }

  targetStates (): Promise<TargetState[]> {
    return this.#read(() => readTargetStates(this.#hot))
  }

  countsByTarget (): Promise<Record<string, StateCounts>> {
    return this.#read(() => {
      const rows = this.#hot.countsByTarget.all() as CountRow[]
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
    return this.#write((counts) => {
      const ids = new Set(h.prunableSucceeded.all(idsBefore('evt', cutoffs.succeededBefore), limit) as string[])
      // The second query can return events the first already took: ask for a full batch and stop at the limit.
      for (const id of h.prunableFinal.all(idsBefore('evt', cutoffs.failedBefore), limit) as string[]) {
        if (ids.size >= limit) break
        ids.add(id)
      }
      for (const id of ids) {
        h.deleteAttemptsOf.run(id)
        for (const d of h.deleteDeliveriesOf.all(id) as Array<{ target: string, state: DeliveryState }>) counts.move(d.target, d.state, null)
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

const SORT_IN_MEMORY_MAX = 20_000
const STATES: ReadonlySet<string> = new Set(deliveries.state.enumValues)

interface CountRow { target: string, state: DeliveryState, n: number }

function deliveryConditions (filter: DeliveryFilter): Array<SQL | undefined> {
  if (filter.state !== undefined && !STATES.has(filter.state)) throw new TypeError(`unknown delivery state ${filter.state}`)
  return [
    // A literal, not a parameter: SQLite uses a partial index only for a state it can see.
    filter.state === undefined ? undefined : sql`${deliveries.state} = ${sql.raw(`'${filter.state}'`)}`,
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
