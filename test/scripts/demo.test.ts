import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

// `npm run demo -- --once`: the whole story plays out and the process ends by itself.
const REPO = fileURLToPath(new URL('../..', import.meta.url))

function runDemo (): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(REPO, 'scripts', 'demo.ts'), '--once'],
      { cwd: REPO, timeout: 60_000, killSignal: 'SIGKILL', env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) => resolve({ code: err === null ? 0 : (err as { code?: number }).code ?? null, stdout, stderr }))
  })
}

t.test('the demo tells the whole story and exits 0 with --once', async (t) => {
  const { code, stdout, stderr } = await runDemo()
  t.equal(code, 0, code === 0 ? 'exits 0' : `exits 0; stderr: ${stderr.slice(-2000)}\nstdout: ${stdout.slice(-2000)}`)
  const line = (re: RegExp) => stdout.split('\n').find((l) => re.test(l))
  const at = (re: RegExp) => stdout.split('\n').findIndex((l) => re.test(l))

  t.ok(line(/→ sent\s+stripe\s+.*202 Accepted\s+evt_\S+ stored, 2 deliveries: orders-app, flaky-app/), 'the signed Stripe webhook is accepted with two deliveries')
  t.ok(line(/→ sent\s+shop\s+.*202 Accepted/), 'the shop webhook is accepted')
  t.ok(line(/→ sent\s+stripe\s+.*duplicate of evt_/), 'the repeated Stripe event is recognised as a duplicate')
  t.ok(line(/⇢ orders-app\s+got POST \/webhooks payment_intent\.succeeded .*Stripe-Signature passed through/), 'orders-app sees the forwarded request')
  t.ok(line(/✓ delivered\s+orders-app\s+dlv_\S+\s+200 OK \(attempt 1\)/), 'a delivery to orders-app')

  const retry = at(/↻ retry\s+flaky-app\s+dlv_\S+\s+503 Service Unavailable, Retry-After 2 s → next at \d\d:\d\d:\d\d \(attempt 1\)/)
  const delivered = at(/✓ delivered\s+flaky-app\s+dlv_\S+\s+200 OK \(attempt 3\)/)
  t.ok(retry >= 0, 'flaky-app is retried as its Retry-After says')
  t.ok(line(/↻ retry\s+flaky-app\s+.*\(attempt 2\)/), 'and a second time')
  t.ok(delivered > retry && retry >= 0, 'then delivered on the third attempt')

  t.ok(line(/✗ failed\s+gone-app\s+dlv_\S+\s+404 Not Found: Nothing answers at that URL/), 'the 404 failure of gone-app with its meaning')
  t.ok(line(/✗ rejected\s+stripe\s+.*401 invalid_signature/), 'the wrongly signed webhook gets 401')

  t.match(stdout, /Summary/)
  t.match(stdout, /orders-app\s+healthy\s+2\s+0\s+0\s+200 OK/, 'summary: orders-app delivered 2')
  t.match(stdout, /flaky-app\s+healthy\s+1\s+0\s+0\s+200 OK/, 'summary: flaky-app delivered 1')
  t.match(stdout, /gone-app\s+\S+\s+0\s+1\s+0\s+404 Not Found/, 'summary: gone-app failed 1')
  t.match(stdout, /Webhooks: 2 stored, 1 duplicate recognised, 1 rejected\. Deliveries: 3 delivered, 1 failed\./)
  t.match(stdout, /Where to look/)
  t.match(stdout, /Web console\s+http:\/\/127\.0\.0\.1:\d+\/console\//)
  t.match(stdout, /SIDEHOOK_ADMIN_TOKEN=demo_[0-9a-f]+/)
  t.match(stdout, /npm run sidehook -- deliveries --state failed/)
  t.notMatch(stdout, /"level":/, 'no JSON log lines on stdout')
})
