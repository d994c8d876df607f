/** Left-aligned text columns for terminals; the widest cell sets each column's width. */
export function table (headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => c === null || c === undefined ? '-' : String(c)))]
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)))
  return cells.map((r) => r.map((c, i) => i === r.length - 1 ? c : c.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n'
}

/** "2026-12-04T20:01:02.345Z" → "2026-12-04 20:01:02"; null stays "-". */
export function when (iso: string | null | undefined): string {
  return iso == null ? '-' : iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')
}

/** Wraps text at `width` columns with an indent, for long catalog explanations. */
export function wrap (text: string, width = 78, indent = '  '): string {
  const words = text.split(/\s+/)
  const lines: string[] = []
  let line = ''
  for (const w of words) {
    if ((line + ' ' + w).trim().length > width - indent.length) {
      lines.push(line)
      line = w
    } else line = (line + ' ' + w).trim()
  }
  if (line !== '') lines.push(line)
  return lines.map((l) => indent + l).join('\n')
}
