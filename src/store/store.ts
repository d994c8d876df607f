import type {
  AttemptRecord, AttemptView, CancelResult, CompletedAttempt, DeliveryFilter, DeliveryState, DeliveryView,
  EventSummary, InsertResult, LeasedDelivery, LeaseRequest, NewEvent, Page, PageRequest, PassRequest, PassResult, RetryResult, StateCounts,
  StoredEvent, TargetState
} from './types.js'

export type * from './types.js'

/**
 * The outbox. Every method is asynchronous and names no driver type, so an implementation
 * on PostgreSQL (leases with FOR UPDATE SKIP LOCKED) can serve several replicas.
 * "Atomic" below means all of the method's writes commit together or not at all; a rejected
 * promise means nothing was written.
 */
export interface Store {
  /**
   * Atomic: stores every event with all its deliveries (state pending, due at receivedAt),
   * except events whose dedupeKey matches an earlier event of the same source received at or
   * after its dedupeSince (earlier events of the same batch included): those store nothing,
   * count one more duplicate on the original, and name it in their result.
   * Resolves only once the commit is durable under the configured durability.
   * Rejects with a StorageUnavailableError when the database cannot write (disk full,
   * read-only, I/O error, busy too long).
   */
  insertEvents (events: readonly NewEvent[]): Promise<InsertResult[]>

  /**
   * Atomic: takes due pending deliveries (nextAttemptAt <= now), oldest first, at most
   * `limit` per listed target, marks them in_flight under `owner` until now + leaseMs, and
   * counts the attempt. Two concurrent callers never lease the same row.
   */
  leaseDue (request: LeaseRequest): Promise<LeasedDelivery[]>

  /**
   * Atomic per record: when the delivery is still leased by record.owner, writes the attempt
   * row, the delivery's next state and the target's health together; otherwise writes
   * nothing for that record (applied: false). One transaction covers the whole batch.
   */
  completeAttempts (records: readonly AttemptRecord[]): Promise<CompletedAttempt[]>

  /**
   * Atomic: one scheduling pass of a worker, in one transaction, so a busy worker commits
   * once per pass instead of once per kind of bookkeeping. In order: records `records` as
   * completeAttempts does; extends the leases named in `renew` (this owner's, in_flight
   * only) to now + leaseMs; puts every in_flight delivery of any owner whose lease expired
   * back to pending, due now, with an attempt row saying so; reads the target states and asks `plan` how many rows to lease per
   * target; leases them as leaseDue does; reads when the next delivery is due for each
   * planned target that got fewer rows than it asked for, and the next lease expiry.
   */
  runPass (request: PassRequest): Promise<PassResult>

  /**
   * Atomic: gives back this owner's leases that never started an attempt (used on
   * shutdown), undoing their attempt count. Returns how many.
   */
  releaseLeases (owner: string, deliveryIds: readonly string[], now: number): Promise<number>

  getEvent (id: string): Promise<StoredEvent | null>
  listEvents (filter: { source?: string }, page: PageRequest): Promise<Page<EventSummary>>
  getDelivery (id: string): Promise<DeliveryView | null>
  getAttempts (deliveryId: string): Promise<AttemptView[]>
  deliveriesOfEvent (eventId: string): Promise<DeliveryView[]>
  listDeliveries (filter: DeliveryFilter, page: PageRequest): Promise<Page<DeliveryView>>

  /**
   * Atomic: a delivery in any state but in_flight goes back to pending, due now, with a
   * fresh retry budget (maxAttempts and maxAgeMs count from now).
   */
  retryDelivery (id: string, now: number): Promise<RetryResult>

  /** Atomic: retries every delivery matching the filter that is not in_flight; returns how many. */
  retryDeliveries (filter: DeliveryFilter & { state: DeliveryState }, now: number): Promise<number>

  /** Atomic: a pending or failed delivery becomes cancelled. */
  cancelDelivery (id: string, now: number): Promise<CancelResult>

  /** Health and pause state of every target that has one (a missing target is healthy). */
  targetStates (): Promise<TargetState[]>

  /** Deliveries per target and state. Read-only. */
  countsByTarget (): Promise<Record<string, StateCounts>>

  /** Creation time of the oldest pending delivery of each named target (null: none pending). Read-only. */
  oldestPending (targets: readonly string[]): Promise<Record<string, number | null>>

  /** Atomic: pauses a target until `until` (null: until resumed). */
  pauseTarget (name: string, until: number | null): Promise<void>

  /** Atomic: lifts an operator pause and any Retry-After hold. */
  resumeTarget (name: string): Promise<void>

  /**
   * Atomic: deletes at most `limit` events (oldest first) with their deliveries and attempts:
   * events received before `succeededBefore` whose deliveries all succeeded or were
   * cancelled, and events received before `failedBefore` whose deliveries are all final.
   * Events with a pending or in-flight delivery are never deleted. Returns how many.
   */
  pruneEvents (cutoffs: { succeededBefore: number, failedBefore: number }, limit: number): Promise<number>

  /** Resolves when a write transaction can be opened and committed; rejects otherwise. */
  checkWritable (): Promise<void>

  /** Finishes pending work and closes the database. */
  close (): Promise<void>
}
