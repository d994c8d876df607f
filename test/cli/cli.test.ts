import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { pino } from 'pino'
import t from 'tap'
import { request } from 'undici'
import { runCli } from '../../src/cli/run-cli.js'
import { startSidehook } from '../../src/sidehook.js'
import { testConfig, testSource, testTarget } from '../helpers/config.js'
import { startTarget } from '../helpers/target-server.js'

const BIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url))

async function cli (argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(argv, env, (s) => { stdout += s }, (s) => { stderr += s })
  return { code, stdout, stderr }
}

t.test('inspect and act on deliveries and targets through the admin API', async (t) => {
  const good = await startTarget()
  let fail = true
  const flaky = await startTarget((_r, res) => { res.writeHead(fail ? 404 : 200).end() })
  t.teardown(async () => { await good.close(); await flaky.close() })
  const config = testConfig(join(t.testdir(), 'outbox.db'), [testTarget('good', good.url), testTarget('flaky', flaky.url)], [testSource('s', ['good', 'flaky'])],
    { admin: { host: '127.0.0.1', port: 0, token: 'cli-token', maxFailedAuthPerMinute: 100, rateLimit: null } })
  const running = await startSidehook({ config, logger: pino({ level: 'silent' }) })
  t.teardown(() => running.close())
  const env = { SIDEHOOK_ADMIN_URL: running.adminUrl, SIDEHOOK_ADMIN_TOKEN: 'cli-token' }
  const res = await request(`${running.ingestUrl}/in/s`, { method: 'POST', body: '{}' })
  const accepted = await res.body.json() as { deliveries: Array<{ id: string, target: string }> }
  const failedId = accepted.deliveries.find((d) => d.target === 'flaky')!.id
  await flaky.waitFor(1)
  await good.waitFor(1)
  for (let i = 0; i < 100 && (await cli(['deliveries', '--state', 'failed', '--json'], env)).stdout.includes(failedId) === false; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }

  const list = await cli(['deliveries', '--state', 'failed'], env)
  t.equal(list.code, 0)
  t.match(list.stdout, /^ID\s+STATE\s+TARGET/)
  t.match(list.stdout, new RegExp(`${failedId}\\s+failed\\s+flaky\\s+s\\s+1\\s+404 Not Found`))
  const asJson = JSON.parse((await cli(['deliveries', '--target', 'good', '--json'], env)).stdout)
  t.equal(asJson.items.length, 1)
  t.equal(asJson.items[0].state, 'succeeded')

  const one = await cli(['delivery', failedId], env)
  t.match(one.stdout, /failed \(non_retryable_status\)/)
  t.match(one.stdout, /404 Not Found\s+fail/)

  const targets = await cli(['targets'], env)
  t.match(targets.stdout, /flaky\s+failing\s+1/)
  t.match(targets.stdout, /good\s+healthy\s+0/)

  t.match((await cli(['pause', 'good', '--for', '10m'], env)).stdout, /good is paused until 20\d\d-/)
  t.match((await cli(['resume', 'good'], env)).stdout, /good is healthy/)

  fail = false
  const bulk = await cli(['retry', '--state', 'failed', '--target', 'flaky'], env)
  t.equal(bulk.code, 0)
  t.match(bulk.stderr, /Retrying deliveries \(state=failed target=flaky\)/)
  t.match(bulk.stdout, /^1 failed deliveries are pending again/)
  await flaky.waitFor(2)
  const single = await cli(['retry', failedId], env)
  t.ok(single.code === 0 || /being attempted/.test(single.stderr), 'a single retry works or says why not')

  const wrong = await cli(['targets'], { ...env, SIDEHOOK_ADMIN_TOKEN: 'nope' })
  t.equal(wrong.code, 4)
  t.match(wrong.stderr, /refused the token/)
  const missing = await cli(['delivery', 'dlv_nope'], env)
  t.equal(missing.code, 1)
  t.match(missing.stderr, /No delivery dlv_nope \(not_found\)/)
})

t.test('offline commands, usage errors and help', async (t) => {
  const sc = await cli(['status-code', '503'])
  t.equal(sc.code, 0)
  t.match(sc.stdout, /^503 Service Unavailable/)
  t.match(sc.stdout, /Retried by default: yes/)
  t.match(sc.stdout, /Common causes\n {2}- /)
  t.match((await cli(['status-code', '521'])).stdout, /Cloudflare, not IANA-registered/)
  t.equal(JSON.parse((await cli(['status-code', '404', '--json'])).stdout).retryable, false)
  t.equal((await cli(['status-code', '999'])).code, 2)
  t.equal((await cli(['status-code'])).code, 2)
  t.equal((await cli(['frobnicate'])).code, 2)
  t.equal((await cli(['deliveries', '--colour', 'red'])).code, 2)
  t.equal((await cli(['retry'])).code, 2, 'retry needs an id or filters')
  t.equal((await cli(['pause', 'x', '--for', 'soon'])).code, 2)
  for (const c of ['serve', 'check-config', 'status-code', 'deliveries', 'delivery', 'retry', 'targets', 'pause', 'resume']) {
    const h = await cli([c, '--help'])
    t.equal(h.code, 0, `${c} --help`)
    t.match(h.stdout, /Usage: sidehook /)
  }
  const down = await cli(['targets'], { SIDEHOOK_ADMIN_URL: 'http://127.0.0.1:9' })
  t.equal(down.code, 3)
  t.match(down.stderr, /Cannot reach the admin API/)
})

t.test('check-config reports every problem and exits 1', async (t) => {
  const dir = t.testdir()
  const bad = join(dir, 'bad.json')
  writeFileSync(bad, JSON.stringify({ targets: { app: { url: 'ftp://x', timeoutMS: 1 } }, sources: { s: { targets: ['nope'] } } }))
  const res = await cli(['check-config', bad])
  t.equal(res.code, 1)
  t.match(res.stdout, /targets\.app\.url/)
  t.match(res.stdout, /targets\.app\.timeoutMS: unknown key; did you mean 'timeoutMs'\?/)
  t.match(res.stdout, /sources\.s\.targets\[0\]/)
  const good = join(dir, 'good.json')
  writeFileSync(good, JSON.stringify({ targets: { app: { url: 'http://127.0.0.1:3000' } }, sources: { s: { targets: ['app'] } } }))
  const ok = await cli(['check-config', good])
  t.equal(ok.code, 0)
  t.match(ok.stdout, /Config is valid: 1 source\(s\), 1 target\(s\)/)
})

t.test('the built binary runs', async (t) => {
  const run = promisify(execFile)
  const { stdout } = await run(process.execPath, [BIN, 'status-code', '418'])
  t.match(stdout, /^418 /)
  await t.rejects(run(process.execPath, [BIN, 'status-code', 'abc']), { code: 2 })
})
