import type { FastifyRequest } from 'fastify'
import type { SourceConfig } from '../config/types.js'
import { dedupeKey } from '../core/dedupe-key.js'
import { newId } from '../ids.js'
import type { NewEvent } from '../store/types.js'

/** The request as received, ready to store: raw path suffix, raw query, raw header pairs. */
export function toEvent (request: FastifyRequest, source: SourceConfig, body: Buffer, now: number): NewEvent {
  const raw = request.raw
  const url = raw.url ?? '/'
  const q = url.indexOf('?')
  const pathname = q === -1 ? url : url.slice(0, q)
  // The suffix is taken from the raw URL so percent-encoding reaches the target unchanged.
  const prefixEnd = pathname.indexOf('/', '/in/'.length)
  const path = prefixEnd === -1 ? '' : pathname.slice(prefixEnd)
  const pairs: Array<[string, string]> = []
  const rh = raw.rawHeaders
  for (let i = 0; i < rh.length; i += 2) pairs.push([rh[i], rh[i + 1]])
  return {
    id: newId('evt', now),
    source: source.name,
    method: request.method,
    path,
    query: q === -1 ? '' : url.slice(q + 1),
    headers: pairs,
    body,
    remoteAddress: request.ip,
    receivedAt: now,
    dedupeKey: source.dedupe === null ? null : dedupeKey(source.dedupe, request.headers, body),
    dedupeSince: source.dedupe === null ? now : now - source.dedupe.windowMs,
    deliveries: source.targets.map((target) => ({ id: newId('dlv', now), target }))
  }
}
