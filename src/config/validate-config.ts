import { alertsSchema } from './alerts-schema.js'
import { deepFreeze } from './deep-freeze.js'
import { DEFAULTS, DURABILITIES, LOG_LEVELS } from './defaults.js'
import { ROOT_PATH, type ConfigProblem } from './problem.js'
import {
  boolean, describe, INVALID, integer, isPlainObject, object, oneOf, orOff, record, string, withDefault, type Checker
} from './schema.js'
import { sourceSchema } from './source-schema.js'
import { checkName, MAX_TIMER_MS, targetSchema } from './target-schema.js'
import type { Config, SourceConfig, TargetConfig } from './types.js'

const port = integer({ min: 0, max: 65535 })
const host = string({ nonEmpty: true })

const S = DEFAULTS.server
const ms = integer({ min: 1, max: MAX_TIMER_MS })

const serverSchema = object({
  host: withDefault(host, S.host),
  port: withDefault(port, S.port),
  bodyLimit: withDefault(integer({ min: 1 }), S.bodyLimit),
  trustProxy: withDefault(boolean(), S.trustProxy),
  rateLimit: withDefault(orOff(object({
    max: withDefault(integer({ min: 1 }), S.rateLimit!.max),
    timeWindowMs: withDefault(ms, S.rateLimit!.timeWindowMs)
  })), S.rateLimit),
  requestTimeoutMs: withDefault(ms, S.requestTimeoutMs),
  headersTimeoutMs: withDefault(ms, S.headersTimeoutMs),
  keepAliveTimeoutMs: withDefault(ms, S.keepAliveTimeoutMs),
  maxHeaderBytes: withDefault(integer({ min: 1024, max: 1_048_576 }), S.maxHeaderBytes),
  maxHeadersCount: withDefault(integer({ min: 10, max: 10_000 }), S.maxHeadersCount)
})

const adminSchema = object({
  host: withDefault(host, DEFAULTS.admin.host),
  port: withDefault(port, DEFAULTS.admin.port),
  // Empty is allowed and meaningful: no token, so the admin listener binds to 127.0.0.1 only.
  token: withDefault(string(), DEFAULTS.admin.token),
  maxFailedAuthPerMinute: withDefault(integer({ min: 1 }), DEFAULTS.admin.maxFailedAuthPerMinute),
  rateLimit: withDefault(orOff(object({
    max: withDefault(integer({ min: 1 }), DEFAULTS.admin.rateLimit!.max),
    timeWindowMs: withDefault(ms, DEFAULTS.admin.rateLimit!.timeWindowMs)
  })), DEFAULTS.admin.rateLimit)
})

const R = DEFAULTS.storage.retention

const storageSchema = object({
  path: withDefault(string({ nonEmpty: true }), DEFAULTS.storage.path),
  durability: withDefault(oneOf(DURABILITIES), DEFAULTS.storage.durability),
  retention: withDefault(object({
    succeededMs: withDefault(integer({ min: 1 }), R.succeededMs),
    failedMs: withDefault(integer({ min: 1 }), R.failedMs),
    intervalMs: withDefault(ms, R.intervalMs),
    batchSize: withDefault(integer({ min: 1, max: 100_000 }), R.batchSize)
  }), R)
})

const workerSchema = object({
  concurrency: withDefault(integer({ min: 1 }), DEFAULTS.worker.concurrency),
  shutdownGraceMs: withDefault(integer({ min: 0, max: MAX_TIMER_MS }), DEFAULTS.worker.shutdownGraceMs)
})

/**
 * Sources and alert overrides refer to targets by name. The names come from the raw input, not
 * from the validated targets, so a target with a bad field still counts as known and one
 * mistake is reported once rather than again at every reference.
 */
function rootSchema (knownTargets: readonly string[]) {
  return object({
    server: withDefault(serverSchema, DEFAULTS.server),
    admin: withDefault(adminSchema, DEFAULTS.admin),
    storage: withDefault(storageSchema, DEFAULTS.storage),
    worker: withDefault(workerSchema, DEFAULTS.worker),
    logLevel: withDefault(oneOf(LOG_LEVELS), DEFAULTS.logLevel),
    targets: withDefault(record(checkName, targetSchema), {}),
    sources: withDefault(record(checkName, sourceSchema(knownTargets)), {}),
    alerts: withDefault(alertsSchema(knownTargets), DEFAULTS.alerts)
  })
}

type RootFields = ReturnType<typeof rootSchema> extends Checker<infer T> ? T : never

function assemble (fields: RootFields): Config {
  const targets: Record<string, TargetConfig> = {}
  for (const [name, target] of Object.entries(fields.targets)) targets[name] = { name, ...target }
  const sources: Record<string, SourceConfig> = {}
  for (const [name, source] of Object.entries(fields.sources)) {
    sources[name] = {
      name,
      targets: source.targets,
      bodyLimit: source.bodyLimit ?? fields.server.bodyLimit,
      verify: source.verify,
      dedupe: source.dedupe
    }
  }
  return { ...fields, targets, sources, alerts: { ...fields.alerts } }
}

/**
 * Checks a parsed config document and fills in every default. Pure; reports every problem at
 * once. `config` is present (and deep-frozen) exactly when `problems` is empty.
 */
export function validateConfig (raw: unknown): { config?: Config, problems: ConfigProblem[] } {
  if (!isPlainObject(raw)) {
    return { problems: [{ path: ROOT_PATH, message: `config root must be a JSON object, got ${describe(raw)}` }] }
  }
  const knownTargets = isPlainObject(raw.targets) ? Object.keys(raw.targets) : []
  const problems: ConfigProblem[] = []
  const fields = rootSchema(knownTargets)(raw, '', problems)
  if (fields === INVALID || problems.length > 0) return { problems }
  return { config: deepFreeze(assemble(fields)), problems }
}
