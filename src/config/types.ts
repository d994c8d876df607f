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

export interface SourceConfig {
  readonly name: string
  readonly targets: readonly string[]
  /** Overrides server.bodyLimit for this source. */
  readonly bodyLimit: number
  readonly verify: VerifyConfig | null
}

export interface ServerConfig {
  readonly host: string
  readonly port: number
  readonly bodyLimit: number
}

export interface AdminConfig {
  readonly host: string
  readonly port: number
  /** Empty string means no token: the admin listener then binds to 127.0.0.1 only. */
  readonly token: string
}

export interface StorageConfig {
  readonly path: string
  readonly durability: 'full' | 'normal'
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
