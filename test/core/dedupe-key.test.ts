import t from 'tap'
import type { DedupeConfig } from '../../src/config/types.js'
import { dedupeKey, pointerValue } from '../../src/core/dedupe-key.js'

const auto: DedupeConfig = { mode: 'auto', windowMs: 1 }
const json = (v: unknown) => Buffer.from(JSON.stringify(v))

t.test('auto finds each provider\'s delivery id', async (t) => {
  const rows: Array<[string, Record<string, string>, Buffer, string | null]> = [
    ['GitHub', { 'x-github-delivery': 'abc-123' }, json({}), 'h:x-github-delivery=abc-123'],
    ['Standard Webhooks', { 'webhook-id': 'msg_1' }, json({}), 'h:webhook-id=msg_1'],
    ['Svix', { 'svix-id': 'msg_2' }, json({}), 'h:svix-id=msg_2'],
    ['Shopify', { 'x-shopify-webhook-id': 'b54557e4' }, json({}), 'h:x-shopify-webhook-id=b54557e4'],
    ['Idempotency-Key', { 'idempotency-key': 'k1' }, Buffer.from('x'), 'h:idempotency-key=k1'],
    ['Stripe', { 'stripe-signature': 't=1,v1=x' }, json({ id: 'evt_1', object: 'event' }), 'j:/id=evt_1'],
    ['Stripe body without id', { 'stripe-signature': 't=1,v1=x' }, json({ object: 'event' }), null],
    ['Stripe body not JSON', { 'stripe-signature': 't=1,v1=x' }, Buffer.from('{'), null],
    ['nothing to go by', { 'content-type': 'application/json' }, json({ id: 'evt_1' }), null],
    ['empty header', { 'x-github-delivery': '' }, json({}), null],
    ['first of several headers wins', { 'svix-id': 's', 'webhook-id': 'w' }, json({}), 'h:webhook-id=w']
  ]
  for (const [name, headers, body, want] of rows) t.equal(dedupeKey(auto, headers, body), want, name)
})

t.test('a configured header or JSON pointer', async (t) => {
  const header: DedupeConfig = { mode: 'header', header: 'X-Event-Id', windowMs: 1 }
  t.equal(dedupeKey(header, { 'x-event-id': 'e1' }, Buffer.alloc(0)), 'h:x-event-id=e1')
  t.equal(dedupeKey(header, { 'x-event-id': ['e1', 'e2'] }, Buffer.alloc(0)), 'h:x-event-id=e1')
  t.equal(dedupeKey(header, { 'x-github-delivery': 'g' }, Buffer.alloc(0)), null, 'only the configured header counts')
  const pointer: DedupeConfig = { mode: 'jsonPointer', pointer: '/data/object/id', windowMs: 1 }
  t.equal(dedupeKey(pointer, {}, json({ data: { object: { id: 'pi_1' } } })), 'j:/data/object/id=pi_1')
  t.equal(dedupeKey(pointer, {}, json({ data: {} })), null)
  const long = 'x'.repeat(500)
  t.match(dedupeKey(header, { 'x-event-id': long }, Buffer.alloc(0)), /^h:x-event-id=sha256:[0-9a-f]{64}$/)
})

t.test('JSON pointers per RFC 6901', async (t) => {
  const doc = json({ a: [10, { 'b/c': 'slash', 'd~e': 'tilde' }], n: 42, o: { deep: true }, '': 'empty key' })
  const rows: Array<[string, string | undefined]> = [
    ['/a/0', '10'], ['/a/1/b~1c', 'slash'], ['/a/1/d~0e', 'tilde'], ['/n', '42'], ['/', 'empty key'],
    ['/o', undefined], ['/o/deep', undefined], ['/a/2', undefined], ['/a/01', undefined], ['/a/-', undefined],
    ['/missing', undefined], ['/n/x', undefined], ['', undefined], ['/constructor', undefined]
  ]
  for (const [p, want] of rows) t.equal(pointerValue(doc, p), want, p)
  t.equal(pointerValue(json('top'), ''), 'top')
  t.equal(pointerValue(Buffer.from([0xff, 0xfe]), '/id'), undefined)
})
