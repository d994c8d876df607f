/**
 * Collects items submitted during one event-loop turn and hands them to `flush` together:
 * many concurrent webhooks share one transaction (group commit), and every submitter learns
 * the batch's fate. A batch never exceeds `maxBatch`; overflow starts the next one.
 * With `serial`, a batch waits until the previous flush has settled and takes everything
 * that arrived meanwhile: while one batch's commit is being synced to disk, the next grows
 * instead of committing on its own (it would wait for a sync started after it anyway).
 */
export class Batcher<T, R> {
  readonly #flush: (items: T[]) => Promise<R[]>
  readonly #maxBatch: number
  #items: T[] = []
  #waiters: Array<{ resolve: (r: R) => void, reject: (e: unknown) => void }> = []
  #scheduled = false
  #inFlight = new Set<Promise<void>>()
  readonly #serial: boolean

  constructor (flush: (items: T[]) => Promise<R[]>, options: { maxBatch?: number, serial?: boolean } = {}) {
    this.#flush = flush
    this.#maxBatch = options.maxBatch ?? 1000
    this.#serial = options.serial ?? false
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
    if (this.#serial && this.#inFlight.size > 0 && this.#items.length < this.#maxBatch) {
      // The flush in flight runs this batch when it settles; until then adds need no timer.
      this.#scheduled = true
      return
    }
    this.#scheduled = false
    if (this.#items.length === 0) return
    const items = this.#items.splice(0, this.#maxBatch)
    const waiters = this.#waiters.splice(0, items.length)
    const p = this.#flush(items).then(
      (results) => { for (let i = 0; i < waiters.length; i++) waiters[i].resolve(results[i]) },
      (err: unknown) => { for (const w of waiters) w.reject(err) }
    ).finally(() => {
      this.#inFlight.delete(p)
      // What arrived while this batch was flushing goes next, as one batch.
      if (this.#serial) this.#run()
    })
    this.#inFlight.add(p)
  }

  /** Flushes what is queued and waits for every batch already handed to `flush`. */
  async drain (): Promise<void> {
    this.#run()
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight)
  }
}
