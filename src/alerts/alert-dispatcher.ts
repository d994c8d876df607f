import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from 'pino'
import type { AlertStore } from './alert-store.js'
import { ChannelError, type AlertChannel } from './channels/channel.js'
import type { Alert, ChannelName, HistoryStatus } from './types.js'

export interface AlertRetryOptions {
  /** Tries per alert and channel, the first one included. */
  readonly attempts: number
  readonly initialDelayMs: number
  readonly multiplier: number
  /** How long one try may take before it counts as failed. */
  readonly timeoutMs: number
}

/** Four tries over about 40 seconds: rides out a receiver's restart, gives up before it matters. */
export const DEFAULT_ALERT_RETRY: AlertRetryOptions = Object.freeze({
  attempts: 4, initialDelayMs: 2000, multiplier: 4, timeoutMs: 15_000
})

export interface SendJob {
  readonly historyId: string
  readonly alert: Alert
  readonly channel: AlertChannel
}

export interface ChannelReport {
  readonly channel: ChannelName
  readonly ok: boolean
  readonly attempts: number
  /** The receiver's answer or the last error; never a secret. */
  readonly result: string
}

/**
 * Sends alerts through channels, each (alert, channel) on its own with retries and backoff,
 * and records every try in the history. Never rejects: a failing channel is a history row and
 * a log line, nothing more.
 */
export class AlertDispatcher {
  readonly #store: AlertStore
  readonly #log: Logger
  readonly #clock: () => number
  readonly #retry: AlertRetryOptions
  // Stopping cuts backoff waits short at once; killing aborts tries still in flight.
  readonly #stopping = new AbortController()
  readonly #killed = new AbortController()
  readonly #running = new Set<Promise<ChannelReport>>()

  constructor (options: { store: AlertStore, logger: Logger, clock: () => number, retry: AlertRetryOptions, onFinished?: (channel: string, ok: boolean) => void }) {
    this.#store = options.store
    this.#log = options.logger
    this.#clock = options.clock
    this.#retry = options.retry
    this.#onFinished = options.onFinished
  }

  /** Sends in the background; the promise is for callers that want the outcome (the test route). */
  readonly #onFinished: ((channel: string, ok: boolean) => void) | undefined

  send (job: SendJob, attempts: number = this.#retry.attempts): Promise<ChannelReport> {
    const run = this.#deliver(job, Math.max(1, attempts)).catch((err: unknown): ChannelReport => {
      this.#log.error({ err, alertId: job.alert.id, channel: job.channel.name }, 'Sending an alert failed unexpectedly')
      return { channel: job.channel.name, ok: false, attempts: 0, result: 'internal error; see the Sidehook log' }
    }).then((report) => {
      this.#onFinished?.(report.channel, report.ok)
      return report
    })
    this.#running.add(run)
    void run.finally(() => this.#running.delete(run))
    return run
  }

  get busy (): boolean { return this.#running.size > 0 }

  /** Resolves once no send is running (sends started meanwhile included). */
  async idle (): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running])
  }

  /** No more retries; tries in flight get `graceMs` to finish, then are aborted. */
  async stop (graceMs: number): Promise<void> {
    this.#stopping.abort()
    let timer: NodeJS.Timeout | undefined
    const grace = new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs) })
    await Promise.race([this.idle(), grace])
    clearTimeout(timer)
    this.#killed.abort()
    await this.idle()
  }

  async #deliver (job: SendJob, attempts: number): Promise<ChannelReport> {
    const { alert, channel } = job
    const ctx = { alertId: alert.id, type: alert.kind, target: alert.target, channel: channel.name }
    let result = ''
    for (let n = 1; n <= attempts; n++) {
      if (n > 1 && !await this.#wait(this.#retry.initialDelayMs * this.#retry.multiplier ** (n - 2))) {
        result = `${result} (not retried: Sidehook stopped)`
        await this.#record(job, 'failed', n - 1, result)
        return { channel: channel.name, ok: false, attempts: n - 1, result }
      }
      try {
        const signal = AbortSignal.any([AbortSignal.timeout(this.#retry.timeoutMs), this.#killed.signal])
        result = await channel.send(alert, signal)
        await this.#record(job, 'sent', n, result)
        this.#log.info({ ...ctx, attempt: n, result }, `Alert sent through ${channel.name}`)
        return { channel: channel.name, ok: true, attempts: n, result }
      } catch (err) {
        const e = err instanceof ChannelError ? err : new ChannelError(`internal error: ${(err as Error).message}`, false)
        result = e.message
        const last = n === attempts || !e.retryable
        await this.#record(job, last ? 'failed' : 'sending', n, result)
        this.#log.warn({ ...ctx, attempt: n, willRetry: !last, error: result },
          last ? `Alert could not be sent through ${channel.name}; giving up` : `Alert could not be sent through ${channel.name}; will retry`)
        if (last) return { channel: channel.name, ok: false, attempts: n, result }
      }
    }
    return { channel: channel.name, ok: false, attempts, result }
  }

  async #wait (ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.#stopping.signal, ref: false })
      return true
    } catch {
      return false
    }
  }

  // A history write that fails (database trouble) must not turn into a failed send.
  async #record (job: SendJob, status: HistoryStatus, attempts: number, result: string): Promise<void> {
    try {
      await this.#store.updateHistory(job.historyId, { status, attempts, result, updatedAt: this.#clock() })
    } catch (err) {
      this.#log.error({ err, alertId: job.alert.id, channel: job.channel.name }, 'Could not record an alert send in the history')
    }
  }
}
