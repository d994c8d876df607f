import type { LeasedDelivery } from '../store/types.js'

/**
 * The worker's concurrency bookkeeping, without I/O: how many attempts run per target and in
 * all, and the deliveries already leased that wait for a slot. Keeping up to one target's
 * `concurrency` of leased deliveries in hand lets a freed slot start the next attempt at once,
 * and lets leases (and their transactions) come in batches of a whole `concurrency`.
 */
export class Slots {
  readonly #limits: Readonly<Record<string, number>>
  readonly #global: number
  readonly #names: readonly string[]
  readonly #running = new Map<string, number>()
  // Each held delivery with when its lease was last set (leased or renewed).
  readonly #queues = new Map<string, Array<{ delivery: LeasedDelivery, since: number }>>()
  #runningTotal = 0
  #queuedTotal = 0
  #rotation = 0
  #cursor = 0

  /** `limits`: each target's concurrency; `global`: attempts at once across all targets. */
  constructor (limits: Readonly<Record<string, number>>, global: number) {
    this.#limits = limits
    this.#global = global
    this.#names = Object.keys(limits)
    for (const name of this.#names) {
      this.#running.set(name, 0)
      this.#queues.set(name, [])
    }
  }

  get running (): number { return this.#runningTotal }
  get queued (): number { return this.#queuedTotal }

  /**
   * How many due deliveries each target should lease now, round-robin so no target starves
   * the others. A target leases once what it runs and holds no longer fills its slots, and
   * then takes up to twice its concurrency minus that; in all, never more than twice the
   * global limit is running or held.
   */
  plan (blocked: ReadonlyMap<string, number>): Array<{ name: string, limit: number }> {
    const names = this.#names
    const shift = this.#rotation++ % Math.max(1, names.length)
    const order = names.slice(shift).concat(names.slice(0, shift))
    let room = 2 * this.#global - this.#runningTotal - this.#queuedTotal
    const out: Array<{ name: string, limit: number }> = []
    for (const name of order) {
      if (blocked.has(name) || room <= 0) continue
      const limit = this.#limits[name]
      const inHand = this.#running.get(name)! + this.#queues.get(name)!.length
      if (inHand > limit) continue
      const take = Math.min(room, 2 * limit - inHand)
      if (take <= 0) continue
      out.push({ name, limit: take })
      room -= take
    }
    return out
  }

  /** Leased deliveries wait here, in order, for a slot; `at`: when their lease was set. */
  hold (deliveries: readonly LeasedDelivery[], at: number): void {
    for (const delivery of deliveries) {
      this.#queues.get(delivery.target)!.push({ delivery, since: at })
      this.#queuedTotal++
    }
  }

  /** Ids of the held deliveries whose lease was set at or before `before`; their lease now counts from `at`. */
  renew (before: number, at: number): string[] {
    const ids: string[] = []
    if (this.#queuedTotal === 0) return ids
    for (const queue of this.#queues.values()) {
      for (const h of queue) {
        if (h.since > before) continue
        h.since = at
        ids.push(h.delivery.id)
      }
    }
    return ids
  }

  /**
   * The next held delivery that may start now, its slot taken, or undefined. Targets for
   * which `blocked` says true start nothing. The targets take turns, so when the global limit
   * is what binds, a freed slot does not always go back to the same target.
   */
  take (blocked: (name: string) => boolean): LeasedDelivery | undefined {
    if (this.#runningTotal >= this.#global || this.#queuedTotal === 0) return undefined
    const names = this.#names
    for (let i = 0; i < names.length; i++) {
      const name = names[(this.#cursor + i) % names.length]
      const d = this.#takeFrom(name, blocked)
      if (d !== undefined) {
        this.#cursor = (this.#cursor + i + 1) % names.length
        return d
      }
    }
    return undefined
  }

  #takeFrom (name: string, blocked: (name: string) => boolean): LeasedDelivery | undefined {
    const queue = this.#queues.get(name)!
    if (queue.length === 0 || this.#running.get(name)! >= this.#limits[name] || blocked(name)) return undefined
    const d = queue.shift()!.delivery
    this.#queuedTotal--
    this.#running.set(name, this.#running.get(name)! + 1)
    this.#runningTotal++
    return d
  }

  /** An attempt of `name` ended: its slot is free. */
  free (name: string): void {
    this.#running.set(name, this.#running.get(name)! - 1)
    this.#runningTotal--
  }

  /** Takes every held delivery of the targets `which` names out of the queues. */
  unhold (which: (name: string) => boolean): LeasedDelivery[] {
    const out: LeasedDelivery[] = []
    for (const [name, queue] of this.#queues) {
      if (queue.length === 0 || !which(name)) continue
      for (const h of queue.splice(0)) out.push(h.delivery)
    }
    this.#queuedTotal -= out.length
    return out
  }

  /** True when `name` holds too few to keep its slots busy: a pass should lease for it. */
  wantsMore (name: string): boolean {
    return this.#running.get(name)! + this.#queues.get(name)!.length <= this.#limits[name]
  }
}
