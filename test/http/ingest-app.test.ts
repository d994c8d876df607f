import { join } from 'node:path'
import { pino } from 'pino'
import t, { type Test } from 'tap'
import { Batcher } from '../../src/batcher.js'
import type { Config } from '../../src/config/types.js'
import { buildIngestApp } from '../../src/http/ingest-app.js'
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import type { InsertResult, NewEvent } from '../../src/store/types.js'
import { testConfig, testSource, testTarget } from '../helpers/config.js'
import { githubHeaders } from '../helpers/sign.js'

const logger = pino({ level: 'silent' })

function config (dir: string): Config {
  return testConfig(join(dir, 'x.db'), [testTarget('a', 'http://127.0.0.1:1'), testTarget('b', 'http://127.0.0.1:2')], [
    testSource('shop', ['a', 'b']),
    testSource('small', ['a'], { bodyLimit: 10 }),
    testSource('gh', ['a'], { verify: { scheme: 'github', secrets: ['old', 'It\'s a Secret to Everybody'] } }),
    testSource('dd', ['a', 'b'], { dedupe: { mode: 'auto', windowMs: 60_000 } }),
    testSource('ptr', ['a'], { dedupe: { mode: 'jsonPointer', pointer: '/event/id', windowMs: 60_000 } }),
    testSource('ct', ['a'], { dedupe: { mode: 'header', header: 'Content-Type', windowMs: 60_000 } })
  ])
}

async function setup (t: Test, pragmas: string[] = []) {
  const dir = t.testdir()
  const store = new SqliteStore({ path: join(dir, 'outbox.db'), durability: 'full', pragmas })
  let transactions = 0
  const commits = new Batcher<NewEvent, InsertResult>(async (events) => {
    transactions++
    return store.insertEvents(events)
  })
  let woken = 0
  const app = buildIngestApp({
    config: config(dir),
    logger,
    health: { ready: () => store.checkWritable() },
    commit: async (e) => { const r = await commits.add(e); woken++; return r }
  })
  t.teardown(async () => { await app.close(); await store.close() })
  return { app, store, transactions: () => transactions, woken: () => woken }
}

t.test('202 only after the commit, with one delivery per target', async (t) => {
  const { app, store, woken } = await setup(t)
  const res = await app.inject({ method: 'POST', url: '/in/shop', headers: { 'content-type': 'application/json' }, payload: '{"a":1}' })
  t.equal(res.statusCode, 202)
  const body = res.json()
  t.match(body, { id: /^evt_/, deliveries: [{ id: /^dlv_/, target: 'a' }, { id: /^dlv_/, target: 'b' }] })
  const stored = await store.getEvent(body.id)
  t.equal(stored!.body.toString(), '{"a":1}')
  t.same((await store.deliveriesOfEvent(body.id)).map((d) => d.id).sort(), body.deliveries.map((d: { id: string }) => d.id).sort())
  t.equal(woken(), 1, 'the worker is told once the commit is done')
})

t.test('bodies are stored byte for byte whatever the content type', async (t) => {
  const { app, store } = await setup(t)
  const bodies: Array<[string | undefined, Buffer]> = [
    ['application/octet-stream', Buffer.from([0, 1, 2, 0xff, 0xfe])],
    ['text/plain; charset=utf-8', Buffer.from([0xc3, 0x28, 0xa0, 0xa1])],
    ['application/json', Buffer.from('  {"spaces" :  true , "x":1.0}\n')],
    ['application/x-www-form-urlencoded', Buffer.from('a=1&b=%20')],
    ['multipart/form-data; boundary=x', Buffer.from('--x\r\nContent-Disposition: form-data; name="f"\r\n\r\nv\r\n--x--\r\n')],
    ['application/json', Buffer.from('{not json')],
    [undefined, Buffer.from('no content type')]
  ]
  for (const [type, payload] of bodies) {
    const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type }
    const res = await app.inject({ method: 'POST', url: '/in/shop', headers, payload })
    t.equal(res.statusCode, 202, `${type}`)
    t.same((await store.getEvent(res.json().id))!.body, payload, `${type} stored exactly`)
  }
  for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
    const res = await app.inject({ method, url: '/in/shop' })
    t.equal(res.statusCode, 202, `${method} without a body`)
    t.match(await store.getEvent(res.json().id), { method, body: Buffer.alloc(0) })
  }
})

t.test('a Content-Type Fastify cannot parse is stored and forwarded like any other, not refused with 415', async (t) => {
  const { app, store } = await setup(t)
  for (const type of ['json', 'application/json;;', 'a b/c', '"quoted"', 'text/plain; charset']) {
    const payload = Buffer.from(`{"type":${JSON.stringify(type)}}`)
    const res = await app.inject({ method: 'POST', url: '/in/shop', headers: { 'content-type': type }, payload })
    t.equal(res.statusCode, 202, `${type}: accepted`)
    const stored = (await store.getEvent(res.json().id))!
    t.same(stored.body, payload, `${type}: body stored exactly`)
    t.same(stored.headers.filter(([name]) => name.toLowerCase() === 'content-type'), [['content-type', type]], `${type}: header kept as sent`)
  }
  const empty = await app.inject({ method: 'PUT', url: '/in/shop', headers: { 'content-type': 'json', 'content-length': '0' } })
  t.equal(empty.statusCode, 202, 'an empty body with such a type too')
  t.same((await store.getEvent(empty.json().id))!.body, Buffer.alloc(0))
})

t.test('the handler still sees the Content-Type header (dedupe on it, here)', async (t) => {
  const { app } = await setup(t)
  const send = (type: string) => app.inject({ method: 'POST', url: '/in/ct', headers: { 'content-type': type }, payload: '{}' })
  const first = await send('application/x-first')
  const again = await send('application/x-first')
  const other = await send('json')
  const otherAgain = await send('json')
  t.notOk(first.json().duplicate)
  t.match(again.json(), { id: first.json().id, duplicate: true }, 'same type: a duplicate')
  t.notOk(other.json().duplicate, 'another type: new')
  t.match(otherAgain.json(), { id: other.json().id, duplicate: true }, 'a malformed type is a key like any other')
})

t.test('path suffix, query and headers are kept raw', async (t) => {
  const { app, store } = await setup(t)
  const res = await app.inject({
    method: 'POST',
    url: '/in/shop/orders/a%2Fb/%E2%9C%93?x=1&x=2&y=%20',
    headers: { 'X-Custom': 'v', 'content-type': 'text/plain' },
    payload: 'x'
  })
  const e = (await store.getEvent(res.json().id))!
  t.equal(e.path, '/orders/a%2Fb/%E2%9C%93')
  t.equal(e.query, 'x=1&x=2&y=%20')
  t.ok(e.headers.some(([n, v]) => n.toLowerCase() === 'x-custom' && v === 'v'), 'headers are stored')
  t.equal(e.source, 'shop')
  t.equal(e.remoteAddress, '127.0.0.1')
  const bare = await app.inject({ method: 'POST', url: '/in/shop?z=1', payload: '' })
  t.match(await store.getEvent(bare.json().id), { path: '', query: 'z=1' })
})

t.test('errors are JSON with a code', async (t) => {
  const { app, store } = await setup(t)
  const unknown = await app.inject({ method: 'POST', url: '/in/nope', payload: 'x' })
  t.equal(unknown.statusCode, 404)
  t.match(unknown.json(), { error: 'unknown_source', message: /nope/ })
  const big = await app.inject({ method: 'POST', url: '/in/small', payload: '01234567890' })
  t.equal(big.statusCode, 413)
  t.match(big.json(), { error: 'body_too_large' })
  const overall = await app.inject({ method: 'POST', url: '/in/shop', payload: Buffer.alloc(1_048_577) })
  t.equal(overall.statusCode, 413)
  t.equal(overall.json().error, 'body_too_large')
  t.equal((await app.inject({ method: 'GET', url: '/in/nope' })).json().error, 'unknown_source', 'GET on an unknown source is a 404')
  const get = await app.inject({ method: 'GET', url: '/in/shop' })
  t.equal(get.statusCode, 405)
  t.equal(get.headers.allow, 'POST, PUT, PATCH, DELETE')
  t.equal(get.json().error, 'method_not_allowed')
  const other = await app.inject({ method: 'POST', url: '/elsewhere' })
  t.equal(other.statusCode, 404)
  t.equal(other.json().error, 'not_found')
  t.equal((await store.listEvents({}, { limit: 10 })).items.length, 0, 'nothing was stored')
})

t.test('a chunked body over the source limit is refused after reading', async (t) => {
  const { app } = await setup(t)
  const { Readable } = await import('node:stream')
  const res = await app.inject({
    method: 'POST',
    url: '/in/small',
    headers: { 'transfer-encoding': 'chunked', 'content-type': 'text/plain' },
    payload: Readable.from([Buffer.from('012345'), Buffer.from('6789ab')])
  })
  t.equal(res.statusCode, 413)
})

t.test('signed sources reject bad signatures and store nothing', async (t) => {
  const { app, store } = await setup(t)
  const payload = 'Hello, World!'
  const good = await app.inject({ method: 'POST', url: '/in/gh', headers: await githubHeaders(payload, 'It\'s a Secret to Everybody'), payload })
  t.equal(good.statusCode, 202)
  const bad = await app.inject({ method: 'POST', url: '/in/gh', headers: await githubHeaders(payload, 'wrong'), payload })
  t.equal(bad.statusCode, 401)
  t.match(bad.json(), { error: 'invalid_signature', message: /X-Hub-Signature-256/i })
  const missing = await app.inject({ method: 'POST', url: '/in/gh', payload })
  t.equal(missing.statusCode, 401)
  t.equal((await store.listEvents({}, { limit: 10 })).items.length, 1)
})

t.test('concurrent requests share transactions (group commit)', async (t) => {
  const { app, store, transactions } = await setup(t)
  const results = await Promise.all(Array.from({ length: 100 }, (_, i) =>
    app.inject({ method: 'POST', url: '/in/shop', payload: `{"i":${i}}` })))
  t.ok(results.every((r) => r.statusCode === 202))
  t.ok(transactions() < 100, `${transactions()} transactions for 100 webhooks`)
  t.equal((await store.listEvents({}, { limit: 500 })).items.length, 100)
})

t.test('a full disk answers 503 with Retry-After and writes nothing partial', async (t) => {
  const { app, store } = await setup(t, ['max_page_count = 40'])
  const big = Buffer.alloc(8000, 'x')
  let accepted = 0
  let refused: { statusCode: number, headers: Record<string, unknown>, json: () => { error: string } } | undefined
  for (let i = 0; i < 200 && refused === undefined; i++) {
    const res = await app.inject({ method: 'POST', url: '/in/shop', payload: big })
    if (res.statusCode === 202) accepted++
    else refused = res
  }
  t.ok(refused, 'the disk filled up')
  t.equal(refused!.statusCode, 503)
  t.equal(refused!.headers['retry-after'], '5')
  t.equal(refused!.json().error, 'storage_unavailable')
  const events = await store.listEvents({}, { limit: 500 })
  t.equal(events.items.length, accepted, 'exactly the acknowledged webhooks are stored')
  for (const e of events.items) t.equal((await store.deliveriesOfEvent(e.id)).length, 2, 'each with all its deliveries')
  const ready = await app.inject({ method: 'GET', url: '/readyz' })
  t.ok(ready.statusCode === 200 || ready.statusCode === 503, 'readiness answers either way')
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200)
})

t.test('duplicates get the original id and store nothing', async (t) => {
  const { app, store } = await setup(t)
  const send = (headers: Record<string, string>, payload = '{}', url = '/in/dd') => app.inject({ method: 'POST', url, headers, payload })
  const first = await send({ 'x-github-delivery': 'd-1' })
  const again = await send({ 'x-github-delivery': 'd-1' }, '{"different":"body"}')
  t.equal(again.statusCode, 202)
  t.same(again.json(), { id: first.json().id, duplicate: true })
  t.equal((await store.getEvent(first.json().id))!.duplicates, 1)
  t.not((await send({ 'x-github-delivery': 'd-2' })).json().id, first.json().id)
  t.not((await send({})).json().id, (await send({})).json().id, 'without an id every request is new')
  t.equal((await send({ 'x-github-delivery': 'd-1' }, '{}', '/in/shop')).json().duplicate, undefined, 'sources without dedupe store every request')
  const p1 = await send({}, '{"event":{"id":"E1"}}', '/in/ptr')
  const p2 = await send({}, '{"event":{"id":"E1"},"retry":2}', '/in/ptr')
  t.same(p2.json(), { id: p1.json().id, duplicate: true })
  const concurrent = await Promise.all(Array.from({ length: 10 }, () => send({ 'webhook-id': 'msg_same' })))
  t.equal(new Set(concurrent.map((r) => r.json().id)).size, 1, 'concurrent repeats in one batch collapse to one event')
  t.equal(concurrent.filter((r) => r.json().duplicate === true).length, 9)
})
