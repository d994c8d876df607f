/**
 * Freezes a plain data tree (no cycles) in place, so no module can change config that another
 * one relies on. Recurses even into already-frozen objects: a frozen parent says nothing
 * about its children.
 */
export function deepFreeze<T> (value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
