import type { Alert, ChannelName } from '../types.js'

/** One way of telling people about an alert. */
export interface AlertChannel {
  readonly name: ChannelName
  /**
   * Sends once. Resolves with the receiver's answer in a few words ("HTTP 200"); rejects with
   * a ChannelError only. Neither ever carries a secret.
   */
  send (alert: Alert, signal: AbortSignal): Promise<string>
}

/** A failed send. `retryable` is false when trying again cannot help (a 4xx, a refused address). */
export class ChannelError extends Error {
  readonly retryable: boolean
  constructor (message: string, retryable: boolean) {
    super(message)
    this.name = 'ChannelError'
    this.retryable = retryable
  }
}
