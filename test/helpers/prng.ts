/**
 * A small seeded pseudo-random generator for the fuzz and hostile-sender tests, so that a
 * failure can be replayed: every test that uses it prints its seed in the test name and reads
 * an override from the environment (FUZZ_SEED).
 */

/** The seed from $FUZZ_SEED when set (decimal or 0x hex), else `fallback`. */
export function seedFromEnv (fallback: number): number {
  const text = process.env.FUZZ_SEED
  if (text === undefined || text.trim() === '') return fallback >>> 0
  const n = Number(text.trim())
  if (!Number.isFinite(n)) throw new Error(`FUZZ_SEED must be a number, got ${JSON.stringify(text)}`)
  return n >>> 0
}

export class Prng {
  #state: number

  constructor (seed: number) {
    this.#state = seed >>> 0
  }

  /** mulberry32: a float in [0, 1). */
  next (): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0
    let z = this.#state
    z = Math.imul(z ^ (z >>> 15), z | 1)
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61)
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [min, max]. */
  int (min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance (p: number): boolean {
    return this.next() < p
  }

  pick<T> (items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]
  }

  /** Picks by weight: [[weight, value], ...]. */
  weighted<T> (items: ReadonlyArray<readonly [number, T]>): T {
    const total = items.reduce((sum, [w]) => sum + w, 0)
    let r = this.next() * total
    for (const [w, v] of items) {
      r -= w
      if (r < 0) return v
    }
    return items[items.length - 1][1]
  }

  bytes (n: number): Buffer {
    const out = Buffer.alloc(n)
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.next() * 256)
    return out
  }

  /** A string of `n` characters drawn from `alphabet` (an array, so astral characters stay whole). */
  string (n: number, alphabet: readonly string[]): string {
    let s = ''
    for (let i = 0; i < n; i++) s += this.pick(alphabet)
    return s
  }
}

/** Characters allowed in an HTTP header name (RFC 9110 token). */
export const TOKEN_CHARS = [..."!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"]

/** Characters allowed in an HTTP header value as Node reads it: VCHAR, space, tab and obs-text (latin1). */
export const HEADER_VALUE_CHARS = [
  ...Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)),
  ' ', '\t', 'é', 'ÿ', '\u0080', '\u00a0'
]
