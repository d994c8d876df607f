import { newId } from '../../src/ids.js'
import type { NewEvent } from '../../src/store/types.js'

/** A stored-event fixture; every field can be overridden. */
export function makeEvent (overrides: Partial<NewEvent> & { targets?: string[] } = {}): NewEvent {
  const receivedAt = overrides.receivedAt ?? 1_700_000_000_000
  const { targets = ['app'], ...rest } = overrides
  return {
    id: newId('evt', receivedAt),
    source: 'sample',
    method: 'POST',
    path: '',
    query: '',
    headers: [['Content-Type', 'application/json']],
    body: Buffer.from('{"hello":"world"}'),
    remoteAddress: '127.0.0.1',
    receivedAt,
    dedupeKey: null,
    dedupeSince: receivedAt,
    deliveries: targets.map((target) => ({ id: newId('dlv', receivedAt), target })),
    ...rest
  }
}
