import type { FastifyRequest } from 'fastify'
import type { SourceConfig } from '../config/types.js'
import { dedupeKey } from '../core/dedupe-key.js'
import { newId } from '../ids.js'
import type { NewEvent } from '../store/types.js'

/**
 * The raw path after /in/<source> and the raw query of a request target, so percent-encoding
 * reaches the target unchanged. An absolute-form target (`POST http://host/in/s/x`, which
 * RFC 9112 3.2.2 lets a client send) is reduced to its origin form first.
 */
export function splitTarget (rawUrl: string): { path: string, query: string } {
  const url = rawUrl.startsWith('/') ? rawUrl : rawUrl.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/, '')
  const q = url.indexOf('?')
  const pathname = q === -1 ? url : url.slice(0, q)
  const prefixEnd = pathname.indexOf('/', '/in/'.length)
  return { path: prefixEnd === -1 ? '' : pathname.slice(prefixEnd), query: q === -1 ? '' : url.slice(q + 1) }
}

/**
 * True when a path suffix holds a "." or ".." segment (also as %2e, or between backslashes):
 * the URL parser of the forwarder resolves those, so `/in/s/../../admin` would reach a path of
 * the target host outside the target's configured URL.
 */
export function hasDotSegment (path: string): boolean {
  return path.split(/[/\\]/).some((segment) => {
    const dots = segment.replace(/%2e/gi, '.')
    return dots === '.' || dots === '..'
  })
}

/** The request as received, ready to store: raw path suffix, raw query, raw header pairs. */
export function toEvent (request: FastifyRequest, source: SourceConfig, body: Buffer, now: number): NewEvent {
  const raw = request.raw
  const { path, query } = splitTarget(raw.url ?? '/')
  const pairs: Array<[string, string]> = []
  const rh = raw.rawHeaders
  for (let i = 0; i < rh.length; i += 2) pairs.push([rh[i], rh[i + 1]])
  return {
    id: newId('evt', now),
    source: source.name,
    method: request.method,
    path,
    query,
    headers: pairs,
    body,
    // The TCP peer, whatever trustProxy says: it is what a proxy appends to X-Forwarded-For.
    // With a proxy in front, the original client is the first X-Forwarded-For entry.
    remoteAddress: request.socket.remoteAddress ?? request.ip,
    receivedAt: now,
    dedupeKey: source.dedupe === null ? null : dedupeKey(source.dedupe, request.headers, body),
    dedupeSince: source.dedupe === null ? now : now - source.dedupe.windowMs,
    deliveries: source.targets.map((target) => ({ id: newId('dlv', now), target }))
  }
}
