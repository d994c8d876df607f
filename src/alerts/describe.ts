import type { FailReason } from '../core/next-step.js'
import { lookupStatus } from '../core/status-codes/index.js'
import type { Alert, AttemptSnapshot } from './types.js'

/*
 * The words of an alert, shared by every human-facing channel (Slack, email) so they say the
 * same thing. Pure: times are printed in UTC from the alert's own fields.
 */

export interface LastAttemptText {
  /** "Last answer", or "Last failure" once the target recovered. */
  readonly label: string
  /** "503 Service Unavailable" or "Connection refused". */
  readonly headline: string
  readonly meaning: string
  readonly commonCauses: readonly string[]
  /** The error text behind a network failure, if any. */
  readonly detail: string | null
  readonly at: string
}

export interface AlertText {
  readonly title: string
  /** Email subject and Slack notification text: the title with the key number. */
  readonly subject: string
  readonly summary: string
  readonly facts: ReadonlyArray<readonly [string, string]>
  readonly last: LastAttemptText | null
  readonly ids: ReadonlyArray<readonly [string, string]>
  readonly nextSteps: readonly string[]
}

interface ErrorText { readonly name: string, readonly meaning: string, readonly commonCauses: readonly string[] }

// The forwarder's network error codes (src/core/outcome.ts), explained like catalog entries.
const NETWORK_ERRORS: Readonly<Record<string, ErrorText>> = {
  connection_refused: {
    name: 'Connection refused',
    meaning: 'Nothing accepted the connection at the target host and port.',
    commonCauses: ['The target application is down or restarting', 'Wrong port in the target url', 'A firewall rejecting the connection']
  },
  connection_reset: {
    name: 'Connection reset',
    meaning: 'The connection was closed before a complete answer arrived.',
    commonCauses: ['The target process crashed while handling the request', 'A proxy or load balancer closing idle or long requests', 'The body was too large for a server in between']
  },
  dns_failure: {
    name: 'DNS lookup failed',
    meaning: 'The host name in the target url did not resolve.',
    commonCauses: ['A typo in the host name', 'A service name only resolvable on another network (for example another Docker network)', 'A DNS outage']
  },
  tls_failure: {
    name: 'TLS handshake failed',
    meaning: 'A secure connection to the target could not be set up.',
    commonCauses: ['An expired or self-signed certificate', 'A certificate for another host name', 'An https url pointing at a plain HTTP port']
  },
  connect_timeout: {
    name: 'Connect timeout',
    meaning: 'No connection could be opened within the target connectTimeoutMs.',
    commonCauses: ['The host is down or unreachable', 'A firewall silently dropping packets', 'A wrong address in the target url']
  },
  timeout: {
    name: 'Timed out',
    meaning: 'The target did not answer within its timeoutMs.',
    commonCauses: ['The handler does slow work before answering (answer first, work later)', 'The target is overloaded', 'timeoutMs set too low for this target']
  },
  protocol_error: {
    name: 'Protocol error',
    meaning: 'The answer was not valid HTTP.',
    commonCauses: ['Something other than an HTTP server listens on that port', 'An http url pointing at an HTTPS port', 'A broken proxy in between']
  },
  network_error: {
    name: 'Network error',
    meaning: 'The request failed for a network reason.',
    commonCauses: ['An unstable network between Sidehook and the target', 'A proxy in between failing']
  }
}

export function iso (t: number | null): string {
  return t === null ? '-' : new Date(t).toISOString()
}

/** "850ms", "42s", "12m 30s", "2h 5m", "3d 4h": two units at most, enough to read at a glance. */
export function formatDuration (ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`
  const units: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]]
  const parts: string[] = []
  let rest = ms
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size)
    rest -= n * size
    if (n > 0 || parts.length > 0) parts.push(`${n}${unit}`)
    if (parts.length === 2) break
  }
  return parts.filter((p) => !p.startsWith('0')).join(' ')
}

export function describeAttempt (a: AttemptSnapshot): LastAttemptText {
  const info = a.status === null ? undefined : lookupStatus(a.status)
  if (info !== undefined) {
    return { label: 'Last answer', headline: `${info.code} ${info.name}`, meaning: info.meaning, commonCauses: info.commonCauses, detail: null, at: iso(a.at) }
  }
  const err = NETWORK_ERRORS[a.error ?? 'network_error'] ?? NETWORK_ERRORS.network_error
  return { label: 'Last answer', headline: err.name, meaning: err.meaning, commonCauses: err.commonCauses, detail: a.errorMessage, at: iso(a.at) }
}

function reasonText (reason: FailReason | null, headline: string): string {
  if (reason === 'max_attempts') return 'retries ran out (retry.maxAttempts reached)'
  if (reason === 'max_age') return 'retries ran out (retry.maxAgeMs passed)'
  return `the target answered ${headline}, which is not retried`
}

function plural (n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`
}

function idsOf (alert: Alert): Array<readonly [string, string]> {
  const ids: Array<readonly [string, string]> = []
  if (alert.last !== null) {
    ids.push(['Delivery', alert.last.deliveryId], ['Event', alert.last.eventId], ['Source', alert.last.source])
  }
  const others = alert.deliveryIds.filter((id) => id !== alert.last?.deliveryId)
  if (others.length > 0) ids.push(['Other deliveries', others.join(', ')])
  ids.push(['Alert', alert.id])
  return ids
}

export function describeAlert (alert: Alert): AlertText {
  const target = alert.target ?? ''
  const attempt = alert.last === null ? null : describeAttempt(alert.last)
  const last = attempt !== null && alert.kind === 'target.recovered' ? { ...attempt, label: 'Last failure' } : attempt
  const facts: Array<readonly [string, string]> = alert.target === null ? [] : [['Target', target]]
  const ids = idsOf(alert)
  const inspect = alert.last === null ? [] : [`Inspect the last delivery: GET /admin/deliveries/${alert.last.deliveryId}`]
  const failures = alert.consecutiveFailures ?? 0
  switch (alert.kind) {
    case 'target.failing':
    case 'target.still_failing': {
      const still = alert.kind === 'target.still_failing'
      facts.push(['Failed attempts in a row', `${failures} (threshold ${alert.threshold ?? '-'})`], ['Failing since', iso(alert.failingSince)])
      return {
        title: `Target ${target} is ${still ? 'still ' : ''}failing`,
        subject: `[Sidehook] ${target} is ${still ? 'still ' : ''}failing: ${plural(failures, 'failed attempt', 'failed attempts')} in a row`,
        summary: still
          ? `Target ${target} has failed ${plural(failures, 'attempt', 'attempts')} in a row since ${iso(alert.failingSince)} (for ${formatDuration(alert.at - (alert.failingSince ?? alert.at))}). Sidehook keeps retrying on its backoff schedule.`
          : `The last ${plural(failures, 'attempt', 'attempts')} to deliver webhooks to target ${target} failed. Sidehook keeps retrying on its backoff schedule; nothing is lost while retries last.`,
        facts,
        last,
        ids,
        nextSteps: [...inspect, `List what waits: GET /admin/deliveries?target=${target}&state=pending`, `Pause the target while you fix it: POST /admin/targets/${target}/pause`]
      }
    }
    case 'target.recovered':
      facts.push(['Incident lasted', formatDuration(alert.durationMs ?? 0)], ['Failed attempts', String(failures)], ['Failing since', iso(alert.failingSince)])
      return {
        title: `Target ${target} recovered`,
        subject: `[Sidehook] ${target} recovered after ${formatDuration(alert.durationMs ?? 0)}`,
        summary: `Target ${target} is accepting webhooks again. The incident lasted ${formatDuration(alert.durationMs ?? 0)}; ${plural(failures, 'attempt', 'attempts')} failed in a row.`,
        facts,
        last,
        ids,
        nextSteps: [`Deliveries still waiting keep their backoff schedule; send them now with POST /admin/deliveries/retry {"target":"${target}","state":"pending"}`]
      }
    case 'deliveries.needs_attention': {
      const n = alert.failedDeliveries ?? 0
      const why = reasonText(alert.last?.failReason ?? null, last?.headline ?? 'an error')
      facts.push(['Failed for good', plural(n, 'delivery', 'deliveries')])
      return {
        title: `${plural(n, 'delivery', 'deliveries')} to ${target} ${n === 1 ? 'needs' : 'need'} attention`,
        subject: `[Sidehook] ${plural(n, 'delivery', 'deliveries')} to ${target} failed permanently`,
        summary: `${plural(n, 'delivery', 'deliveries')} to target ${target} failed permanently and will not be retried on ${n === 1 ? 'its' : 'their'} own: ${why}.`,
        facts,
        last,
        ids,
        nextSteps: [...inspect, `Once the cause is fixed, retry them: POST /admin/deliveries/retry {"target":"${target}","state":"failed"}`]
      }
    }
    case 'test':
      return {
        title: 'Test alert from Sidehook',
        subject: '[Sidehook] Test alert',
        summary: 'This is a test alert sent from the admin API (POST /admin/alerts/test). If you can read it, this channel works.',
        facts,
        last,
        ids,
        nextSteps: []
      }
  }
}
