import type { Logger } from 'pino'
import type { TargetConfig } from '../config/types.js'
import { nextStep } from '../core/next-step.js'
import type { AttemptResult } from '../core/outcome.js'
import { Batcher } from '../batcher.js'
import type { Store } from '../store/store.js'
import type { AttemptRecord, CompletedAttempt, LeasedDelivery, TargetState } from '../store/types.js'
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
  /** Sends one attempt; must never throw. */
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
 * idle process does no work at all. No transaction is ever held across an HTTP call.
 */
export class Worker {
  readonly #o: WorkerOptions
  readonly #log: Logger
  readonly #clock: () => number
  readonly #random: () => number
  readonly #inFlight = new Map<string, { target: string, abort: AbortController, done: Promise<void> }>()
  readonly #perTarget = new Map<string, number>()
  readonly #completions: Batcher<AttemptRecord, CompletedAttempt>
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
    this.#completions = new Batcher((records) => options.store.completeAttempts(records))
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
    this.#tick().catch((err: unknown) => {
      // A failing database must not kill the worker; try again a little later.
      this.#log.error({ err }, 'Scheduling failed; retrying in 1 s')
      this.#ticking = false
      this.#arm(this.#clock() + 1000)
    })
  }

  async #tick (): Promise<void> {
    if (this.#stopping) return
    this.#ticking = true
    this.#again = false
    const { store } = this.#o
    const now = this.#clock()
    const leaseExpiry = await store.nextLeaseExpiry()
    if (leaseExpiry !== null && leaseExpiry <= now) {
      const n = await store.reclaimExpiredLeases(now)
      if (n > 0) this.#log.warn({ count: n }, 'Took back deliveries whose worker stopped mid-attempt')
    }
    const states = new Map((await store.targetStates()).map((s) => [s.name, s]))
    const names = Object.keys(this.#o.targets)
    const order = names.slice(this.#rotation % Math.max(1, names.length)).concat(names.slice(0, this.#rotation % Math.max(1, names.length)))
    this.#rotation++
    let free = this.#o.concurrency - this.#inFlight.size
    let wakeAt = leaseExpiry !== null && leaseExpiry > now ? leaseExpiry : Infinity
    const request: Array<{ name: string, limit: number }> = []
    for (const name of order) {
      const blockedUntil = blockedUntilOf(states.get(name), now)
      if (blockedUntil !== null) {
        wakeAt = Math.min(wakeAt, blockedUntil)
        continue
      }
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
    const leased = request.length === 0
      ? []
      : await store.leaseDue({ owner: this.#o.owner, now, leaseMs: this.#leaseMs(), targets: request })
    for (const d of leased) this.#start(d)
    // Whatever could not be leased now is due later: sleep until the earliest of those.
    for (const { name, limit } of request) {
      const took = leased.filter((d) => d.target === name).length
      if (took >= limit) continue
      const due = await store.nextDueAt(name)
      if (due !== null) wakeAt = Math.min(wakeAt, due)
    }
    this.#ticking = false
    if (this.#again) this.#arm(this.#clock())
    else if (wakeAt !== Infinity) this.#arm(wakeAt)
  }

  #leaseMs (): number {
    let max = 0
    for (const t of Object.values(this.#o.targets)) max = Math.max(max, t.timeoutMs)
    return max + LEASE_MARGIN_MS
  }

  #start (delivery: LeasedDelivery): void {
    const target = this.#o.targets[delivery.target]
    const abort = new AbortController()
    this.#perTarget.set(delivery.target, (this.#perTarget.get(delivery.target) ?? 0) + 1)
    const done = this.#attempt(delivery, target, abort.signal).catch((err: unknown) => {
      this.#log.error({ err, deliveryId: delivery.id }, 'Recording an attempt failed; its lease will expire and it will be retried')
    }).finally(() => {
      this.#inFlight.delete(delivery.id)
      this.#perTarget.set(delivery.target, (this.#perTarget.get(delivery.target) ?? 1) - 1)
      this.wake()
    })
    this.#inFlight.set(delivery.id, { target: delivery.target, abort, done })
  }

  async #attempt (delivery: LeasedDelivery, target: TargetConfig, signal: AbortSignal): Promise<void> {
    const result = await this.#o.send(delivery, target, signal)
    const record = this.#record(delivery, target, result)
    const completion = await this.#completions.add(record)
    if (!completion.applied) {
      this.#log.warn({ deliveryId: delivery.id }, 'Lease was lost before the attempt was recorded; another worker owns it now')
      return
    }
    this.#log.debug({ deliveryId: delivery.id, target: target.name, status: record.status, error: record.error, outcome: record.outcome, next: record.nextState }, 'Attempt recorded')
    this.#o.onAttempt?.({ delivery, record, completion })
  }

  #record (delivery: LeasedDelivery, target: TargetConfig, r: ForwardResult): AttemptRecord {
    const base = {
      deliveryId: delivery.id, owner: this.#o.owner, target: target.name, n: delivery.attempt,
      startedAt: r.startedAt, durationMs: r.durationMs, status: r.status, error: r.error,
      errorMessage: r.errorMessage, responseHeaders: r.responseHeaders, responseBody: r.responseBody
    }
    if (r.error === 'aborted') {
      // Our own shutdown cut it short: try again at once after restart, and do not blame the target.
      return { ...base, retryAfterMs: null, outcome: 'retry', nextState: 'pending', nextAttemptAt: r.startedAt + r.durationMs, failReason: null, holdTargetUntil: null, countsForHealth: false }
    }
    const result: AttemptResult = r.error !== null ? { error: r.error } : { status: r.status ?? 0, retryAfter: r.retryAfter }
    const step = nextStep({
      result, attempt: delivery.cycleAttempt, cycleStartedAt: delivery.cycleStartedAt,
      now: r.startedAt + r.durationMs, random: this.#random(), policy: target.retry
    })
    if (step.state === 'succeeded') {
      return { ...base, retryAfterMs: null, outcome: 'success', nextState: 'succeeded', nextAttemptAt: null, failReason: null, holdTargetUntil: null, countsForHealth: true }
    }
    if (step.state === 'pending') {
      return { ...base, retryAfterMs: step.retryAfterMs, outcome: 'retry', nextState: 'pending', nextAttemptAt: step.nextAttemptAt, failReason: null, holdTargetUntil: step.holdTargetUntil, countsForHealth: true }
    }
    return { ...base, retryAfterMs: step.retryAfterMs, outcome: step.outcome, nextState: 'failed', nextAttemptAt: null, failReason: step.reason, holdTargetUntil: step.holdTargetUntil, countsForHealth: true }
  }

  /**
   * Stops leasing, lets running attempts finish within `graceMs`, aborts the rest (they are
   * recorded as due again at once) and writes every outcome before resolving.
   */
  async stop (graceMs: number): Promise<void> {
    this.#stopping = true
    this.#clearTimers()
    const running = [...this.#inFlight.values()]
    if (running.length > 0) {
      this.#log.info({ inFlight: running.length, graceMs }, 'Waiting for attempts in flight')
      let timer: NodeJS.Timeout | undefined
      const graceOver = new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs) })
      await Promise.race([Promise.all(running.map((r) => r.done)), graceOver])
      clearTimeout(timer)
      for (const r of this.#inFlight.values()) r.abort.abort()
      await Promise.all(running.map((r) => r.done))
    }
    await this.#completions.drain()
  }
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
