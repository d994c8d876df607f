import { createHmac } from 'node:crypto'
import { lookupStatus } from '../core/status-codes/index.js'
import { describeAlert, describeAttempt, iso } from './describe.js'
import type { Alert, AlertKind } from './types.js'

/*
 * The JSON body of the webhook channel and of alert history entries. Public and documented in
 * README.md (Alerts): add fields freely, rename none.
 */

export interface LastAttemptPayload {
  readonly deliveryId: string
  readonly eventId: string
  readonly source: string
  readonly attempt: number
  readonly at: string
  readonly status: number | null
  /** Catalog name and meaning of the status (or of the network error). */
  readonly statusName: string
  readonly meaning: string
  readonly commonCauses: readonly string[]
  readonly retryable: boolean | null
  readonly error: string | null
  readonly errorMessage: string | null
  readonly failReason: string | null
}

export interface AlertPayload {
  readonly id: string
  readonly type: AlertKind
  readonly createdAt: string
  readonly target: string | null
  /** The same words as the Slack and email messages, for receivers that just show text. */
  readonly title: string
  readonly summary: string
  readonly threshold: number | null
  readonly consecutiveFailures: number | null
  readonly failingSince: string | null
  readonly durationMs: number | null
  readonly failedDeliveries: number | null
  readonly lastAttempt: LastAttemptPayload | null
  readonly deliveryIds: readonly string[]
}

export function alertPayload (alert: Alert): AlertPayload {
  const text = describeAlert(alert)
  const a = alert.last
  let lastAttempt: LastAttemptPayload | null = null
  if (a !== null) {
    const attempt = describeAttempt(a)
    lastAttempt = {
      deliveryId: a.deliveryId,
      eventId: a.eventId,
      source: a.source,
      attempt: a.attempt,
      at: iso(a.at),
      status: a.status,
      statusName: attempt.headline.replace(/^\d{3} /, ''),
      meaning: attempt.meaning,
      commonCauses: attempt.commonCauses,
      retryable: a.status === null ? null : lookupStatus(a.status)?.retryable ?? null,
      error: a.error,
      errorMessage: a.errorMessage,
      failReason: a.failReason
    }
  }
  return {
    id: alert.id,
    type: alert.kind,
    createdAt: iso(alert.at),
    target: alert.target,
    title: text.title,
    summary: text.summary,
    threshold: alert.threshold,
    consecutiveFailures: alert.consecutiveFailures,
    failingSince: alert.failingSince === null ? null : iso(alert.failingSince),
    durationMs: alert.durationMs,
    failedDeliveries: alert.failedDeliveries,
    lastAttempt,
    deliveryIds: alert.deliveryIds
  }
}

export const SIGNATURE_HEADER = 'Sidehook-Signature'

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. The timestamp is signed too, so
 * a receiver can refuse old messages and a captured one cannot be replayed later.
 */
export function signatureHeader (body: string, secret: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000)
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')
  return `t=${t},v1=${v1}`
}
