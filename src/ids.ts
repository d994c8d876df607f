import { randomFillSync } from 'node:crypto'

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'
// Random bytes are drawn in blocks: one system call per 409 ids instead of one per id.
const POOL = Buffer.alloc(4096)
let offset = POOL.length

function randomBytes10 (): Buffer {
  if (offset + 10 > POOL.length) {
    randomFillSync(POOL)
    offset = 0
  }
  const out = POOL.subarray(offset, offset + 10)
  offset += 10
  return out
}

// Time-ordered ids (48-bit ms time + 80 random bits, Crockford base32) so "newest first"
// is an index scan on the primary key and cursors are just ids.
export function newId (prefix: string, now: number): string {
  const time = encodeTime(now)
  const bytes = randomBytes10()
  let rand = ''
  let acc = 0
  let bits = 0
  for (const b of bytes) {
    acc = (acc << 8) | b
    bits += 8
    while (bits >= 5) {
      bits -= 5
      rand += ALPHABET[(acc >> bits) & 31]
    }
    acc &= (1 << bits) - 1
  }
  return `${prefix}_${time}${rand}`
}

function encodeTime (at: number): string {
  let time = ''
  let t = at
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time
    t = Math.floor(t / 32)
  }
  return time
}

/** A bound that sorts after every id made before `at` and before every id made at or after it. */
export function idsBefore (prefix: string, at: number): string {
  // Outside the 50-bit time range the encoding would wrap: nothing is before time 0, and
  // everything is before the end of that range (a cutoff from a "keep forever" retention).
  if (!(at > 0)) return `${prefix}_`
  if (at >= 32 ** 10) return `${prefix}_~`
  return `${prefix}_${encodeTime(Math.floor(at))}`
}
