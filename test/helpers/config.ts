import { DEFAULTS } from '../../src/config/defaults.js'
import type { Config, RetryPolicy, SourceConfig, TargetConfig } from '../../src/config/types.js'

export const testRetry: RetryPolicy = {
  maxAttempts: 5, initialDelayMs: 50, multiplier: 2, maxDelayMs: 1000, jitter: 0,
  maxAgeMs: 60_000, maxRetryAfterMs: 10_000, retryOn: [], noRetryOn: []
}

export function testTarget (name: string, url: string, over: Partial<TargetConfig> = {}): TargetConfig {
  return { name, url, timeoutMs: 2000, connectTimeoutMs: 1000, concurrency: 4, headers: {}, retry: testRetry, ...over }
}

export function testSource (name: string, targets: string[], over: Partial<SourceConfig> = {}): SourceConfig {
  return { name, targets, bodyLimit: DEFAULTS.server.bodyLimit, verify: null, dedupe: null, ...over }
}

/** A complete Config for in-process tests, on port 0 with the given store path. */
export function testConfig (path: string, targets: TargetConfig[], sources: SourceConfig[], over: Partial<Config> = {}): Config {
  return {
    server: { ...DEFAULTS.server, host: '127.0.0.1', port: 0, rateLimit: null },
    admin: { ...DEFAULTS.admin, host: '127.0.0.1', port: 0 },
    storage: { path, durability: 'full', retention: DEFAULTS.storage.retention },
    worker: { concurrency: 16, shutdownGraceMs: 500 },
    logLevel: 'silent',
    targets: Object.fromEntries(targets.map((t) => [t.name, t])),
    sources: Object.fromEntries(sources.map((s) => [s.name, s])),
    alerts: {},
    ...over
  }
}
