import { isRetryableStatus } from '../default-policy.js'
import { classFallbacks } from './class-fallbacks.js'
import { clientError } from './client-error.js'
import { cloudflare } from './cloudflare.js'
import { informational } from './informational.js'
import { redirection } from './redirection.js'
import { serverError } from './server-error.js'
import { success } from './success.js'
import type { ClassFallback, StatusClass, StatusEntry, StatusInfo } from './types.js'
import { unofficial } from './unofficial.js'

export type { StatusClass, StatusInfo } from './types.js'

export const STATUS_CLASSES: readonly StatusClass[] = Object.freeze(['1xx', '2xx', '3xx', '4xx', '5xx'])

export interface StatusFilter {
  readonly class?: StatusClass
  readonly retryable?: boolean
}

export interface StatusSummary {
  readonly name: string
  readonly retryable: boolean
  readonly meaning: string
}

export function isStatusClass (value: string): value is StatusClass {
  return (STATUS_CLASSES as readonly string[]).includes(value)
}

function classOf (code: number): StatusClass {
  return STATUS_CLASSES[Math.floor(code / 100) - 1]
}

// Class and retryability are derived here, never written by hand, so no entry can disagree
// with its own code or with the outcome policy.
function toInfo (code: number, text: ClassFallback & { readonly vendor?: string }, registered: boolean): StatusInfo {
  return Object.freeze({
    code,
    name: text.name,
    class: classOf(code),
    registered,
    ...(text.vendor === undefined ? {} : { vendor: text.vendor }),
    retryable: isRetryableStatus(code),
    meaning: text.meaning,
    whenToRetry: text.whenToRetry,
    commonCauses: Object.freeze([...text.commonCauses]),
    reference: text.reference
  })
}

const entries: readonly StatusEntry[] = [
  ...informational, ...success, ...redirection, ...clientError, ...serverError, ...unofficial, ...cloudflare
]

// Kept as a sorted list (duplicates and all) so a code catalogued twice shows up in tests
// instead of one entry silently shadowing the other in the map.
const catalog: readonly StatusInfo[] = Object.freeze(
  entries
    .map((entry) => toInfo(entry.code, entry, entry.vendor === undefined))
    .sort((a, b) => a.code - b.code)
)
const byCode: ReadonlyMap<number, StatusInfo> = new Map(catalog.map((info) => [info.code, info]))

/**
 * The catalog entry for a code, or its class's fallback (with the asked code and
 * `registered: false`) for an uncatalogued code in 100..599; undefined for anything else.
 */
export function lookupStatus (code: number): StatusInfo | undefined {
  if (!Number.isInteger(code) || code < 100 || code > 599) return undefined
  return byCode.get(code) ?? toInfo(code, classFallbacks[classOf(code)], false)
}

/** Every catalogued entry (never a fallback), sorted by code. */
export function listStatuses (filter: StatusFilter = {}): StatusInfo[] {
  return catalog.filter((info) =>
    (filter.class === undefined || info.class === filter.class) &&
    (filter.retryable === undefined || info.retryable === filter.retryable))
}

/** The short form kept on each attempt record. */
export function statusSummary (code: number): StatusSummary | undefined {
  const info = lookupStatus(code)
  if (info === undefined) return undefined
  return { name: info.name, retryable: info.retryable, meaning: info.meaning }
}
