export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx'

export interface StatusInfo {
  readonly code: number
  readonly name: string
  readonly class: StatusClass
  /** true when IANA-registered; false for vendor codes (nginx, Cloudflare, AWS...) and class fallbacks */
  readonly registered: boolean
  /** Who uses an unregistered code, e.g. "nginx", "Cloudflare", "AWS Elastic Load Balancing"; absent for IANA codes and fallbacks. */
  readonly vendor?: string
  /** Under Sidehook's default policy (see src/core/default-policy.ts: isRetryableStatus). */
  readonly retryable: boolean
  readonly meaning: string
  readonly whenToRetry: string
  readonly commonCauses: readonly string[]
  /** The defining document, e.g. "RFC 9110, Section 15.5.5" with a URL, or vendor docs. */
  readonly reference: string
}

/**
 * What the data files write by hand. Class, retryability and registration are derived when the
 * catalog is built, so a data entry cannot contradict the outcome policy or its own code.
 * A `vendor` marks the code as unregistered.
 */
export interface StatusEntry {
  readonly code: number
  readonly name: string
  readonly vendor?: string
  readonly meaning: string
  readonly whenToRetry: string
  readonly commonCauses: readonly string[]
  readonly reference: string
}

/** The text a class fallback shares across every unassigned code of that class. */
export type ClassFallback = Omit<StatusEntry, 'code' | 'vendor'>
