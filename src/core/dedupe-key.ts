import { createHash } from 'node:crypto'
import type { DedupeConfig } from '../config/types.js'

/** Senders' own delivery ids, in the order they are looked for by `auto`. */
export const PROVIDER_ID_HEADERS = ['x-github-delivery', 'webhook-id', 'svix-id', 'x-shopify-webhook-id', 'idempotency-key'] as const

const MAX_KEY_LENGTH = 200

/**
 * The key under which a request counts as "already seen" for its source, or null when the
 * request carries none. Pure. Keys name where they came from so that ids of different kinds
 * never collide.
 */
export function dedupeKey (config: DedupeConfig, headers: Readonly<Record<string, string | string[] | undefined>>, body: Buffer): string | null {
  if (config.mode === 'header') return bounded(`h:${config.header.toLowerCase()}`, first(headers[config.header.toLowerCase()]))
  if (config.mode === 'jsonPointer') return bounded(`j:${config.pointer}`, pointerValue(body, config.pointer))
  for (const name of PROVIDER_ID_HEADERS) {
    const value = first(headers[name])
    if (value !== undefined && value !== '') return bounded(`h:${name}`, value)
  }
  // Stripe sends no id header; its event id is the body's top-level "id".
  if (first(headers['stripe-signature']) !== undefined) return bounded('j:/id', pointerValue(body, '/id'))
  return null
}

function first (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function bounded (kind: string, value: string | undefined): string | null {
  if (value === undefined || value === '') return null
  // Hashing long values keeps the index small without letting two long ids collide.
  const v = value.length > MAX_KEY_LENGTH ? `sha256:${createHash('sha256').update(value).digest('hex')}` : value
  return `${kind}=${v}`
}

/** RFC 6901: the string or number at `pointer` in a JSON body, or undefined. */
export function pointerValue (body: Buffer, pointer: string): string | undefined {
  let node: unknown
  try {
    node = JSON.parse(body.toString('utf8'))
  } catch {
    return undefined
  }
  if (pointer !== '') {
    for (const raw of pointer.slice(1).split('/')) {
      const token = raw.replace(/~1/g, '/').replace(/~0/g, '~')
      if (node === null || typeof node !== 'object') return undefined
      if (Array.isArray(node)) {
        if (!/^(0|[1-9]\d*)$/.test(token)) return undefined
        node = node[Number(token)]
      } else {
        if (!Object.hasOwn(node, token)) return undefined
        node = (node as Record<string, unknown>)[token]
      }
    }
  }
  if (typeof node === 'string') return node
  if (typeof node === 'number' && Number.isFinite(node)) return String(node)
  return undefined
}
