/**
 * The default outcome rule for an HTTP answer, shared by the outcome policy and the
 * status-code catalog so the two can never disagree.
 */
export type StatusOutcome = 'success' | 'retry' | 'fail'

export function defaultStatusOutcome (status: number): StatusOutcome {
  if (status >= 200 && status <= 299) return 'success'
  if (status === 408 || status === 429) return 'retry'
  if (status >= 500 && status <= 599) return 'retry'
  // 1xx never ends an exchange, 3xx is not followed, other 4xx need a person.
  return 'fail'
}

export function isRetryableStatus (status: number): boolean {
  return defaultStatusOutcome(status) === 'retry'
}
