import { join } from 'node:path'
import { pino } from 'pino'
import t from 'tap'
import { request } from 'undici'
import { startSidehook } from '../src/sidehook.js'
import { testConfig, testSource, testTarget } from './helpers/config.js'
import { startTarget } from './helpers/target-server.js'

/** The value of one sample line, e.g. metric('sidehook_x_total{a="b"}'). */
function sample (text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

t.test('/metrics counts webhooks, attempts and the outbox', async (t) => {
  const ok = await startTarget()
  const broken = await startTarget((_r, res) => { res.writeHead(404).end() })
  t.teardown(async () => { await ok.close(); await broken.close() })
  const dir = t.testdir()
  const config = testConfig(join(dir, 'outbox.db'), [testTarget('ok', ok.url), testTarget('broken', broken.url)], [
    testSource('s', ['ok', 'broken'], { dedupe: { mode: 'auto', windowMs: 60_000 } }),
    testSource('signed', ['ok'], { verify: { scheme: 'github', secrets: ['secret-x'] } })
  ], { admin: { host: '127.0.0.1', port: 0, token: 'metrics-token', maxFailedAuthPerMinute: 10, rateLimit: null } })
  const running = await startSidehook({ config, logger: pino({ level: 'silent' }) })
  t.teardown(() => running.close())

  const post = async (path: string, headers: Record<string, string> = {}) => {
    const res = await request(`${running.ingestUrl}${path}`, { method: 'POST', body: '{}', headers })
    await res.body.dump()
    return res.statusCode
  }
  t.equal(await post('/in/s', { 'x-github-delivery': 'one' }), 202)
  t.equal(await post('/in/s', { 'x-github-delivery': 'one' }), 202)
  t.equal(await post('/in/nope'), 404)
  t.equal(await post('/in/other-made-up-name'), 404)
  t.equal(await post('/in/signed'), 401)
  await ok.waitFor(1)
  await broken.waitFor(1)

  const scrape = async () => {
    const res = await request(`${running.adminUrl}/metrics`, { headers: { authorization: 'Bearer metrics-token' } })
    t.match(res.headers['content-type'], /text\/plain/)
    return res.body.text()
  }
  let text = await scrape()
  for (let i = 0; i < 50 && sample(text, 'sidehook_delivery_attempts_total{target="broken",outcome="fail",status_class="4xx"}') === undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    text = await scrape()
  }
  t.equal(sample(text, 'sidehook_webhooks_received_total{source="s",result="accepted",reason=""}'), 1)
  t.equal(sample(text, 'sidehook_webhooks_received_total{source="s",result="duplicate",reason=""}'), 1)
  t.equal(sample(text, 'sidehook_webhooks_received_total{source="",result="rejected",reason="unknown_source"}'), 2,
    'names that are no source share one series: a sender cannot create series without bound')
  t.notOk(text.includes('source="nope"'))
  t.equal(sample(text, 'sidehook_webhooks_received_total{source="signed",result="rejected",reason="invalid_signature"}'), 1)
  t.equal(sample(text, 'sidehook_ingest_ack_duration_seconds_count{source="s"}'), 2)
  t.equal(sample(text, 'sidehook_delivery_attempts_total{target="ok",outcome="success",status_class="2xx"}'), 1)
  t.equal(sample(text, 'sidehook_delivery_attempts_total{target="broken",outcome="fail",status_class="4xx"}'), 1)
  t.equal(sample(text, 'sidehook_delivery_attempt_duration_seconds_count{target="ok"}'), 1)
  t.equal(sample(text, 'sidehook_outbox_deliveries{target="broken",state="failed"}'), 1)
  t.equal(sample(text, 'sidehook_outbox_deliveries{target="ok",state="succeeded"}'), 1)
  t.equal(sample(text, 'sidehook_outbox_oldest_pending_age_seconds{target="ok"}'), 0)
  t.ok((sample(text, 'sidehook_process_resident_memory_bytes') ?? 0) > 0, 'process metrics are there')
  // An alert test through a webhook channel that is down counts as a failed send.
  const put = await request(`${running.adminUrl}/admin/alerts/settings`, {
    method: 'PUT',
    headers: { authorization: 'Bearer metrics-token', 'content-type': 'application/json' },
    body: JSON.stringify({ channels: { webhook: { url: 'http://127.0.0.1:9/down' } } })
  })
  t.equal(put.statusCode, 200)
  await put.body.dump()
  const test = await request(`${running.adminUrl}/admin/alerts/test`, { method: 'POST', headers: { authorization: 'Bearer metrics-token' } })
  await test.body.dump()
  t.equal(sample(await scrape(), 'sidehook_alerts_sent_total{channel="webhook",result="failed"}'), 1)
  const denied = await request(`${running.adminUrl}/metrics`)
  t.equal(denied.statusCode, 401, 'the token is required')
  await denied.body.dump()
})
