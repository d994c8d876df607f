import type { Logger } from 'pino'
import type { TargetConfig } from '../config/types.js'
import { setMaxListeners } from 'node:events'
import type { Store } from '../store/store.js'
import type { AttemptRecord, CompletedAttempt, LeasedDelivery, TargetState } from '../store/types.js'
import { attemptRecord } from './attempt-record.js'
import type { ForwardResult } from './forward.js'

// setTimeout cannot wait longer than this; a later wake simply re-arms.
const MAX_TIMER_MS = 2_147_483_647
// A lease outlives the attempt's own timeout by this much before another worker may take it.
const LEASE_MARGIN_MS = 15_000

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
  // HTTP requests under way, in all and per target: the slots the concurrency limits count.
  #running = 0
  readonly #perTarget = new Map<string, number>()
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
  #rotation = 0

  constructor (options: WorkerOptions) {
    this.#o = options
    this.#log = options.logger.child({ component: 'worker' })
    this.#clock = options.clock ?? Date.now
    this.#random = options.random ?? Math.random
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
    let blocked = new Map<string, number>()
    let pass
    try {
      pass = await this.#o.store.runPass({
        owner: this.#o.owner,
        now,
        leaseMs: this.#leaseMs(),
        records: finished.map((f) => f.record),
        plan: (states) => {
          blocked = blockedTargets(states, now)
          return this.#plan(blocked)
        }
      })
    } catch (err) {
      for (const f of finished) f.reject(err)
      throw err
    }
    for (let i = 0; i < finished.length; i++) finished[i].resolve(pass.completions[i])
    if (pass.reclaimed > 0) this.#log.warn({ count: pass.reclaimed }, 'Took back deliveries whose worker stopped mid-attempt')
    for (const d of pass.leased) this.#start(d)
    // Whatever could not be leased now is due later: sleep until the earliest of those.
    let wakeAt = pass.nextLeaseExpiry ?? Infinity
    for (const until of blocked.values()) wakeAt = Math.min(wakeAt, until)
    for (const due of Object.values(pass.nextDueAt)) if (due !== null) wakeAt = Math.min(wakeAt, due)
    this.#ticking = false
    if (this.#again || this.#finished.length > 0) this.#arm(this.#clock())
    else if (wakeAt !== Infinity) this.#arm(wakeAt)
  }

  // How many deliveries each target may take now, round-robin so no target starves the others.
  #plan (blocked: ReadonlyMap<string, number>): Array<{ name: string, limit: number }> {
    if (this.#stopping) return []
    const names = Object.keys(this.#o.targets)
    const shift = this.#rotation++ % Math.max(1, names.length)
    const order = names.slice(shift).concat(names.slice(0, shift))
    let free = this.#o.concurrency - this.#running
    const request: Array<{ name: string, limit: number }> = []
    for (const name of order) {
      if (blocked.has(name)) continue
      const concurrency = this.#o.targets[name].concurrency
      const running = this.#perTarget.get(name) ?? 0
      const limit = Math.min(free, concurrency - running)
      if (limit <= 0) continue
      // While a quarter of the slots are still busy, their completions will wake us again:
      // waiting for a few free slots leases in batches instead of one row per transaction.
      if (running > 0 && limit < Math.ceil(concurrency / 4) && limit < free) continue
      request.push({ name, limit })
      free -= limit
    }
    return request
  }

  #leaseMs (): number {
    let max = 0
    for (const t of Object.values(this.#o.targets)) max = Math.max(max, t.timeoutMs)
    return max + LEASE_MARGIN_MS
  }

  #start (delivery: LeasedDelivery): void {
    const target = this.#o.targets[delivery.target]
    this.#running++
    this.#perTarget.set(delivery.target, (this.#perTarget.get(delivery.target) ?? 0) + 1)
    const done = this.#attempt(delivery, target).catch((err: unknown) => {
      this.#log.error({ err, deliveryId: delivery.id }, 'Recording an attempt failed; its lease will expire and it will be retried')
    }).finally(() => {
      this.#inFlight.delete(delivery.id)
      this.wake()
    })
    this.#inFlight.set(delivery.id, done)
  }

  async #attempt (delivery: LeasedDelivery, target: TargetConfig): Promise<void> {
    let result: ForwardResult
    try {
      result = await this.#o.send(delivery, target, this.#shutdown.signal)
    } finally {
      this.#running--
      this.#perTarget.set(delivery.target, (this.#perTarget.get(delivery.target) ?? 1) - 1)
    }
    const record = attemptRecord({ delivery, target, result, owner: this.#o.owner, random: this.#random() })
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
      this.wake()
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

/** Targets nothing may be sent to now (paused or held by a Retry-After), with when that ends. */
function blockedTargets (states: readonly TargetState[], now: number): Map<string, number> {
  const out = new Map<string, number>()
  for (const s of states) {
    const until = blockedUntilOf(s, now)
    if (until !== null) out.set(s.name, until)
  }
  return out
}

function blockedUntilOf (state: TargetState | undefined, now: number): number | null {
  if (state === undefined) return null
  if (state.paused && (state.pausedUntil === null || state.pausedUntil > now)) {
    // An indefinite pause has no time to wake for; resume wakes the worker.
    return state.pausedUntil ?? Infinity
  }
  if (state.holdUntil !== null && state.holdUntil > now) return state.holdUntil
  return null
}
