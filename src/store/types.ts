import type { AttemptOutcome } from '../core/outcome.js'
import type { FailReason } from '../core/next-step.js'

export type DeliveryState = 'pending' | 'in_flight' | 'succeeded' | 'failed' | 'cancelled'
export const DELIVERY_STATES: readonly DeliveryState[] = ['pending', 'in_flight', 'succeeded', 'failed', 'cancelled']

/** Header pairs in arrival order, names spelled as received. */
export type HeaderPairs = ReadonlyArray<readonly [string, string]>

export interface NewEvent {
  readonly id: string
  readonly source: string
  readonly method: string
  /** Path suffix after /in/<source>, raw (still percent-encoded), '' or starting with '/'. */
  readonly path: string
  /** Raw query string without '?', '' when none. */
  readonly query: string
  readonly headers: HeaderPairs
  readonly body: Buffer
  readonly remoteAddress: string
  readonly receivedAt: number
  readonly dedupeKey: string | null
  /** With a dedupeKey: an earlier event of the source with the same key received at or after this time makes this one a duplicate. */
  readonly dedupeSince: number
  readonly deliveries: ReadonlyArray<{ readonly id: string, readonly target: string }>
}

/** What became of one NewEvent: stored, or recognised as a repeat of an earlier event. */
export interface InsertResult {
  /** The original event's id when this one was a duplicate (nothing was stored); otherwise null. */
  readonly duplicateOf: string | null
}

export interface StoredEvent extends Omit<NewEvent, 'deliveries' | 'dedupeSince'> {
  /** How many later requests were recognised as repeats of this one. */
  readonly duplicates: number
}

/** A delivery leased to a worker together with what it needs to send. */
export interface LeasedDelivery {
  readonly id: string
  readonly eventId: string
  readonly target: string
  /** 1-based, counted over the delivery's whole life (the Sidehook-Attempt header). */
  readonly attempt: number
  /** Attempts in the current retry cycle, this one included: compared with maxAttempts. */
  readonly cycleAttempt: number
  readonly cycleStartedAt: number
  readonly event: StoredEvent
}

export interface LeaseRequest {
  readonly owner: string
  readonly now: number
  readonly leaseMs: number
  /** Targets to lease from and how many rows each may take at most. */
  readonly targets: ReadonlyArray<{ readonly name: string, readonly limit: number }>
}

/** One scheduling pass of a worker: see Store.runPass. */
export interface PassRequest {
  readonly owner: string
  readonly now: number
  readonly leaseMs: number
  /** Finished attempts to record before anything is leased. */
  readonly records: readonly AttemptRecord[]
  /**
   * Deliveries this owner leased and still holds unstarted: their leases are extended to
   * now + leaseMs before any expired lease is taken back, so waiting for a slot never
   * makes a held delivery look abandoned.
   */
  readonly renew?: readonly string[]
  /**
   * Given every target's state as it stands after the records (holds they set included),
   * how many due deliveries to lease per target. Runs inside the transaction: no I/O.
   */
  readonly plan: (states: readonly TargetState[]) => LeaseRequest['targets']
}

export interface PassResult {
  /** One per record, in order, as completeAttempts returns them. */
  readonly completions: CompletedAttempt[]
  /** In_flight deliveries of any owner whose expired lease this pass took back. */
  readonly reclaimed: number
  readonly states: readonly TargetState[]
  readonly leased: LeasedDelivery[]
  /** For each planned target that got fewer rows than it asked for: when its next one is due. */
  readonly nextDueAt: Readonly<Record<string, number | null>>
  /** Earliest lease expiry left after the pass, or null. */
  readonly nextLeaseExpiry: number | null
}

/** One recorded HTTP try of a delivery, as stored and as shown. */
export interface AttemptView {
  readonly n: number
  readonly startedAt: number
  readonly durationMs: number
  readonly status: number | null
  readonly error: string | null
  readonly errorMessage: string | null
  readonly retryAfterMs: number | null
  readonly outcome: AttemptOutcome
  readonly responseHeaders: HeaderPairs | null
  readonly responseBody: Buffer | null
}

/** What a finished attempt changes. Written in one transaction with the attempt row. */
export interface AttemptRecord extends AttemptView {
  readonly deliveryId: string
  readonly owner: string
  readonly target: string
  readonly nextState: 'succeeded' | 'pending' | 'failed'
  readonly nextAttemptAt: number | null
  readonly failReason: FailReason | null
  readonly holdTargetUntil: number | null
  /**
   * False for attempts cut short by our own shutdown: they say nothing about the target's
   * health and do not use up the delivery's retry budget (the attempt row is still kept).
   */
  readonly countsForHealth: boolean
}

export interface CompletedAttempt {
  readonly deliveryId: string
  /** False when the lease had been lost (expired and taken by another worker): nothing was written. */
  readonly applied: boolean
  readonly consecutiveFailures: number
}

export interface DeliveryView {
  readonly id: string
  readonly eventId: string
  readonly source: string
  readonly target: string
  readonly state: DeliveryState
  readonly attemptCount: number
  readonly nextAttemptAt: number | null
  readonly lastStatus: number | null
  readonly lastError: string | null
  readonly failReason: string | null
  readonly createdAt: number
  readonly updatedAt: number
}

export interface DeliveryFilter {
  readonly state?: DeliveryState
  readonly target?: string
  readonly source?: string
  /** createdAt >= since */
  readonly since?: number
  /** createdAt < until */
  readonly until?: number
}

export interface Page<T> {
  readonly items: T[]
  /** Id after which the next page starts (newest first); null on the last page. */
  readonly next: string | null
}

export interface PageRequest {
  readonly limit: number
  /** Return items with ids strictly older than this. */
  readonly before?: string
}

export interface EventSummary {
  readonly id: string
  readonly source: string
  readonly method: string
  readonly path: string
  readonly query: string
  readonly receivedAt: number
  readonly size: number
  readonly remoteAddress: string
}

export interface TargetState {
  readonly name: string
  readonly paused: boolean
  readonly pausedUntil: number | null
  readonly holdUntil: number | null
  readonly consecutiveFailures: number
  readonly lastSuccessAt: number | null
  readonly lastFailureAt: number | null
  readonly lastStatus: number | null
  readonly lastError: string | null
}

export type StateCounts = Readonly<Record<DeliveryState, number>>

export type RetryResult = 'retried' | 'not_found' | 'in_flight'
export type CancelResult = 'cancelled' | 'not_found' | 'in_flight' | 'succeeded' | 'cancelled_already'
