import { jsonPathsAt } from './json-path-at.js'
import { FILE_PATH, type ConfigProblem } from './problem.js'

// `$${` is the escape for a literal `${`. A reference ends at `}`; it may not run past a quote
// or a line end, so an unclosed `${` is reported instead of swallowing the rest of the file.
// Defaults may hold JSON escapes such as \" (they are written inside a JSON string).
const REFERENCE = /\$\$\{|\$\{((?:[^}"\\\n]|\\.)*)(\}?)/g
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** `value` as the inside of a JSON string literal, so quotes and backslashes cannot break the JSON. */
function jsonEscape (value: string): string {
  return JSON.stringify(value).slice(1, -1)
}

/**
 * Replaces `${NAME}` and `${NAME:-default}` in the raw config text, before JSON parsing.
 * As in a shell, the default applies when NAME is unset or empty. An unset `${NAME}` becomes
 * "" and is reported; every such problem is collected, with the JSON path where it occurs.
 */
export function substituteEnv (text: string, env: NodeJS.ProcessEnv): { text: string, problems: ConfigProblem[] } {
  // Paths are found in one scan at the end: one scan per problem made thousands of unset
  // references take seconds.
  const found: Array<{ offset: number, message: string }> = []
  const report = (offset: number, message: string): void => { found.push({ offset, message }) }
  const result = text.replace(REFERENCE, (match: string, body: string | undefined, close: string | undefined, offset: number) => {
    if (match === '$${') return '${'
    if (close !== '}') {
      report(offset, "unterminated '${'; write '$${' for a literal '${'")
      return match
    }
    const inner = body ?? ''
    const separator = inner.indexOf(':-')
    const name = separator === -1 ? inner : inner.slice(0, separator)
    if (!NAME.test(name)) {
      report(offset, `invalid reference '${match}': write \${NAME} or \${NAME:-default}`)
      return ''
    }
    const value = env[name]
    if (separator !== -1) {
      // The default is already JSON-escaped: it is part of the file's own text.
      return value === undefined || value === '' ? inner.slice(separator + 2) : jsonEscape(value)
    }
    if (value === undefined) {
      report(offset, `environment variable ${name} is not set`)
      return ''
    }
    return jsonEscape(value)
  })
  const paths = jsonPathsAt(text, found.map((f) => f.offset))
  const problems: ConfigProblem[] = found.map((f, i) => ({ path: paths[i] || FILE_PATH, message: f.message }))
  return { text: result, problems }
}
