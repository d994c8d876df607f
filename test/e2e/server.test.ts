import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { request } from 'undici'
import { MAIN, ServerProcess, writeConfig } from '../helpers/spawn-server.js'
import { startTarget, type Responder, type TargetServer } from '../helpers/target-server.js'

if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first (npm test does)`)

const TOKEN = 'e2e-token'
const fastRetry = { initialDelayMs: 200, multiplier: 2, maxDelayMs: 1000, jitter: 0, maxAttempts: 10 }

async function target (t: Test, respond?: Responder): Promise<TargetServer> {
  const s = await startTarget(respond)
  t.teardown(() => s.close())
  return s
}

async function start (t: Test, configPath: string, env: Record<string, string> = { SIDEHOOK_ADMIN_TOKEN: TOKEN }) {
  const server = new ServerProcess(configPath, { LOG_LEVEL: 'info', ...env })
  t.teardown(async () => { if (server.child.exitCode === null) await server.kill('SIGKILL') })
  const urls = await server.ready()
  const admin = async (path: string, method: 'GET' | 'POST' = 'GET') => {
    const res = await request(`${urls.admin}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` } })
    return { status: res.statusCode, body: await res.body.json() as Record<string, any> }
  }
  const send = async (path: string, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
    const res = await request(`${urls.ingest}${path}`, { method: 'POST', body, headers })
    return { status: res.statusCode, body: await res.body.json() as Record<string, any> }
  }
  return { server, urls, admin, send }
}

async function until<T> (fn: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v !== undefined && v !== false) return v
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

t.test('200 succeeds; the forwarded request is the original', async (t) => {
  const app = await target(t)
  const cfg = writeConfig(t.testdir(), { targets: { app: { url: `${app.url}/hooks` } }, sources: { shop: { targets: ['app'] } } })
  const { send, admin, server } = await start(t, cfg)
  const body = Buffer.from([0x7b, 0xff, 0x00, 0x7d])
  const res = await send('/in/shop/orders?id=7', body, { 'content-type': 'application/octet-stream', 'X-Case-Kept': 'yes' })
  t.equal(res.status, 202)
  await app.waitFor(1)
  const got = app.received[0]
  t.equal(got.url, '/hooks/orders?id=7')
  t.same(got.body, body)
  t.ok(got.rawHeaders.includes('X-Case-Kept'), 'header name case survives')
  t.equal(got.headers['sidehook-event-id'], res.body.id)
  const d = await until(async () => { const r = await admin(`/admin/deliveries/${res.body.deliveries[0].id}`); return r.body.state === 'succeeded' && r.body })
  t.match(d, { attemptCount: 1, lastStatus: 200, attempts: [{ n: 1, status: 200, outcome: 'success', statusInfo: { name: 'OK' } }] })
  const exit = await server.kill('SIGTERM')
  t.equal(exit.code, 0, 'SIGTERM exits cleanly')
  t.ok(server.lines.some((l) => l.msg === 'Shut down cleanly'))
})

t.test('503 with Retry-After: 1 is retried no earlier than a second later', async (t) => {
  let n = 0
  const app = await target(t, (_r, res) => { n++; if (n === 1) res.writeHead(503, { 'Retry-After': '1' }).end(); else res.writeHead(200).end() })
  const cfg = writeConfig(t.testdir(), { targets: { app: { url: app.url, retry: fastRetry } }, sources: { s: { targets: ['app'] } } })
  const { send, admin } = await start(t, cfg)
  const res = await send('/in/s', '{}')
  await app.waitFor(2)
  const gap = app.received[1].at - app.received[0].at
  t.ok(gap >= 950, `retried after ${gap} ms`)
  const d = await until(async () => { const r = await admin(`/admin/deliveries/${res.body.deliveries[0].id}`); return r.body.state === 'succeeded' && r.body })
  t.match(d.attempts, [{ status: 503, retryAfterMs: 1000, outcome: 'retry', statusInfo: { retryable: true } }, { status: 200 }])
})

t.test('404 fails after one attempt and the admin API explains it; a manual retry works', async (t) => {
  let code = 404
  const app = await target(t, (_r, res) => { res.writeHead(code).end('no route') })
  const cfg = writeConfig(t.testdir(), { targets: { app: { url: app.url, retry: fastRetry } }, sources: { s: { targets: ['app'] } } })
  const { send, admin } = await start(t, cfg)
  const res = await send('/in/s', '{}')
  const id = res.body.deliveries[0].id
  const d = await until(async () => { const r = await admin(`/admin/deliveries/${id}`); return r.body.state === 'failed' && r.body })
  t.match(d, { attemptCount: 1, failReason: 'non_retryable_status', attempts: [{ status: 404, responseBody: 'no route', statusInfo: { name: 'Not Found', retryable: false, meaning: /./ } }] })
  const explained = await admin('/admin/status-codes/404')
  t.ok(explained.body.commonCauses.length > 0)
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.equal(app.received.length, 1, 'never retried on its own')
  code = 200
  t.equal((await admin(`/admin/deliveries/${id}/retry`, 'POST')).status, 200)
  await until(async () => (await admin(`/admin/deliveries/${id}`)).body.state === 'succeeded')
  t.equal(app.received.length, 2)
})

t.test('a target that hangs is timed out and retried', async (t) => {
  let n = 0
  const app = await target(t, (_r, res) => { n++; if (n > 1) res.writeHead(204).end() })
  const cfg = writeConfig(t.testdir(), { targets: { app: { url: app.url, timeoutMs: 500, retry: fastRetry } }, sources: { s: { targets: ['app'] } } })
  const { send, admin } = await start(t, cfg)
  const res = await send('/in/s', '{}')
  const d = await until(async () => { const r = await admin(`/admin/deliveries/${res.body.deliveries[0].id}`); return r.body.state === 'succeeded' && r.body })
  t.match(d.attempts, [{ status: null, error: 'timeout', outcome: 'retry' }, { status: 204, outcome: 'success' }])
  t.ok(d.attempts[0].durationMs >= 450 && d.attempts[0].durationMs < 3000, `timed out after ${d.attempts[0].durationMs} ms`)
})

t.test('a restart in between loses nothing', async (t) => {
  const dir = t.testdir()
  let up = false
  const app = await target(t, (_r, res) => { res.writeHead(up ? 200 : 503).end() })
  const cfg = writeConfig(dir, { targets: { app: { url: app.url, retry: { ...fastRetry, initialDelayMs: 300 } } }, sources: { s: { targets: ['app'] } } })
  const first = await start(t, cfg)
  const ids: string[] = []
  for (let i = 0; i < 20; i++) {
    const r = await first.send('/in/s', JSON.stringify({ i }))
    t.equal(r.status, 202)
    ids.push(r.body.deliveries[0].id)
  }
  await app.waitFor(20)
  t.equal((await first.server.kill('SIGTERM')).code, 0)
  up = true
  const second = await start(t, cfg)
  await until(async () => {
    const r = await second.admin('/admin/deliveries?state=succeeded&limit=100')
    return r.body.items.length === 20
  })
  const delivered = new Set(app.received.filter((r) => r.headers['sidehook-delivery-id'] !== undefined).map((r) => r.headers['sidehook-delivery-id']))
  t.same([...ids].filter((id) => !delivered.has(id)), [], 'every acknowledged webhook reached the target')
  t.ok(existsSync(join(dir, 'outbox.db')))
})

t.test('without an admin token the admin API binds to loopback and says so', async (t) => {
  const app = await target(t)
  const cfg = writeConfig(t.testdir(), { admin: { host: '0.0.0.0', port: 0 }, targets: { app: { url: app.url } }, sources: { s: { targets: ['app'] } } })
  const { server, urls } = await start(t, cfg, {})
  t.match(urls.admin, /^http:\/\/127\.0\.0\.1:/)
  t.ok(server.lines.some((l) => /No admin token/.test(l.msg) && l.level === 40))
  const res = await request(`${urls.admin}/admin/targets`)
  t.equal(res.statusCode, 200)
  await res.body.dump()
})

t.test('a bad config is reported whole and exits 1', async (t) => {
  const cfg = writeConfig(t.testdir(), { targets: { app: { url: 'ftp://x', timeoutMS: 5 } }, sources: { s: { targets: ['nope'] } } })
  const server = new ServerProcess(cfg)
  const exit = await server.exited
  t.equal(exit.code, 1)
  t.match(server.stderr, /targets\.app\.url/)
  t.match(server.stderr, /targets\.app\.timeoutMS/)
  t.match(server.stderr, /sources\.s\.targets\[0\]/)
})
