import { deepFreeze } from './deep-freeze.js'
import type { AdminConfig, RetryPolicy, ServerConfig, StorageConfig, TargetConfig, WorkerConfig } from './types.js'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = typeof LOG_LEVELS[number]

export const DURABILITIES = ['full', 'normal'] as const

export interface Defaults {
  readonly server: ServerConfig
  readonly admin: AdminConfig
  readonly storage: StorageConfig
  readonly worker: WorkerConfig
  readonly logLevel: LogLevel
  /** Every target key but the required `url`. */
  readonly target: Omit<TargetConfig, 'name' | 'url'>
  /** A source's `bodyLimit` defaults to `server.bodyLimit`, so it is not listed here. */
  readonly source: { readonly verify: null }
  /** Longer than the senders' own retry spans (Stripe retries for 3 days). */
  readonly dedupeWindowMs: number
  readonly verify: {
    /** For the schemes that sign a timestamp (stripe, standard-webhooks). */
    readonly toleranceMs: number
    readonly hmac: { readonly algorithm: 'sha256', readonly encoding: 'hex', readonly prefix: string }
  }
  readonly alerts: Readonly<Record<string, never>>
}

const retry: RetryPolicy = {
  maxAttempts: 25,
  initialDelayMs: 5000,
  multiplier: 2,
  // With these numbers the schedule spans well over 24 hours before maxAttempts runs out
  // (DESIGN.md, Forwarding); maxAgeMs (3 days) bounds it from the other side.
  maxDelayMs: 7_200_000,
  jitter: 0.2,
  maxAgeMs: 259_200_000,
  maxRetryAfterMs: 3_600_000,
  retryOn: [],
  noRetryOn: []
}

/** The value of every optional config key, for docs and tests as much as for the validator. */
export const DEFAULTS: Defaults = deepFreeze({
  server: {
    host: '0.0.0.0',
    port: 8080,
    bodyLimit: 1_048_576,
    trustProxy: false,
    // Generous per sender address: a guard against floods, not a quota for real senders.
    rateLimit: { max: 1000, timeWindowMs: 1000 },
    requestTimeoutMs: 30_000,
    headersTimeoutMs: 10_000,
    keepAliveTimeoutMs: 5000,
    maxHeaderBytes: 16_384,
    maxHeadersCount: 100
  },
  admin: { host: '0.0.0.0', port: 8081, token: '', maxFailedAuthPerMinute: 10, rateLimit: { max: 1200, timeWindowMs: 60_000 } },
  storage: {
    path: 'data/sidehook.db',
    durability: 'full',
    retention: { succeededMs: 7 * 86_400_000, failedMs: 30 * 86_400_000, intervalMs: 600_000, batchSize: 500 }
  },
  worker: { concurrency: 64, shutdownGraceMs: 10_000 },
  logLevel: 'info',
  target: { timeoutMs: 30_000, connectTimeoutMs: 10_000, concurrency: 16, headers: {}, retry },
  source: { verify: null },
  dedupeWindowMs: 7 * 86_400_000,
  verify: { toleranceMs: 300_000, hmac: { algorithm: 'sha256', encoding: 'hex', prefix: '' } },
  alerts: {}
})
