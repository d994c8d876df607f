import { join } from 'node:path'
import { pino } from 'pino'
import t from 'tap'
import { request } from 'undici'
import { startSidehook } from '../src/sidehook.js'
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js'
import { testConfig, testSource, testTarget } from './helpers/config.js'
import { startTarget } from './helpers/target-server.js'

async function post (url: string, body: Buffer) {
  const res = await request(url, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } })
  return { status: res.statusCode, headers: res.headers, body: await res.body.json() as Record<string, unknown> }
}

async function get (url: string) {
  const res = await request(url)
  await res.body.dump()
  return res.statusCode
}

t.test('a full disk: 503 with Retry-After, nothing partial, stored ones still go out, recovery by itself', async (t) => {
  const dir = t.testdir()
  let open = false
  const release: Array<() => void> = []
  // The target holds its answers until we let go, so deliveries are in flight while the disk is full.
  const app = await startTarget((_r, res) => { if (open) res.writeHead(200).end(); else release.push(() => res.writeHead(200).end()) })
  t.teardown(() => app.close())
  const store = new SqliteStore({ path: join(dir, 'outbox.db'), durability: 'full', pragmas: ['max_page_count = 60'] })
  const config = testConfig(join(dir, 'outbox.db'), [testTarget('app', app.url, { concurrency: 64 })], [testSource('s', ['app'])])
  const running = await startSidehook({ config, logger: pino({ level: 'silent' }), store })
  t.teardown(() => running.close())

  const body = Buffer.alloc(6000, 'w')
  const accepted: string[] = []
  let refused: Awaited<ReturnType<typeof post>> | undefined
  while (refused === undefined && accepted.length < 500) {
    const r = await post(`${running.ingestUrl}/in/s`, body)
    if (r.status === 202) accepted.push(r.body.id as string)
    else refused = r
  }
  t.ok(refused, `the disk filled after ${accepted.length} webhooks`)
  t.equal(refused!.status, 503)
  t.equal(refused!.headers['retry-after'], '5')
  t.equal(refused!.body.error, 'storage_unavailable')
  t.equal(await get(`${running.ingestUrl}/readyz`), 503, 'readiness reports it on the ingest listener')
  t.equal(await get(`${running.adminUrl}/readyz`), 503, 'and on the admin listener')
  t.equal(await get(`${running.ingestUrl}/healthz`), 200, 'the process itself is alive')
  const stored = await store.listEvents({}, { limit: 1000 })
  t.same(stored.items.map((e) => e.id).sort(), [...accepted].sort(), 'exactly the acknowledged webhooks are stored')

  await app.waitFor(accepted.length)
  t.pass('everything stored before the fault reached the target while the disk was full')

  // Space comes back.
  store.db.$client.pragma('max_page_count = 1000000')
  open = true
  for (const r of release.splice(0)) r()
  t.equal(await get(`${running.ingestUrl}/readyz`), 200, 'ready again without a restart')
  const after = await post(`${running.ingestUrl}/in/s`, body)
  t.equal(after.status, 202)
  await app.waitFor(accepted.length + 1)
})
