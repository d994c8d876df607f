import { indexPath, joinPath, type ConfigProblem } from './problem.js'
import { closestMatch } from './suggest.js'

/**
 * A tiny hand-rolled schema: each checker looks at one value, records everything wrong with
 * it (it never stops at the first problem) and returns the normalised value, or INVALID.
 * Composing checkers keeps adding a config key to a one-line change.
 */
export const INVALID = Symbol('invalid')
export type Invalid = typeof INVALID
export type Problems = ConfigProblem[]
export type Checker<T> = (value: unknown, path: string, problems: Problems) => T | Invalid

export function isPlainObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Names what was found without echoing strings, which may be secrets substituted from the environment. */
export function describe (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return 'a string'
  if (typeof value === 'object') return 'an object'
  return String(value)
}

export function fail (problems: Problems, path: string, message: string): Invalid {
  problems.push({ path, message })
  return INVALID
}

// ---- object fields -------------------------------------------------------------------------

/** How an object key is checked, and what its absence means. */
export interface Field<T> {
  readonly check: Checker<T>
  readonly absent: { readonly kind: 'default', readonly value: T } | { readonly kind: 'required' } | { readonly kind: 'omit' }
}

export function required<T> (check: Checker<T>): Field<T> {
  return { check, absent: { kind: 'required' } }
}

export function withDefault<T> (check: Checker<T>, value: T): Field<T> {
  return { check, absent: { kind: 'default', value } }
}

/** Absent keys stay absent in the output (for settings whose defaults live elsewhere). */
export function optional<T> (check: Checker<T>): Field<T | undefined> {
  return { check, absent: { kind: 'omit' } }
}

export type Shape = Record<string, Field<unknown>>
export type ShapeOutput<S extends Shape> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never }

/** An object with exactly the keys of `shape`; any other key is a problem, with a did-you-mean. */
export function object<S extends Shape> (shape: S): Checker<ShapeOutput<S>> {
  const keys = Object.keys(shape)
  return (value, path, problems) => {
    if (!isPlainObject(value)) return fail(problems, path, `expected an object, got ${describe(value)}`)
    let valid = true
    for (const key of Object.keys(value)) {
      if (Object.hasOwn(shape, key)) continue
      const suggestion = closestMatch(key, keys)
      const hint = suggestion === undefined ? '' : `; did you mean '${suggestion}'?`
      valid = false
      problems.push({ path: joinPath(path, key), message: `unknown key${hint}` })
    }
    const out: Record<string, unknown> = {}
    for (const key of keys) {
      const field = shape[key]
      const fieldPath = joinPath(path, key)
      if (!Object.hasOwn(value, key)) {
        if (field.absent.kind === 'default') out[key] = field.absent.value
        if (field.absent.kind === 'required') {
          fail(problems, fieldPath, 'is required')
          valid = false
        }
        continue
      }
      const result = field.check(value[key], fieldPath, problems)
      if (result === INVALID) valid = false
      else if (result !== undefined) out[key] = result
    }
    // Sound because every key of the shape was either set from its checker or its absence rule.
    return valid ? out as ShapeOutput<S> : INVALID
  }
}

/** An object whose keys are names chosen by the user; `key` returns a message for a bad key. */
export function record<T> (key: (name: string) => string | undefined, check: Checker<T>): Checker<Record<string, T>> {
  return (value, path, problems) => {
    if (!isPlainObject(value)) return fail(problems, path, `expected an object, got ${describe(value)}`)
    let valid = true
    const entries: Array<[string, T]> = []
    for (const [name, item] of Object.entries(value)) {
      const itemPath = joinPath(path, name)
      const keyProblem = key(name)
      if (keyProblem !== undefined) {
        fail(problems, itemPath, keyProblem)
        valid = false
      }
      const result = check(item, itemPath, problems)
      if (result === INVALID) valid = false
      else entries.push([name, result])
    }
    // fromEntries defines own properties, so a key like "__proto__" cannot reach the prototype.
    return valid ? Object.fromEntries(entries) : INVALID
  }
}

// ---- combinators ---------------------------------------------------------------------------

/** `false` switches a feature off (null in the output); anything else goes to `check`. */
export function orOff<T> (check: Checker<T>): Checker<T | null> {
  return (value, path, problems) => value === false ? null : check(value, path, problems)
}

export function arrayOf<T> (item: Checker<T>, opts: { minLength?: number, tooShort?: string } = {}): Checker<T[]> {
  return (value, path, problems) => {
    if (!Array.isArray(value)) return fail(problems, path, `expected an array, got ${describe(value)}`)
    const minLength = opts.minLength ?? 0
    let valid = true
    if (value.length < minLength) {
      fail(problems, path, opts.tooShort ?? `must have at least ${minLength} item(s)`)
      valid = false
    }
    const out: T[] = []
    value.forEach((element, index) => {
      const result = item(element, indexPath(path, index), problems)
      if (result === INVALID) valid = false
      else out.push(result)
    })
    return valid ? out : INVALID
  }
}

/** Adds a rule over an already valid value (cross-field checks); the rule pushes its own problems. */
export function refine<T> (check: Checker<T>, rule: (value: T, path: string, problems: Problems) => void): Checker<T> {
  return (value, path, problems) => {
    const result = check(value, path, problems)
    if (result === INVALID) return INVALID
    const before = problems.length
    rule(result, path, problems)
    return problems.length === before ? result : INVALID
  }
}

export function map<T, U> (check: Checker<T>, transform: (value: T) => U): Checker<U> {
  return (value, path, problems) => {
    const result = check(value, path, problems)
    return result === INVALID ? INVALID : transform(result)
  }
}

// ---- primitives ----------------------------------------------------------------------------

export function string (opts: { nonEmpty?: boolean, emptyMessage?: string } = {}): Checker<string> {
  return (value, path, problems) => {
    if (typeof value !== 'string') return fail(problems, path, `expected a string, got ${describe(value)}`)
    if (opts.nonEmpty === true && value === '') return fail(problems, path, opts.emptyMessage ?? 'must not be empty')
    return value
  }
}

export function boolean (): Checker<boolean> {
  return (value, path, problems) => {
    if (typeof value !== 'boolean') return fail(problems, path, `expected true or false, got ${describe(value)}`)
    return value
  }
}

function rangeMessage (min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return `must be between ${min} and ${max}`
  if (min !== undefined) return `must be at least ${min}`
  return `must be at most ${String(max)}`
}

function inRange (value: number, min: number | undefined, max: number | undefined): boolean {
  return (min === undefined || value >= min) && (max === undefined || value <= max)
}

export function integer (opts: { min?: number, max?: number } = {}): Checker<number> {
  return (value, path, problems) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      return fail(problems, path, `expected an integer, got ${describe(value)}`)
    }
    if (!inRange(value, opts.min, opts.max)) return fail(problems, path, `${rangeMessage(opts.min, opts.max)}, got ${value}`)
    // Beyond this, JSON numbers lose precision: 1e300 is an "integer" nobody meant.
    if (!Number.isSafeInteger(value)) return fail(problems, path, `must be at most ${Number.MAX_SAFE_INTEGER}, got ${value}`)
    return value
  }
}

export function number (opts: { min?: number, max?: number } = {}): Checker<number> {
  return (value, path, problems) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return fail(problems, path, `expected a number, got ${describe(value)}`)
    }
    if (!inRange(value, opts.min, opts.max)) return fail(problems, path, `${rangeMessage(opts.min, opts.max)}, got ${value}`)
    return value
  }
}

export function oneOf<const V extends readonly string[]> (values: V): Checker<V[number]> {
  const list = values.map((v) => `'${v}'`).join(', ')
  return (value, path, problems) => {
    if (typeof value === 'string' && values.includes(value)) return value
    // Enum values are never secrets, so echoing a short prefix helps spot the typo.
    const got = typeof value === 'string' ? `'${value.slice(0, 40)}'` : describe(value)
    return fail(problems, path, `must be one of ${list}; got ${got}`)
  }
}

/** An absolute URL with one of `protocols` (e.g. ['http:', 'https:']); `allowEmpty` lets "" through to mean "off". */
export function url (opts: { protocols: readonly string[], allowEmpty?: boolean }): Checker<string> {
  const names = opts.protocols.join(' or ')
  return (value, path, problems) => {
    if (typeof value !== 'string') return fail(problems, path, `expected a URL string, got ${describe(value)}`)
    if (value === '' && opts.allowEmpty === true) return value
    // URL parsing would trim this silently, but the string itself is what gets used later.
    if (value.trim() !== value) return fail(problems, path, 'must not have leading or trailing whitespace')
    let parsed: URL
    try {
      parsed = new URL(value)
    } catch {
      return fail(problems, path, `must be an absolute ${names} URL`)
    }
    if (!opts.protocols.includes(parsed.protocol)) return fail(problems, path, `must be an ${names} URL, got ${parsed.protocol}`)
    if (value.includes('#')) return fail(problems, path, 'must not contain a fragment (#...)')
    return value
  }
}
