import type { Logger } from 'pino'
import type { TargetConfig } from '../config/types.js'
import { setMaxListeners } from 'node:events'
import type { Store } from '../store/store.js'
import type { AttemptRecord, CompletedAttempt, LeasedDelivery } from '../store/types.js'
import { attemptRecord } from './attempt-record.js'
import { blockedTargets } from './blocked-targets.js'
import { Slots } from './slots.js'
import type { ForwardResult } from './forward.js'

// setTimeout cannot wait longer than this; a later wake simply re-arms.
const MAX_TIMER_MS = 2_147_483_647
// A lease outlives the attempt's own timeout by this much before another worker may take it.
const LEASE_MARGIN_MS = 15_000
// Finished attempts wait at most this long, or until this many gather, to be written together
// while leased deliveries are still in hand; with nothing in hand they are written at once.
const RECORD_DELAY_MS = 5
const RECORD_BATCH = 64

export interface AttemptReport {
  readonly delivery: LeasedDelivery
  readonly record: AttemptRecord
  readonly completion: CompletedAttempt
}

export interface WorkerOptions {
  readonly store: Store
  readonly targets: Readonly<Record<string, TargetConfig>>
  /** Attempts in flight at once across all targets. */
  readonly concurrency: number
  /** Sends one attempt; must never throw. The signal, shared by all attempts, aborts on shutdown. */
  readonly send: (delivery: LeasedDelivery, target: TargetConfig, signal: AbortSignal) => Promise<ForwardResult>
  readonly owner: string
  readonly logger: Logger
  readonly clock?: () => number
  readonly random?: () => number
  /** Told about every recorded attempt (alerts, metrics). Must not throw. */
  readonly onAttempt?: (report: AttemptReport) => void
}

/**
 * Leases due deliveries and runs their attempts within the global and per-target limits.
 * It wakes on ingest, on finished attempts and on one timer set to the next due time, so an
 * idle process does no work at all. Each pass records the attempts finished since the last
 * one and leases new work in a single transaction; none is ever held across an HTTP call.
 */
export class Worker {
  readonly #o: WorkerOptions
  readonly #log: Logger
  readonly #clock: () => number
  readonly #random: () => number
  readonly #inFlight = new Map<string, Promise<void>>()
  readonly #slots: Slots
  // The longest attempt any target allows. A delivery in hand starts within one such time (at
  // most as many wait as there are slots, and every running attempt ends within its timeout),
  // then runs for at most another: its lease covers both.
  readonly #maxTimeoutMs: number
  readonly #leaseMs: number
  // Targets the last pass found paused or held, with until when (Infinity: until resumed).
  #blocked: ReadonlyMap<string, number> = new Map()
  // Holds learned from answers not yet written: nothing more goes to those targets meanwhile.
  readonly #holds = new Map<string, number>()
  // One controller for every attempt: shutdown aborts whatever is still running at once.
  readonly #shutdown = new AbortController()
  // Attempts finished but not yet written, waiting for the next pass.
  #finished: Finished[] = []
  #passing: Promise<void> | null = null
  #timer: NodeJS.Timeout | undefined
  // An immediate wake runs on the next turn (setTimeout(0) would wait at least 1 ms, a
  // bubble in the pipeline on every pass while draining a backlog).
  #immediate: NodeJS.Immediate | undefined
  #timerAt = Infinity
  #ticking = false
  #again = false
  #stopping = false

  constructor (options: WorkerOptions) {
    this.#o = options
    this.#log = options.logger.child({ component: 'worker' })
    this.#clock = options.clock ?? Date.now
    this.#random = options.random ?? Math.random
    this.#maxTimeoutMs = Math.max(0, ...Object.values(options.targets).map((t) => t.timeoutMs))
    this.#leaseMs = 2 * this.#maxTimeoutMs + LEASE_MARGIN_MS
    this.#slots = new Slots(Object.fromEntries(Object.values(options.targets).map((t) => [t.name, t.concurrency])), options.concurrency)
    // Every attempt in flight listens to it; that is not a leak.
    setMaxListeners(0, this.#shutdown.signal)
  }

  get inFlight (): number { return this.#inFlight.size }

  /** When the worker will next look for work on its own; null when it sleeps until woken. */
  get nextWakeAt (): number | null { return this.#timerAt === Infinity ? null : this.#timerAt }

  /** Looks for due work soon; cheap to call often (calls within one turn coalesce). */
  wake (): void {
    if (this.#stopping) return
    if (this.#ticking) {
      this.#again = true
      return
    }
    this.#arm(this.#clock())
  }

  /**
   * These new deliveries are due now. Looks for work unless none of their targets
   * could take any: all paused or held (as the last pass saw them), or holding enough leased
   * deliveries to fill their slots. Ingest calls it after every group commit.
   */
  offer (deliveries: ReadonlyArray<{ readonly target: string }>): void {
    const now = this.#clock()
    for (const { target } of deliveries) {
      if (!this.#isBlocked(target, now) && this.#slots.wantsMore(target)) {
        this.wake()
        return
      }
    }
  }

  #arm (at: number): void {
    if (this.#stopping || at >= this.#timerAt) return
    this.#clearTimers()
    this.#timerAt = at
    const delay = Math.min(Math.max(0, at - this.#clock()), MAX_TIMER_MS)
    if (delay === 0) {
      this.#immediate = setImmediate(() => this.#onTimer())
      this.#immediate.unref()
    } else {
      this.#timer = setTimeout(() => this.#onTimer(), delay)
      this.#timer.unref()
    }
  }

  #clearTimers (): void {
    clearTimeout(this.#timer)
    clearImmediate(this.#immediate)
    this.#timer = undefined
    this.#immediate = undefined
  }

  #onTimer (): void {
    this.#timer = undefined
    this.#immediate = undefined
    this.#timerAt = Infinity
    this.#ticking = true
    this.#passing = this.#tick().catch((err: unknown) => {
      // A failing database must not kill the worker; try again a little later.
      this.#log.error({ err }, 'Scheduling failed; retrying in 1 s')
      this.#ticking = false
      this.#arm(this.#clock() + 1000)
    }).finally(() => { this.#passing = null })
  }

  async #tick (): Promise<void> {
    this.#again = false
    const finished = this.#finished
    this.#finished = []
    const now = this.#clock()
    let blocked: ReadonlyMap<string, number> = new Map()
    // A delivery that has waited in hand for a slot as long as an attempt may take gets its
    // lease extended, so the lease always covers the wait plus one whole attempt. (If the pass
    // fails, the next one renews them again: the lease they have still covers that.)
    const renew = this.#slots.renew(now - this.#maxTimeoutMs, now)
    let pass
    try {
      pass = await this.#o.store.runPass({
        owner: this.#o.owner,
        now,
        leaseMs: this.#leaseMs,
        records: finished.map((f) => f.record),
        renew,
        plan: (states) => {
          blocked = blockedTargets(states, now)
          if (this.#stopping) return []
          if (this.#holds.size === 0) return this.#slots.plan(blocked)
          // Holds from answers that arrived after this pass began are not in `states` yet.
          const unplanned = new Map(blocked)
          for (const [name, until] of this.#holds) if (until > now) unplanned.set(name, until)
          return this.#slots.plan(unplanned)
        }
      })
    } catch (err) {
      // Nothing of the pass was written: its outcomes go with the next one.
      this.#finished = finished.concat(this.#finished)
      throw err
    }
    this.#blocked = blocked
    for (const [name, until] of this.#holds) if (until <= now || (blocked.get(name) ?? 0) >= until) this.#holds.delete(name)
    for (let i = 0; i < finished.length; i++) finished[i].resolve(pass.completions[i])
    if (pass.reclaimed > 0) this.#log.warn({ count: pass.reclaimed }, 'Took back deliveries whose worker stopped mid-attempt')
    this.#slots.hold(pass.leased, now)
    // Deliveries in hand for a target that is now paused or held go back to the outbox.
    const parked = this.#slots.unhold((name) => this.#isBlocked(name, now))
    if (parked.length > 0) await this.#o.store.releaseLeases(this.#o.owner, parked.map((d) => d.id), now)
    this.#fill()
    // Whatever could not be leased now is due later: sleep until the earliest of those.
    let wakeAt = pass.nextLeaseExpiry ?? Infinity
    for (const until of blocked.values()) wakeAt = Math.min(wakeAt, until)
    for (const until of this.#holds.values()) wakeAt = Math.min(wakeAt, until)
    for (const due of Object.values(pass.nextDueAt)) if (due !== null) wakeAt = Math.min(wakeAt, due)
    this.#ticking = false
    if (this.#again) this.#arm(this.#clock())
    else this.#armForRecords()
    if (wakeAt !== Infinity) this.#arm(wakeAt)
  }

  #isBlocked (name: string, now = this.#clock()): boolean {
    return (this.#blocked.get(name) ?? 0) > now || (this.#holds.get(name) ?? 0) > now
  }

  // Starts held deliveries while slots are free.
  #fill (): void {
    if (this.#stopping) return
    const now = this.#clock()
    const blocked = (name: string) => this.#isBlocked(name, now)
    for (let d = this.#slots.take(blocked); d !== undefined; d = this.#slots.take(blocked)) this.#start(d)
  }

  // Finished attempts go out with the next pass: at once when nothing is left in hand to
  // run (the pass also leases more), a moment later otherwise, so they share a transaction.
  #armForRecords (): void {
    if (this.#finished.length === 0 || this.#ticking) return
    const soon = this.#finished.length >= RECORD_BATCH || this.#slots.queued === 0 || this.#slots.running === 0
    this.#arm(this.#clock() + (soon ? 0 : RECORD_DELAY_MS))
  }

  #start (delivery: LeasedDelivery): void {
    const target = this.#o.targets[delivery.target]
    const done = this.#attempt(delivery, target).catch((err: unknown) => {
      this.#log.error({ err, deliveryId: delivery.id }, 'Recording an attempt failed; its lease will expire and it will be retried')
    }).finally(() => {
      this.#inFlight.delete(delivery.id)
    })
    this.#inFlight.set(delivery.id, done)
  }

  async #attempt (delivery: LeasedDelivery, target: TargetConfig): Promise<void> {
    let record: AttemptRecord
    try {
      const result = await this.#o.send(delivery, target, this.#shutdown.signal)
      record = attemptRecord({ delivery, target, result, owner: this.#o.owner, random: this.#random() })
      // A Retry-After hold counts from now on, before the freed slot starts the next attempt.
      if (record.holdTargetUntil !== null) this.#holds.set(target.name, Math.max(this.#holds.get(target.name) ?? 0, record.holdTargetUntil))
    } finally {
      this.#slots.free(target.name)
      this.#fill()
    }
    const completion = await this.#submit(record)
    if (!completion.applied) {
      this.#log.warn({ deliveryId: delivery.id }, 'Lease was lost before the attempt was recorded; another worker owns it now')
      return
    }
    this.#log.debug({ deliveryId: delivery.id, target: target.name, status: record.status, error: record.error, outcome: record.outcome, next: record.nextState }, 'Attempt recorded')
    this.#o.onAttempt?.({ delivery, record, completion })
  }

  // Hands a finished attempt to the next pass; once stopping, no pass runs, so it is written on its own.
  #submit (record: AttemptRecord): Promise<CompletedAttempt> {
    if (this.#stopping) return this.#o.store.completeAttempts([record]).then(([c]) => c)
    return new Promise((resolve, reject) => {
      this.#finished.push({ record, resolve, reject })
      this.#armForRecords()
    })
  }

  /**
   * Stops leasing, lets running attempts finish within `graceMs`, aborts the rest (they are
   * recorded as due again at once) and writes every outcome before resolving.
   */
  async stop (graceMs: number): Promise<void> {
    this.#stopping = true
    this.#clearTimers()
    // A pass under way may have leased rows: let it start them, then write what it held.
    await this.#passing
    // Deliveries in hand never started: they are due again at once, not after their lease.
    const held = this.#slots.unhold(() => true)
    if (held.length > 0) {
      await this.#o.store.releaseLeases(this.#o.owner, held.map((d) => d.id), this.#clock()).catch((err: unknown) => {
        this.#log.error({ err, count: held.length }, 'Could not give back leased deliveries; they are due again when their lease expires')
      })
    }
    const waiting = this.#finished
    this.#finished = []
    if (waiting.length > 0) {
      await this.#o.store.completeAttempts(waiting.map((f) => f.record)).then(
        (done) => { for (let i = 0; i < waiting.length; i++) waiting[i].resolve(done[i]) },
        (err: unknown) => { for (const f of waiting) f.reject(err) })
    }
    const running = [...this.#inFlight.values()]
    if (running.length > 0) {
      this.#log.info({ inFlight: running.length, graceMs }, 'Waiting for attempts in flight')
      let timer: NodeJS.Timeout | undefined
      const graceOver = new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs) })
      await Promise.race([Promise.all(running), graceOver])
      clearTimeout(timer)
      this.#shutdown.abort()
      await Promise.all(running)
    }
  }
}

interface Finished {
  readonly record: AttemptRecord
  readonly resolve: (c: CompletedAttempt) => void
  readonly reject: (err: unknown) => void
}
