import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { applyEnvOverrides } from './env-overrides.js'
import { findJsonSyntaxError } from './json-syntax-error.js'
import { FILE_PATH, isWithinAny, type ConfigProblem } from './problem.js'
import { substituteEnv } from './substitute-env.js'
import type { Config } from './types.js'
import { validateConfig } from './validate-config.js'

export type { ConfigProblem } from './problem.js'

export const DEFAULT_CONFIG_FILE = 'config/default.json'

function formatProblems (problems: readonly ConfigProblem[], file: string | undefined): string {
  const where = file === undefined ? '' : ` in ${file}`
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`
  const lines = problems.map((problem) => `  - ${problem.path}: ${problem.message}`)
  return [`Invalid configuration${where} (${count}):`, ...lines].join('\n')
}

/** Every problem found in one config file; the message lists them one per line. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[]
  readonly file: string | undefined

  constructor (problems: readonly ConfigProblem[], file?: string) {
    super(formatProblems(problems, file))
    this.name = 'ConfigError'
    this.problems = Object.freeze(problems.map((problem) => Object.freeze({ ...problem })))
    this.file = file
  }
}

function syntaxProblem (text: string): ConfigProblem {
  let located
  try {
    located = findJsonSyntaxError(text)
  } catch {
    // Only a pathological document (nesting deep enough to overflow the stack) gets here.
  }
  // Line numbers match the file because substituted values never contain a raw line break;
  // columns may be shifted by substitutions earlier on the same line.
  const where = located === undefined ? '' : ` at line ${located.line}, column ${located.column}`
  return { path: FILE_PATH, message: `invalid JSON${where}${located === undefined ? '' : `: ${located.message}`}` }
}

/**
 * Substitution, JSON parsing, environment overrides and validation of one config text.
 * Throws a ConfigError listing every problem found.
 */
export function parseConfig (text: string, env: NodeJS.ProcessEnv, fileName?: string): Config {
  // Editors on Windows like to save JSON with a byte order mark, which JSON.parse rejects.
  const substituted = substituteEnv(text.replace(/^\uFEFF/, ''), env)
  const problems = [...substituted.problems]
  let raw: unknown
  try {
    raw = JSON.parse(substituted.text)
  } catch {
    throw new ConfigError([...problems, syntaxProblem(substituted.text)], fileName)
  }
  const overridden = applyEnvOverrides(raw, env)
  problems.push(...overridden.problems)
  const validated = validateConfig(overridden.raw)
  const causes = new Set(substituted.problems.map((cause) => cause.path).filter((path) => path !== FILE_PATH))
  for (const problem of validated.problems) {
    // An unset variable was substituted as "", which then fails validation too ("is empty",
    // "must be a URL"); the variable is the cause, so only it is reported.
    if (isWithinAny(problem.path, causes)) continue
    const variable = overridden.origins.get(problem.path)
    problems.push(variable === undefined ? problem : { ...problem, message: `${problem.message} (set by environment variable ${variable})` })
  }
  if (problems.length > 0 || validated.config === undefined) throw new ConfigError(problems, fileName)
  return validated.config
}

function describeReadError (error: unknown): string {
  const code = error instanceof Error && 'code' in error ? error.code : undefined
  if (code === 'ENOENT') return 'file not found'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'EISDIR') return 'is a directory, not a file'
  return error instanceof Error ? error.message : String(error)
}

/**
 * Reads and parses the config file: `opts.file`, else $SIDEHOOK_CONFIG, else
 * config/default.json, relative to the working directory.
 */
export async function loadConfig (opts: { file?: string, env?: NodeJS.ProcessEnv } = {}): Promise<Config> {
  const env = opts.env ?? process.env
  const envFile = env.SIDEHOOK_CONFIG
  const file = opts.file ?? (envFile === undefined || envFile === '' ? DEFAULT_CONFIG_FILE : envFile)
  const fullPath = resolve(process.cwd(), file)
  let text: string
  try {
    text = await readFile(fullPath, 'utf8')
  } catch (error) {
    throw new ConfigError([{ path: FILE_PATH, message: `cannot read ${fullPath}: ${describeReadError(error)}` }], file)
  }
  return parseConfig(text, env, file)
}
