/** Retry policy of one target. All durations are milliseconds. */
export interface RetryPolicy {
  readonly maxAttempts: number
  readonly initialDelayMs: number
  readonly multiplier: number
  readonly maxDelayMs: number
  /** Spread of the random factor applied to each backoff delay: 0.2 means ±10%. */
  readonly jitter: number
  readonly maxAgeMs: number
  readonly maxRetryAfterMs: number
  /** Status codes (e.g. 409) or class patterns (e.g. "4xx") that are retried although the default policy would not. */
  readonly retryOn: readonly StatusMatcher[]
  /** Status codes or class patterns that fail permanently although the default policy would retry. */
  readonly noRetryOn: readonly StatusMatcher[]
}

/** A status code such as 409, or a class pattern such as "4xx". */
export type StatusMatcher = number | `${1 | 2 | 3 | 4 | 5}xx`

export interface TargetConfig {
  readonly name: string
  readonly url: string
  /** Total time for one attempt, from connect to the last byte read. */
  readonly timeoutMs: number
  readonly connectTimeoutMs: number
  readonly concurrency: number
  readonly headers: Readonly<Record<string, string>>
  readonly retry: RetryPolicy
}

/**
 * Inbound signature verification of one source. The config file accepts `secret` (one string)
 * or `secrets` (several, for rotation); both are normalised to `secrets`.
 */
export type VerifyConfig =
  | { readonly scheme: 'stripe', readonly secrets: readonly string[], readonly toleranceMs: number }
  | { readonly scheme: 'github', readonly secrets: readonly string[] }
  | { readonly scheme: 'shopify', readonly secrets: readonly string[] }
  | { readonly scheme: 'standard-webhooks', readonly secrets: readonly string[], readonly toleranceMs: number }
  | {
    readonly scheme: 'hmac'
    readonly secrets: readonly string[]
    /** Header carrying the signature, e.g. "X-Signature". */
    readonly header: string
    readonly algorithm: 'sha1' | 'sha256' | 'sha512'
    readonly encoding: 'hex' | 'base64'
    /** Text before the signature in the header value, e.g. "sha256=". Empty for none. */
    readonly prefix: string
  }

/**
 * Where a source's dedupe key comes from. `auto` reads the sender's own delivery id
 * (X-GitHub-Delivery, webhook-id / svix-id, X-Shopify-Webhook-Id, Idempotency-Key, or the
 * `id` of a Stripe event body); `header` and `jsonPointer` name it explicitly.
 */
export type DedupeConfig =
  | { readonly mode: 'auto', readonly windowMs: number }
  | { readonly mode: 'header', readonly header: string, readonly windowMs: number }
  | { readonly mode: 'jsonPointer', readonly pointer: string, readonly windowMs: number }

export interface SourceConfig {
  readonly name: string
  readonly targets: readonly string[]
  /** Overrides server.bodyLimit for this source. */
  readonly bodyLimit: number
  readonly verify: VerifyConfig | null
  /** null: every request is a new event. */
  readonly dedupe: DedupeConfig | null
}

export interface RateLimitConfig {
  /** Requests allowed per source and client address in each window. */
  readonly max: number
  readonly timeWindowMs: number
}

export interface ServerConfig {
  readonly host: string
  readonly port: number
  readonly bodyLimit: number
  /** Trust X-Forwarded-For from a proxy in front (client address, rate limits). Off by default. */
  readonly trustProxy: boolean
  /** null: no rate limit. */
  readonly rateLimit: RateLimitConfig | null
  /** Time a client has to send a whole request (headers and body). */
  readonly requestTimeoutMs: number
  /** Time a client has to send the request headers. */
  readonly headersTimeoutMs: number
  /** How long an idle keep-alive connection stays open. */
  readonly keepAliveTimeoutMs: number
  readonly maxHeaderBytes: number
  readonly maxHeadersCount: number
}

export interface RetentionConfig {
  /** Events whose deliveries all succeeded (or were cancelled) are deleted after this long. */
  readonly succeededMs: number
  /** Events with a failed delivery are kept this long. */
  readonly failedMs: number
  readonly intervalMs: number
  /** Events deleted per transaction, so ingest never waits long. */
  readonly batchSize: number
}

export interface AdminConfig {
  readonly host: string
  readonly port: number
  /** Empty string means no token: the admin listener then binds to 127.0.0.1 only. */
  readonly token: string
  /** Failed logins allowed per client address per minute before answering 429. */
  readonly maxFailedAuthPerMinute: number
  /** Requests per client address on the admin listener; null: no limit. */
  readonly rateLimit: RateLimitConfig | null
}

export interface StorageConfig {
  readonly path: string
  readonly durability: 'full' | 'normal'
  readonly retention: RetentionConfig
}

export interface WorkerConfig {
  /** Attempts in flight at once across all targets. */
  readonly concurrency: number
  /** How long in-flight attempts may run on shutdown before they are aborted and released. */
  readonly shutdownGraceMs: number
}

export interface Config {
  readonly server: ServerConfig
  readonly admin: AdminConfig
  readonly storage: StorageConfig
  readonly worker: WorkerConfig
  readonly logLevel: string
  readonly targets: Readonly<Record<string, TargetConfig>>
  readonly sources: Readonly<Record<string, SourceConfig>>
  /** Alert settings seed; validated and owned by the alerts module. */
  readonly alerts: Readonly<Record<string, unknown>>
}
