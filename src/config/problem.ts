/** One thing wrong with the configuration, located by a path such as "targets.app.retry.maxAttempts". */
export interface ConfigProblem {
  path: string
  message: string
}

/** Used when a problem belongs to the file as a whole (unreadable, not JSON). */
export const FILE_PATH = '(file)'

/** Used when the document itself is wrong (e.g. the root is an array). */
export const ROOT_PATH = '(root)'

// Keys that read unambiguously after a dot; anything else (names with '.', spaces, quotes)
// is bracket-quoted so the path can still be followed back into the file.
const PLAIN_KEY = /^[A-Za-z0-9_$-]+$/

export function joinPath (base: string, key: string): string {
  if (!PLAIN_KEY.test(key)) return `${base}[${JSON.stringify(key)}]`
  return base === '' ? key : `${base}.${key}`
}

export function indexPath (base: string, index: number): string {
  return `${base}[${index}]`
}

/**
 * True when `path` is one of `ancestors` or lies inside one. Looks up each prefix of `path`
 * that ends before a "." or "[", so thousands of ancestors cost no more than one.
 */
export function isWithinAny (path: string, ancestors: ReadonlySet<string>): boolean {
  if (ancestors.has(path)) return true
  for (let k = 0; k < path.length; k++) {
    if ((path[k] === '.' || path[k] === '[') && ancestors.has(path.slice(0, k))) return true
  }
  return false
}
