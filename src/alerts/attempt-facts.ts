import type { AttemptReport } from '../worker/worker.js'
import type { AttemptFacts } from './types.js'

// An error text is for people; past this it is noise in a chat message.
const MAX_ERROR_TEXT = 500

/**
 * The little the alert rules need from a worker report. Copied out so that queued reports do
 * not keep event bodies alive.
 */
export function factsOf ({ delivery, record, completion }: AttemptReport): AttemptFacts {
  return {
    target: record.target,
    deliveryId: record.deliveryId,
    eventId: delivery.eventId,
    source: delivery.event.source,
    attempt: record.n,
    at: record.startedAt + record.durationMs,
    status: record.status,
    error: record.error,
    errorMessage: record.errorMessage === null ? null : record.errorMessage.slice(0, MAX_ERROR_TEXT),
    failReason: record.failReason,
    outcome: record.outcome,
    permanent: record.nextState === 'failed',
    consecutiveFailures: completion.consecutiveFailures
  }
}
