import { joinPath, type ConfigProblem } from './problem.js'
import { isPlainObject } from './schema.js'

interface Override {
  readonly variable: string
  /** The section object the key lives in, or undefined for a root key. */
  readonly section?: string
  readonly key: string
  readonly integer?: boolean
}

/** The environment variables that replace config values after substitution (DESIGN.md, Configuration). */
export const ENV_OVERRIDES: readonly Override[] = [
  { variable: 'PORT', section: 'server', key: 'port', integer: true },
  { variable: 'ADMIN_PORT', section: 'admin', key: 'port', integer: true },
  { variable: 'SIDEHOOK_DB', section: 'storage', key: 'path' },
  { variable: 'SIDEHOOK_ADMIN_TOKEN', section: 'admin', key: 'token' },
  { variable: 'LOG_LEVEL', key: 'logLevel' }
]

export interface OverrideResult {
  readonly raw: unknown
  readonly problems: ConfigProblem[]
  /** Config path -> the variable that set it, so later problems there can name the variable. */
  readonly origins: ReadonlyMap<string, string>
}

/**
 * Applies ENV_OVERRIDES to a parsed (not yet validated) document and returns a copy; the
 * input is not modified. An empty variable counts as unset: platforms such as Compose pass
 * `PORT=` through as "", and that should not wipe a value from the file.
 */
export function applyEnvOverrides (raw: unknown, env: NodeJS.ProcessEnv): OverrideResult {
  const problems: ConfigProblem[] = []
  const origins = new Map<string, string>()
  // A root that is not an object is reported by validation; there is nowhere to put overrides.
  if (!isPlainObject(raw)) return { raw, problems, origins }
  const root: Record<string, unknown> = { ...raw }
  for (const override of ENV_OVERRIDES) {
    const text = env[override.variable]?.trim()
    if (text === undefined || text === '') continue
    const path = override.section === undefined ? override.key : joinPath(override.section, override.key)
    let value: string | number = text
    if (override.integer === true) {
      if (!/^-?\d+$/.test(text)) {
        problems.push({ path, message: `environment variable ${override.variable} must be an integer, got "${text.slice(0, 40)}"` })
        continue
      }
      value = Number(text)
    }
    if (override.section === undefined) {
      root[override.key] = value
    } else {
      const section = root[override.section] ?? {}
      // A section of the wrong type is left for validation to report as it is in the file.
      if (!isPlainObject(section)) continue
      root[override.section] = { ...section, [override.key]: value }
    }
    origins.set(path, override.variable)
  }
  return { raw: root, problems, origins }
}
