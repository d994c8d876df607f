/**
 * Edit distance counting insertions, deletions, substitutions and swaps of two adjacent
 * letters (optimal string alignment), case-insensitive: "hots" is one typo away from "host",
 * and "TimeoutMS" is a typo of "timeoutMs", not a new key.
 */
export function editDistance (a: string, b: string): number {
  const s = a.toLowerCase()
  const u = b.toLowerCase()
  // rows[i][j] is the distance between the first i letters of s and the first j of u.
  const rows: number[][] = [Array.from({ length: u.length + 1 }, (_, j) => j)]
  for (let i = 1; i <= s.length; i++) {
    const row = [i]
    for (let j = 1; j <= u.length; j++) {
      const cost = s[i - 1] === u[j - 1] ? 0 : 1
      row[j] = Math.min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && s[i - 1] === u[j - 2] && s[i - 2] === u[j - 1]) {
        row[j] = Math.min(row[j], rows[i - 2][j - 2] + 1)
      }
    }
    rows.push(row)
  }
  return rows[s.length][u.length]
}

/**
 * The candidate closest to `word`, or undefined when none is close enough to be a plausible
 * typo: a far-fetched suggestion misleads more than none.
 */
export function closestMatch (word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  if (best === undefined) return undefined
  // About one typo per three letters: 'hots' -> 'host', but never 'd' -> 'a'.
  const limit = Math.floor(Math.max(word.length, best.length) / 3)
  return bestDistance <= limit ? best : undefined
}
