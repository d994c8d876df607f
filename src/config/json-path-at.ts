import { indexPath, joinPath } from './problem.js'

type Frame =
  | { kind: 'object', key: string | undefined, expectingKey: boolean }
  | { kind: 'array', index: number }

/** Index just past the string literal opening at `start`, or the text length if it never closes. */
function endOfString (text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++
    else if (text[i] === '"') return i + 1
  }
  return text.length
}

function decodeKey (literal: string): string {
  try {
    const key: unknown = JSON.parse(literal)
    return typeof key === 'string' ? key : literal
  } catch {
    return literal.slice(1, -1)
  }
}

function pathOf (stack: readonly Frame[]): string {
  let path = ''
  for (const frame of stack) {
    if (frame.kind === 'array') path = indexPath(path, frame.index)
    else if (!frame.expectingKey && frame.key !== undefined) path = joinPath(path, frame.key)
  }
  return path
}

/**
 * The path ("sources.stripe.verify.secret") of the value at each offset in a config template:
 * JSON that may still hold `${...}` references, even outside strings. Best effort, for error
 * messages only: it tolerates broken JSON rather than rejecting it. One scan of the text serves
 * every offset, in any order, so a file with thousands of problems stays fast.
 */
export function jsonPathsAt (text: string, offsets: readonly number[]): string[] {
  const order = offsets.map((_, k) => k).sort((a, b) => offsets[a] - offsets[b])
  const paths = new Array<string>(offsets.length)
  let next = 0
  // Every offset before `limit` (and not yet placed) lies where the stack is now.
  const placeBefore = (limit: number): void => {
    while (next < order.length && offsets[order[next]] < limit) paths[order[next++]] = pathOf(stack)
  }
  const stack: Frame[] = []
  let i = 0
  while (i < text.length && next < order.length) {
    placeBefore(i + 1)
    const char = text[i]
    const top = stack.at(-1)
    if (char === '"') {
      const end = endOfString(text, i)
      // An offset inside a string belongs to the value (or key) the string is.
      placeBefore(end)
      if (top?.kind === 'object' && top.expectingKey) top.key = decodeKey(text.slice(i, end))
      i = end
      continue
    }
    if (char === '$' && text[i + 1] === '{') {
      // A reference standing in for a whole value, e.g. "port": ${PORT}.
      const close = text.indexOf('}', i)
      i = close === -1 ? text.length : close + 1
      continue
    }
    if (char === '{') stack.push({ kind: 'object', key: undefined, expectingKey: true })
    else if (char === '[') stack.push({ kind: 'array', index: 0 })
    else if (char === '}' || char === ']') stack.pop()
    else if (char === ':' && top?.kind === 'object') top.expectingKey = false
    else if (char === ',' && top?.kind === 'array') top.index++
    else if (char === ',' && top?.kind === 'object') {
      top.expectingKey = true
      top.key = undefined
    }
    i++
  }
  placeBefore(Infinity)
  return paths
}
