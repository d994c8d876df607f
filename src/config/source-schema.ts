import { DEFAULTS } from './defaults.js'
import { indexPath, joinPath } from './problem.js'
import {
  arrayOf, describe, fail, integer, INVALID, isPlainObject, map, object, oneOf, optional, orOff, refine,
  required, string, withDefault, type Checker, type Problems
} from './schema.js'
import { headerName } from './target-schema.js'
import type { DedupeConfig, SourceConfig, VerifyConfig } from './types.js'

export const VERIFY_SCHEMES = ['stripe', 'github', 'shopify', 'standard-webhooks', 'hmac'] as const
type Scheme = typeof VERIFY_SCHEMES[number]

/** A source as validated, before its name is filled in and its bodyLimit defaulted from the server's. */
export type SourceFields = Omit<SourceConfig, 'name' | 'bodyLimit'> & { readonly bodyLimit?: number }

export function unknownTargetMessage (name: string, knownTargets: readonly string[]): string {
  const known = knownTargets.length === 0 ? 'no targets are configured' : `known: ${knownTargets.join(', ')}`
  return `unknown target '${name}'; ${known}`
}

// An empty secret usually means `${SECRET:-}` met an unset variable; verifying against it
// would accept anything signed with an empty key, so it is an error, never a default.
const secretString = string({ nonEmpty: true, emptyMessage: 'secret is empty' })

const secretFields = {
  // Already checked by verifySchema before the scheme's own shape is chosen.
  scheme: required(string()),
  secret: optional(secretString),
  secrets: optional(arrayOf(secretString, { minLength: 1, tooShort: 'must list at least one secret' }))
}

interface SecretFields {
  readonly secret?: string
  readonly secrets?: readonly string[]
}

function exactlyOneSecret (value: SecretFields, path: string, problems: Problems): void {
  if (value.secret !== undefined && value.secrets !== undefined) {
    problems.push({ path, message: "set either 'secret' or 'secrets', not both" })
  } else if (value.secret === undefined && value.secrets === undefined) {
    problems.push({ path: joinPath(path, 'secret'), message: "is required (or 'secrets', to accept several during rotation)" })
  }
}

function secretsOf (value: SecretFields): readonly string[] {
  return value.secrets ?? (value.secret === undefined ? [] : [value.secret])
}

const toleranceMs = withDefault(integer({ min: 1 }), DEFAULTS.verify.toleranceMs)
const hmacDefaults = DEFAULTS.verify.hmac

const BY_SCHEME: { readonly [S in Scheme]: Checker<VerifyConfig> } = {
  stripe: map(refine(object({ ...secretFields, toleranceMs }), exactlyOneSecret),
    (v) => ({ scheme: 'stripe' as const, secrets: secretsOf(v), toleranceMs: v.toleranceMs })),
  github: map(refine(object(secretFields), exactlyOneSecret),
    (v) => ({ scheme: 'github' as const, secrets: secretsOf(v) })),
  shopify: map(refine(object(secretFields), exactlyOneSecret),
    (v) => ({ scheme: 'shopify' as const, secrets: secretsOf(v) })),
  'standard-webhooks': map(refine(object({ ...secretFields, toleranceMs }), exactlyOneSecret),
    (v) => ({ scheme: 'standard-webhooks' as const, secrets: secretsOf(v), toleranceMs: v.toleranceMs })),
  hmac: map(refine(object({
    ...secretFields,
    header: required(headerName),
    algorithm: withDefault(oneOf(['sha1', 'sha256', 'sha512']), hmacDefaults.algorithm),
    encoding: withDefault(oneOf(['hex', 'base64']), hmacDefaults.encoding),
    prefix: withDefault(string(), hmacDefaults.prefix)
  }), exactlyOneSecret), (v) => ({
    scheme: 'hmac' as const,
    secrets: secretsOf(v),
    header: v.header,
    algorithm: v.algorithm,
    encoding: v.encoding,
    prefix: v.prefix
  }))
}

/** `null` (no verification) or `{scheme, secret | secrets, ...}`; the scheme decides which other keys exist. */
export const verifySchema: Checker<VerifyConfig | null> = (value, path, problems) => {
  if (value === null) return null
  if (!isPlainObject(value)) return fail(problems, path, `expected an object or null, got ${describe(value)}`)
  const schemePath = joinPath(path, 'scheme')
  if (!Object.hasOwn(value, 'scheme')) return fail(problems, schemePath, 'is required')
  const scheme = oneOf(VERIFY_SCHEMES)(value.scheme, schemePath, problems)
  return scheme === INVALID ? INVALID : BY_SCHEME[scheme](value, path, problems)
}

/** A reference to a target by name; every name must be a key of `targets`. */
export function targetRef (knownTargets: readonly string[]): Checker<string> {
  return (value, path, problems) => {
    if (typeof value !== 'string') return fail(problems, path, `expected a target name, got ${describe(value)}`)
    if (!knownTargets.includes(value)) return fail(problems, path, unknownTargetMessage(value, knownTargets))
    return value
  }
}

function noDuplicates (names: readonly string[], path: string, problems: Problems): void {
  names.forEach((name, index) => {
    // A second entry would mean two deliveries of every event to the same target.
    if (names.indexOf(name) !== index) problems.push({ path: indexPath(path, index), message: `target '${name}' is listed twice` })
  })
}

const jsonPointer: Checker<string> = (value, path, problems) => {
  if (typeof value !== 'string') return fail(problems, path, `expected a JSON pointer string, got ${describe(value)}`)
  if (value !== '' && !value.startsWith('/')) return fail(problems, path, 'a JSON pointer starts with "/", e.g. "/id" or "/data/object/id"')
  return value
}

const AUTO_DEDUPE: DedupeConfig = { mode: 'auto', windowMs: DEFAULTS.dedupeWindowMs }

/** `false` (off), or `{header}` / `{jsonPointer}` / `{}` (auto) with an optional `windowMs`. */
export const dedupeSchema: Checker<DedupeConfig | null> = orOff(map(refine(object({
  header: optional(headerName),
  jsonPointer: optional(jsonPointer),
  windowMs: withDefault(integer({ min: 1 }), DEFAULTS.dedupeWindowMs)
}), (v, path, problems) => {
  if (v.header !== undefined && v.jsonPointer !== undefined) problems.push({ path, message: "set either 'header' or 'jsonPointer', not both" })
}), (v): DedupeConfig => v.header !== undefined
  ? { mode: 'header', header: v.header, windowMs: v.windowMs }
  : v.jsonPointer !== undefined
    ? { mode: 'jsonPointer', pointer: v.jsonPointer, windowMs: v.windowMs }
    : { mode: 'auto', windowMs: v.windowMs }))

export function sourceSchema (knownTargets: readonly string[]): Checker<SourceFields> {
  return object({
    targets: required(refine(arrayOf(targetRef(knownTargets), { minLength: 1, tooShort: 'must list at least one target' }), noDuplicates)),
    bodyLimit: optional(integer({ min: 1 })),
    verify: withDefault(verifySchema, DEFAULTS.source.verify),
    dedupe: withDefault(dedupeSchema, AUTO_DEDUPE)
  })
}
