/**
 * Collects items submitted during one event-loop turn and hands them to `flush` together:
 * many concurrent webhooks share one transaction (group commit), and every submitter learns
 * the batch's fate. A batch never exceeds `maxBatch`; overflow starts the next one.
 */
export class Batcher<T, R> {
  readonly #flush: (items: T[]) => Promise<R[]>
  readonly #maxBatch: number
  #items: T[] = []
  #waiters: Array<{ resolve: (r: R) => void, reject: (e: unknown) => void }> = []
  #scheduled = false
  #inFlight = new Set<Promise<void>>()

  constructor (flush: (items: T[]) => Promise<R[]>, options: { maxBatch?: number } = {}) {
    this.#flush = flush
    this.#maxBatch = options.maxBatch ?? 1000
  }

  add (item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#items.push(item)
      this.#waiters.push({ resolve, reject })
      if (this.#items.length >= this.#maxBatch) this.#run()
      else if (!this.#scheduled) {
        this.#scheduled = true
        setImmediate(() => this.#run())
      }
    })
  }

  #run (): void {
    this.#scheduled = false
    if (this.#items.length === 0) return
    const items = this.#items
    const waiters = this.#waiters
    this.#items = []
    this.#waiters = []
    const p = this.#flush(items).then(
      (results) => { for (let i = 0; i < waiters.length; i++) waiters[i].resolve(results[i]) },
      (err: unknown) => { for (const w of waiters) w.reject(err) }
    ).finally(() => { this.#inFlight.delete(p) })
    this.#inFlight.add(p)
  }

  /** Flushes what is queued and waits for every batch already handed to `flush`. */
  async drain (): Promise<void> {
    this.#run()
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight)
  }
}
