import type { HeaderPairs } from '../store/types.js'

const ALWAYS_DROPPED = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'host', 'content-length',
  // Expect: 100-continue is between the sender and us; undici refuses to send it anyway.
  'expect',
  // Replaced below with our own values.
  'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host',
  'sidehook-event-id', 'sidehook-delivery-id', 'sidehook-attempt'
])

export interface ForwardHeaderInput {
  readonly headers: HeaderPairs
  readonly remoteAddress: string
  readonly eventId: string
  readonly deliveryId: string
  readonly attempt: number
  readonly extra: Readonly<Record<string, string>>
}

/**
 * The headers sent to a target, as a flat [name, value, ...] list so repeated headers keep
 * their order. Hop-by-hop headers (RFC 9110 7.6.1), including every header that Connection
 * names, are dropped; Host and Content-Length are recomputed by the client.
 */
export function buildForwardHeaders (input: ForwardHeaderInput): string[] {
  const dropped = new Set(ALWAYS_DROPPED)
  let priorFor: string | undefined
  let priorProto: string | undefined
  let host: string | undefined
  for (const [name, value] of input.headers) {
    const lower = name.toLowerCase()
    if (lower === 'connection') {
      for (const token of value.split(',')) {
        const t = token.trim().toLowerCase()
        if (t !== '') dropped.add(t)
      }
    } else if (lower === 'x-forwarded-for') priorFor = priorFor === undefined ? value : `${priorFor}, ${value}`
    else if (lower === 'x-forwarded-proto') priorProto ??= value
    else if (lower === 'host') host ??= value
  }
  const extraNames = new Set(Object.keys(input.extra).map((n) => n.toLowerCase()))
  const out: string[] = []
  for (const [name, value] of input.headers) {
    const lower = name.toLowerCase()
    if (dropped.has(lower) || extraNames.has(lower)) continue
    out.push(name, value)
  }
  out.push('X-Forwarded-For', priorFor === undefined ? input.remoteAddress : `${priorFor}, ${input.remoteAddress}`)
  // Sidehook itself speaks plain HTTP; a TLS terminator in front of it says https.
  out.push('X-Forwarded-Proto', priorProto ?? 'http')
  if (host !== undefined) out.push('X-Forwarded-Host', host)
  out.push('Sidehook-Event-Id', input.eventId, 'Sidehook-Delivery-Id', input.deliveryId,
    'Sidehook-Attempt', String(input.attempt))
  for (const [name, value] of Object.entries(input.extra)) out.push(name, value)
  return out
}

/** Target URL + the path suffix after /in/<source> + the original query string. */
export function buildForwardUrl (targetUrl: string, path: string, query: string): string {
  const { origin, path: full } = forwardLocation(targetUrl, path, query)
  return origin + full
}

interface ParsedTarget { readonly origin: string, readonly pathname: string, readonly trimmed: string, readonly search: string }
// Target URLs come from the config, so this holds a handful of entries for the process's life.
const parsedTargets = new Map<string, ParsedTarget>()

/** The same address as buildForwardUrl, split into origin and request path for a dispatcher. */
export function forwardLocation (targetUrl: string, path: string, query: string): { origin: string, path: string } {
  let t = parsedTargets.get(targetUrl)
  if (t === undefined) {
    const url = new URL(targetUrl)
    const trimmed = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname
    t = { origin: `${url.protocol}//${url.host}`, pathname: url.pathname, trimmed, search: url.search }
    parsedTargets.set(targetUrl, t)
  }
  const base = path.startsWith('/') ? t.trimmed : t.pathname
  const search = t.search === '' ? (query === '' ? '' : `?${query}`) : (query === '' ? t.search : `${t.search}&${query}`)
  return { origin: t.origin, path: `${base}${path}${search}` }
}
