import type { FailReason } from '../core/next-step.js'
import type { AttemptOutcome } from '../core/outcome.js'

/**
 * What an alert is about. The strings are public: they are the `type` of the webhook payload
 * and of history entries, so they are never renamed.
 */
export type AlertKind =
  | 'target.failing'
  | 'target.still_failing'
  | 'target.recovered'
  | 'deliveries.needs_attention'
  | 'test'

export const ALERT_KINDS: readonly AlertKind[] = [
  'target.failing', 'target.still_failing', 'target.recovered', 'deliveries.needs_attention', 'test'
]

export type ChannelName = 'webhook' | 'slack' | 'email'
export const CHANNEL_NAMES: readonly ChannelName[] = ['webhook', 'slack', 'email']

/** The facts about one attempt that alerts show; small, so a queue of them holds no payloads. */
export interface AttemptSnapshot {
  readonly deliveryId: string
  readonly eventId: string
  readonly source: string
  /** 1-based attempt number of the delivery. */
  readonly attempt: number
  /** When the attempt ended. */
  readonly at: number
  readonly status: number | null
  readonly error: string | null
  readonly errorMessage: string | null
  /** Set when this attempt made the delivery fail for good. */
  readonly failReason: FailReason | null
}

/** One recorded attempt as the alert rules see it. */
export interface AttemptFacts extends AttemptSnapshot {
  readonly target: string
  readonly outcome: AttemptOutcome
  /** The delivery is now `failed`: a non-retryable answer, or retries ran out. */
  readonly permanent: boolean
  /** The target's failed attempts in a row after this one, as the store counted them. */
  readonly consecutiveFailures: number
}

/** A run of failed attempts of one target, from its first failure to the next success. */
export interface FailingStreak {
  /** When the alerter saw the streak's first failure. */
  readonly since: number
  readonly failures: number
  readonly last: AttemptSnapshot
  /** When the threshold alert went out; null while under the threshold. */
  readonly alertedAt: number | null
  /** The threshold alert or the latest reminder. */
  readonly notifiedAt: number | null
}

/** Permanent failures of one target, grouped into one message per cooldown window. */
export interface PermanentFailures {
  /** When the latest "needs attention" message went out. */
  readonly sentAt: number
  /** Failures since then, not yet reported. */
  readonly pending: number
  /** Delivery ids of the pending failures, the most recent few. */
  readonly deliveryIds: readonly string[]
  readonly last: AttemptSnapshot | null
}

/** Everything the rules remember about one target; stored so it survives restarts. */
export interface TargetAlertState {
  readonly failing: FailingStreak | null
  readonly permanent: PermanentFailures | null
}

/** An alert as the rules decide it; the alerter gives it an id. */
export interface AlertDraft {
  readonly kind: AlertKind
  /** null only for a test alert. */
  readonly target: string | null
  readonly at: number
  /** The threshold in force for the target. */
  readonly threshold: number | null
  /** Failed attempts in a row (for recovery: how many failed during the incident). */
  readonly consecutiveFailures: number | null
  readonly failingSince: number | null
  /** Recovery: how long the incident lasted. */
  readonly durationMs: number | null
  /** "needs attention": deliveries that failed for good in this message. */
  readonly failedDeliveries: number | null
  /** The latest failed attempt, with the ids to inspect. */
  readonly last: AttemptSnapshot | null
  /** Deliveries worth opening, most recent last. */
  readonly deliveryIds: readonly string[]
}

export interface Alert extends AlertDraft {
  readonly id: string
}

export type HistoryStatus = 'sending' | 'sent' | 'failed'

/** One alert sent (or being sent) through one channel. */
export interface AlertHistoryEntry {
  readonly id: string
  readonly alert: Alert
  readonly channel: ChannelName
  readonly status: HistoryStatus
  /** Tries made so far. */
  readonly attempts: number
  /** The receiver's answer or the last error, free of secrets. */
  readonly result: string | null
  readonly createdAt: number
  readonly updatedAt: number
}
