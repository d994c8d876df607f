const WINDOW_MS = 60_000
// Bounds memory under a flood of addresses; the oldest entries go first.
const MAX_ADDRESSES = 10_000

/**
 * Counts failed logins per client address over the last minute, so guessing the admin token
 * gets slow. The clock is passed in; nothing here does I/O.
 */
export class FailedAuthLimiter {
  readonly #max: number
  readonly #clock: () => number
  readonly #failures = new Map<string, number[]>()

  constructor (maxPerMinute: number, clock: () => number) {
    this.#max = maxPerMinute
    this.#clock = clock
  }

  /** Seconds to wait before trying again, or 0 when this address may try now. */
  blockedFor (address: string): number {
    const recent = this.#recent(address)
    if (recent.length < this.#max) return 0
    return Math.max(1, Math.ceil((recent[0] + WINDOW_MS - this.#clock()) / 1000))
  }

  recordFailure (address: string): void {
    const recent = this.#recent(address)
    recent.push(this.#clock())
    this.#failures.delete(address)
    this.#failures.set(address, recent)
    if (this.#failures.size > MAX_ADDRESSES) this.#failures.delete(this.#failures.keys().next().value!)
  }

  #recent (address: string): number[] {
    const since = this.#clock() - WINDOW_MS
    return (this.#failures.get(address) ?? []).filter((t) => t > since)
  }
}
