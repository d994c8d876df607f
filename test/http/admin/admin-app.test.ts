import { join } from 'node:path'
import { pino } from 'pino'
import t, { type Test } from 'tap'
import { buildAdminApp } from '../../../src/http/admin/admin-app.js'
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js'
import type { LeasedDelivery } from '../../../src/store/types.js'
import { testTarget } from '../../helpers/config.js'
import { makeEvent } from '../../helpers/events.js'

const TOKEN = 'test-admin-token'
const auth = { authorization: `Bearer ${TOKEN}` }
const T0 = Date.UTC(2026, 0, 1)

async function setup (t: Test, token = TOKEN) {
  const store = new SqliteStore({ path: join(t.testdir(), 'outbox.db'), durability: 'normal' })
  let wakes = 0
  let now = T0 + 60_000
  const app = buildAdminApp({
    store,
    targets: { app: testTarget('app', 'https://user:secret@app.example.com/hooks'), other: testTarget('other', 'http://127.0.0.1:9') },
    token,
    health: { ready: () => store.checkWritable() },
    logger: pino({ level: 'silent' }),
    wake: () => { wakes++ },
    clock: () => now
  })
  t.teardown(async () => { await app.close(); await store.close() })
  const get = async (url: string) => app.inject({ method: 'GET', url, headers: auth })
  const post = async (url: string, payload?: unknown) => app.inject({ method: 'POST', url, headers: auth, ...(payload === undefined ? {} : { payload: payload as object }) })
  return { app, store, get, post, wakes: () => wakes, setNow: (n: number) => { now = n } }
}

async function failOne (store: SqliteStore, d: LeasedDelivery, status: number) {
  await store.completeAttempts([{
    deliveryId: d.id, owner: 'w', target: d.target, n: d.attempt, startedAt: T0 + 100, durationMs: 12, status,
    error: null, errorMessage: null, retryAfterMs: null, outcome: 'fail', responseHeaders: [['content-type', 'text/plain']],
    responseBody: Buffer.from('Not Found'), nextState: 'failed', nextAttemptAt: null, failReason: 'non_retryable_status',
    holdTargetUntil: null, countsForHealth: true
  }])
}

t.test('every route but health needs the bearer token', async (t) => {
  const { app } = await setup(t)
  for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'Basic dGVzdA==' }, { authorization: `Bearer ${TOKEN}x` }]) {
    const res = await app.inject({ method: 'GET', url: '/admin/targets', headers })
    t.equal(res.statusCode, 401)
    t.equal(res.headers['www-authenticate'], 'Bearer realm="sidehook"')
    t.equal(res.json().error, 'unauthorized')
  }
  t.equal((await app.inject({ method: 'GET', url: '/admin/targets', headers: auth })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/admin/targets', headers: { authorization: `bearer ${TOKEN}` } })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200)
  t.same((await app.inject({ method: 'GET', url: '/readyz' })).json(), { status: 'ready' })
  t.equal((await app.inject({ method: 'GET', url: '/admin/nothing', headers: auth })).json().error, 'not_found')
})

t.test('without a token no auth is asked (the listener is loopback-only)', async (t) => {
  const { app } = await setup(t, '')
  t.equal((await app.inject({ method: 'GET', url: '/admin/targets' })).statusCode, 200)
})

t.test('status codes: one, a fallback, filters, bad input', async (t) => {
  const { get } = await setup(t)
  const one = (await get('/admin/status-codes/503')).json()
  t.match(one, { code: 503, name: 'Service Unavailable', class: '5xx', retryable: true, registered: true, meaning: String, whenToRetry: String, reference: /9110/ })
  t.ok(one.commonCauses.length > 0)
  t.match((await get('/admin/status-codes/521')).json(), { code: 521, registered: false, retryable: true })
  t.match((await get('/admin/status-codes/477')).json(), { code: 477, class: '4xx', registered: false, retryable: false })
  for (const bad of ['600', '99', 'abc', '20x', '1000']) {
    const res = await get(`/admin/status-codes/${bad}`)
    t.equal(res.statusCode, 400, bad)
    t.equal(res.json().error, 'bad_request')
  }
  const fourRetry = (await get('/admin/status-codes?class=4xx&retryable=true')).json().items
  t.same(fourRetry.map((s: { code: number }) => s.code), [408, 429])
  const bad = await get('/admin/status-codes?class=6xx')
  t.equal(bad.statusCode, 400)
  t.match(bad.json().message, /class/)
})

t.test('events and deliveries: lists, filters, pages, details', async (t) => {
  const { store, get } = await setup(t)
  const text = makeEvent({ receivedAt: T0, targets: ['app', 'other'] })
  const binary = makeEvent({ receivedAt: T0 + 1000, body: Buffer.from([0xff, 0x00, 0xfe]), source: 'bin' })
  await store.insertEvents([text, binary])
  const [d] = await store.leaseDue({ owner: 'w', now: T0 + 100, leaseMs: 1000, targets: [{ name: 'app', limit: 1 }] })
  await failOne(store, d, 404)

  const ev = (await get(`/admin/events/${text.id}`)).json()
  t.match(ev, { id: text.id, source: 'sample', method: 'POST', body: '{"hello":"world"}', bodyEncoding: 'utf8', receivedAt: new Date(T0).toISOString() })
  t.equal(ev.deliveries.length, 2)
  t.match((await get(`/admin/events/${binary.id}`)).json(), { body: '/wD+', bodyEncoding: 'base64' })
  t.equal((await get('/admin/events/evt_nope')).statusCode, 404)
  t.same((await get('/admin/events?source=bin')).json().items.map((e: { id: string }) => e.id), [binary.id])

  const detail = (await get(`/admin/deliveries/${d.id}`)).json()
  t.match(detail, {
    id: d.id, eventId: text.id, source: 'sample', target: 'app', state: 'failed', attemptCount: 1,
    nextAttemptAt: null, lastStatus: 404, failReason: 'non_retryable_status',
    lastStatusInfo: { name: 'Not Found', retryable: false },
    attempts: [{ n: 1, status: 404, durationMs: 12, outcome: 'fail', responseBody: 'Not Found', statusInfo: { name: 'Not Found', retryable: false, meaning: String } }]
  })
  t.equal((await get('/admin/deliveries/dlv_nope')).statusCode, 404)

  const failed = (await get('/admin/deliveries?state=failed')).json()
  t.same(failed.items.map((x: { id: string }) => x.id), [d.id])
  t.equal((await get('/admin/deliveries?target=other')).json().items.length, 1)
  t.equal((await get('/admin/deliveries?source=bin')).json().items.length, 1)
  t.equal((await get(`/admin/deliveries?since=${new Date(T0 + 500).toISOString()}`)).json().items.length, 1)
  t.equal((await get(`/admin/deliveries?until=${T0 + 500}`)).json().items.length, 2)
  t.equal((await get('/admin/deliveries?since=30s')).json().items.length, 0, 'relative times count back from now')
  t.equal((await get('/admin/deliveries?since=2m')).json().items.length, 3)

  const p1 = (await get('/admin/deliveries?limit=2')).json()
  t.equal(p1.items.length, 2)
  t.type(p1.nextCursor, 'string')
  const p2 = (await get(`/admin/deliveries?limit=2&cursor=${p1.nextCursor}`)).json()
  t.equal(p2.items.length, 1)
  t.equal(p2.nextCursor, null)

  for (const [url, field] of [['/admin/deliveries?limit=0', 'limit'], ['/admin/deliveries?limit=abc', 'limit'], ['/admin/deliveries?state=done', 'state'], ['/admin/deliveries?cursor=zzz', 'cursor'], ['/admin/deliveries?since=yesterday', 'since'], ['/admin/deliveries?color=red', 'color']]) {
    const res = await get(url)
    t.equal(res.statusCode, 400, url)
    t.match(res.json(), { error: 'bad_request', message: new RegExp(field) }, `${url} names ${field}`)
  }
})

t.test('retry, cancel and bulk retry', async (t) => {
  const { store, post, get, wakes } = await setup(t)
  const events = [0, 1, 2].map((i) => makeEvent({ receivedAt: T0 + i, source: i === 2 ? 'other' : 'sample' }))
  await store.insertEvents(events)
  const leased = await store.leaseDue({ owner: 'w', now: T0 + 10, leaseMs: 1000, targets: [{ name: 'app', limit: 3 }] })
  t.equal((await post(`/admin/deliveries/${leased[0].id}/retry`)).statusCode, 409, 'not while in flight')
  t.equal((await post(`/admin/deliveries/${leased[0].id}/cancel`)).statusCode, 409)
  for (const d of leased) await failOne(store, d, 410)

  const retried = await post(`/admin/deliveries/${leased[0].id}/retry`)
  t.equal(retried.statusCode, 200)
  t.match(retried.json(), { state: 'pending', nextAttemptAt: new Date(T0 + 60_000).toISOString() })
  t.equal(wakes(), 1)
  t.equal((await post('/admin/deliveries/dlv_nope/retry')).statusCode, 404)

  const cancelled = await post(`/admin/deliveries/${leased[0].id}/cancel`)
  t.match(cancelled.json(), { state: 'cancelled' })
  t.equal((await post(`/admin/deliveries/${leased[0].id}/cancel`)).json().state, 'cancelled', 'cancelling twice is harmless')

  t.same((await post('/admin/deliveries/retry', { source: 'other' })).json(), { retried: 1, state: 'failed' })
  t.same((await post('/admin/deliveries/retry')).json(), { retried: 1, state: 'failed' }, 'an empty body retries failed ones')
  t.same((await post('/admin/deliveries/retry', { state: 'cancelled' })).json(), { retried: 1, state: 'cancelled' })
  t.equal((await get('/admin/deliveries?state=pending')).json().items.length, 3)
  const bad = await post('/admin/deliveries/retry', { state: 'in_flight' })
  t.equal(bad.statusCode, 409)
  const typo = await post('/admin/deliveries/retry', { stat: 'failed' })
  t.equal(typo.statusCode, 400)
  t.match(typo.json().message, /unknown field "stat"/)
})

t.test('targets: health, counts, pause and resume', async (t) => {
  const { store, post, get, setNow } = await setup(t)
  await store.insertEvents([makeEvent({ receivedAt: T0, targets: ['app', 'gone'] })])
  const [d] = await store.leaseDue({ owner: 'w', now: T0, leaseMs: 1000, targets: [{ name: 'app', limit: 1 }] })
  await failOne(store, d, 404)
  const list = (await get('/admin/targets')).json().items
  t.same(list.map((x: { name: string }) => x.name), ['app', 'gone', 'other'])
  t.match(list[0], {
    name: 'app', url: 'https://***@app.example.com/hooks', configured: true, state: 'failing', consecutiveFailures: 1,
    lastFailureAt: new Date(T0 + 112).toISOString(), lastStatus: 404, counts: { failed: 1, pending: 0 }
  })
  t.notMatch(JSON.stringify(list), /secret/, 'no credentials leak')
  t.match(list[1], { name: 'gone', configured: false, url: null, counts: { pending: 1 } })
  t.match(list[2], { name: 'other', state: 'healthy', consecutiveFailures: 0 })

  const paused = await post('/admin/targets/other/pause', { durationMs: 60_000 })
  t.match(paused.json(), { name: 'other', state: 'paused', pausedUntil: new Date(T0 + 120_000).toISOString() })
  setNow(T0 + 120_001)
  t.match((await get('/admin/targets')).json().items[2], { state: 'healthy', pausedUntil: null }, 'a timed pause ends')
  t.match((await post('/admin/targets/other/pause')).json(), { state: 'paused', pausedUntil: null })
  t.match((await post('/admin/targets/other/resume')).json(), { state: 'healthy' })
  t.equal((await post('/admin/targets/nope/pause')).statusCode, 404)
  t.equal((await post('/admin/targets/other/pause', { durationMs: -1 })).statusCode, 400)
})

t.test('guessing the token is slowed down per address', async (t) => {
  const { app, setNow } = await setup(t)
  const attempt = (token: string, remoteAddress = '198.51.100.4') =>
    app.inject({ method: 'GET', url: '/admin/targets', headers: { authorization: `Bearer ${token}` }, remoteAddress })
  for (let i = 0; i < 10; i++) t.equal((await attempt(`guess-${i}`)).statusCode, 401)
  const blocked = await attempt(TOKEN)
  t.equal(blocked.statusCode, 429, 'even the right token waits once the address is blocked')
  t.equal(blocked.json().error, 'rate_limited')
  t.ok(Number(blocked.headers['retry-after']) >= 1)
  t.equal((await attempt(TOKEN, '198.51.100.5')).statusCode, 200, 'other addresses are not affected')
  t.equal((await app.inject({ method: 'GET', url: '/healthz', remoteAddress: '198.51.100.4' })).statusCode, 200)
  setNow(T0 + 60_000 + 61_000)
  t.equal((await attempt(TOKEN)).statusCode, 200, 'a minute later it may try again')
})

t.test('the API describes itself without a token, and bad JSON is a 400', async (t) => {
  const { app, post } = await setup(t)
  const spec = await app.inject({ method: 'GET', url: '/admin/openapi.json' })
  t.equal(spec.statusCode, 200)
  const doc = spec.json()
  t.equal(doc.openapi, '3.0.3')
  for (const path of ['/admin/deliveries', '/admin/deliveries/{id}/retry', '/admin/status-codes/{code}', '/admin/targets/{name}/pause', '/admin/events/{id}']) {
    t.ok(doc.paths[path], `${path} is described`)
  }
  t.match(doc.paths['/admin/deliveries'].get, { tags: ['deliveries'], summary: /List deliveries/ })
  t.ok(doc.paths['/admin/deliveries'].get.parameters.some((p: { name: string }) => p.name === 'state'), 'query filters come from the route schema')
  const page = await app.inject({ method: 'GET', url: '/admin/docs/' })
  t.ok(page.statusCode === 200 || page.statusCode === 302, `docs page answers ${page.statusCode}`)
  const bad = await app.inject({ method: 'POST', url: '/admin/deliveries/retry', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"state":' })
  t.equal(bad.statusCode, 400)
  t.match(bad.json(), { error: 'bad_request', message: /not valid JSON/ })
  t.equal((await post('/admin/deliveries/retry', {})).statusCode, 200)
})

t.test('the admin listener has its own rate limit per address', async (t) => {
  const store = new SqliteStore({ path: join(t.testdir(), 'outbox.db'), durability: 'normal' })
  const app = buildAdminApp({
    store, targets: {}, token: TOKEN, health: { ready: async () => {} }, logger: pino({ level: 'silent' }),
    wake: () => {}, rateLimit: { max: 3, timeWindowMs: 60_000 }
  })
  t.teardown(async () => { await app.close(); await store.close() })
  const codes: number[] = []
  let last
  for (let i = 0; i < 4; i++) {
    last = await app.inject({ method: 'GET', url: '/admin/targets', headers: auth })
    codes.push(last.statusCode)
  }
  t.same(codes, [200, 200, 200, 429])
  t.equal(last!.json().error, 'rate_limited')
  t.ok(Number(last!.headers['retry-after']) > 0)
  t.equal((await app.inject({ method: 'GET', url: '/admin/targets', headers: auth, remoteAddress: '192.0.2.9' })).statusCode, 200, 'per address')
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'health is not limited')
})
