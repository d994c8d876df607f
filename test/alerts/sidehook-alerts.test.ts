import { createHmac } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { request } from 'undici'
import { loadConfig } from '../../src/config/load-config.js'
import { startSidehook } from '../../src/sidehook.js'
import { answer, captureLogger, startAlertReceiver, until } from '../helpers/alerts.js'
import { startSmtp } from '../helpers/smtp-server.js'

// The whole path: a config file with ${VAR} secrets, startSidehook's wiring, a webhook that
// keeps failing, and the alert arriving by webhook and by email.
t.test('configured in the file, wired by startSidehook, sent on failure, stopped by close()', async (t) => {
  const dir = t.testdir()
  const app = await startAlertReceiver(t, answer(503))
  const hook = await startAlertReceiver(t)
  const smtp = await startSmtp({ auth: { user: 'mailer', pass: 'smtp-env-pass' } })
  t.teardown(() => smtp.close())
  const file = join(dir, 'sidehook.json')
  writeFileSync(file, JSON.stringify({
    server: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0, token: 'admin-token-123' },
    storage: { path: join(dir, 'outbox.db') },
    targets: { app: { url: app.url, retry: { initialDelayMs: 20, maxDelayMs: 100, maxAttempts: 1000 } } },
    sources: { shop: { targets: ['app'] } },
    alerts: {
      consecutiveFailures: 2,
      channels: {
        webhook: { url: `${hook.url}/alerts`, secret: '${ALERT_WEBHOOK_SECRET}' },
        email: { to: ['oncall@example.com'], from: 'sidehook@example.com' }
      },
      smtp: { url: `smtp://mailer:\${SMTP_PASS}@127.0.0.1:${smtp.port}` }
    }
  }))
  const config = await loadConfig({ file, env: { ALERT_WEBHOOK_SECRET: 'env-webhook-secret', SMTP_PASS: 'smtp-env-pass' } })
  const { logger, text } = captureLogger('info')
  const running = await startSidehook({ config, logger })
  let closed = false
  t.teardown(async () => { if (!closed) await running.close() })

  const res = await request(`${running.ingestUrl}/in/shop`, { method: 'POST', body: '{"id":1}', headers: { 'content-type': 'application/json' } })
  t.equal(res.statusCode, 202)
  await res.body.dump()

  await until(() => hook.received.length >= 1 && smtp.received.length >= 1, 20_000, 'alert by webhook and email')
  const req = hook.received[0]
  const payload = JSON.parse(req.body.toString()) as { type: string, target: string, consecutiveFailures: number }
  t.match(payload, { type: 'target.failing', target: 'app', consecutiveFailures: 2 })
  const [, ts, v1] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(String(req.headers['sidehook-signature']))!
  t.equal(createHmac('sha256', 'env-webhook-secret').update(`${ts}.${req.body.toString()}`).digest('hex'), v1, 'signed with the secret from the environment')
  t.equal(smtp.received[0].user, 'mailer', 'SMTP credentials from the environment')
  t.equal(smtp.received[0].mail.headers.get('subject'), '[Sidehook] app is failing: 2 failed attempts in a row')

  const settings = await request(`${running.adminUrl}/admin/alerts/settings`, { headers: { authorization: 'Bearer admin-token-123' } })
  const body = await settings.body.text()
  t.equal(settings.statusCode, 200)
  t.match(JSON.parse(body), { consecutiveFailures: 2, channels: { webhook: { secret: '***' }, email: { to: ['oncall@example.com'] } } })
  t.notMatch(body, 'env-webhook-secret')
  t.notMatch(body, 'smtp')

  closed = true
  await running.close()
  const log = text()
  t.match(log, 'Shut down cleanly')
  t.notMatch(log, 'env-webhook-secret')
  t.notMatch(log, 'smtp-env-pass')
})
