import type { DeliveryState } from '../types.js'
import type { HotStatements } from './hot-statements.js'

/**
 * Changes to delivery_counts made by one transaction, summed in memory and written once per
 * (target, state) before it commits: a batch of 16 leases is two small updates, not 32.
 * Every write that inserts, deletes or moves a delivery between states goes through one.
 */
export class CountDeltas {
  readonly #deltas = new Map<string, { target: string, state: DeliveryState, n: number }>()

  /** `n` deliveries of `target` left state `from` (null: they are new) for `to` (null: deleted). */
  move (target: string, from: DeliveryState | null, to: DeliveryState | null, n = 1): void {
    if (from === to || n === 0) return
    if (from !== null) this.#add(target, from, -n)
    if (to !== null) this.#add(target, to, n)
  }

  #add (target: string, state: DeliveryState, n: number): void {
    const key = `${state}\u0000${target}`
    const d = this.#deltas.get(key)
    if (d === undefined) this.#deltas.set(key, { target, state, n })
    else d.n += n
  }

  /** Writes the sums; call inside the transaction that made the moves. */
  write (hot: HotStatements): void {
    for (const { target, state, n } of this.#deltas.values()) if (n !== 0) hot.addCount.run(target, state, n)
    this.#deltas.clear()
  }
}
