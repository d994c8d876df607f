import type { Logger } from 'pino'
import type { RetentionConfig } from './config/types.js'
import type { Store } from './store/store.js'

/**
 * Deletes old finished events in small batches on a timer. Each batch is one short
 * transaction and the next waits for the event loop, so ingest never queues behind a purge.
 */
export class Retention {
  readonly #store: Store
  readonly #config: RetentionConfig
  readonly #log: Logger
  readonly #clock: () => number
  #timer: NodeJS.Timeout | undefined
  #running: Promise<number> | undefined
  #stopped = false

  constructor (store: Store, config: RetentionConfig, logger: Logger, clock: () => number = Date.now) {
    this.#store = store
    this.#config = config
    this.#log = logger.child({ component: 'retention' })
    this.#clock = clock
  }

  start (): void {
    this.#schedule()
  }

  #schedule (): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      this.#running = this.runOnce().catch((err: unknown) => {
        this.#log.error({ err }, 'Pruning old events failed; trying again next interval')
        return 0
      }).finally(() => {
        this.#running = undefined
        this.#schedule()
      })
    }, this.#config.intervalMs)
    this.#timer.unref()
  }

  /** Prunes everything that is due now, batch by batch; returns how many events went. */
  async runOnce (): Promise<number> {
    const now = this.#clock()
    const cutoffs = { succeededBefore: now - this.#config.succeededMs, failedBefore: now - this.#config.failedMs }
    let total = 0
    for (;;) {
      if (this.#stopped) break
      const n = await this.#store.pruneEvents(cutoffs, this.#config.batchSize)
      total += n
      if (n < this.#config.batchSize) break
      await new Promise((resolve) => setImmediate(resolve))
    }
    if (total > 0) this.#log.info({ events: total }, 'Pruned old events')
    return total
  }

  async stop (): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#running
  }
}
