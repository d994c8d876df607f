import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { pino } from 'pino'
import t, { type Test } from 'tap'
import { buildAdminApp } from '../../src/http/admin/admin-app.js'
import { startSidehook } from '../../src/sidehook.js'
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { signatureHeader } from '../../src/alerts/webhook-payload.js'
import { DEFAULTS } from '../../src/config/defaults.js'
import { testConfig, testSource, testTarget } from '../helpers/config.js'
import { startTarget } from '../helpers/target-server.js'

const TOKEN = 'console-test-token'
const CHROMIUM = '/usr/bin/chromium'

async function adminApp (t: Test, token = TOKEN) {
  const store = new SqliteStore({ path: join(t.testdir(), 'outbox.db'), durability: 'normal' })
  const app = buildAdminApp({
    store,
    targets: { app: testTarget('app', 'http://127.0.0.1:9') },
    token,
    health: { ready: () => store.checkWritable() },
    logger: pino({ level: 'silent' }),
    wake: () => {}
  })
  t.teardown(async () => { await app.close(); await store.close() })
  return app
}

t.test('the console files are served without the token; the API still needs it', async (t) => {
  const app = await adminApp(t)
  const redirect = await app.inject({ method: 'GET', url: '/console' })
  t.equal(redirect.statusCode, 302)
  t.equal(redirect.headers.location, '/console/')

  const index = await app.inject({ method: 'GET', url: '/console/' })
  t.equal(index.statusCode, 200)
  t.match(index.headers['content-type'], /^text\/html/)
  t.match(index.body, /<script type="module" src="app.js">/)
  t.match(index.headers['content-security-policy'], /default-src 'self'/)
  t.equal(index.headers['x-content-type-options'], 'nosniff')
  t.equal((await app.inject({ method: 'GET', url: '/console/index.html' })).body, index.body)

  const js = await app.inject({ method: 'GET', url: '/console/app.js' })
  t.equal(js.statusCode, 200)
  t.match(js.headers['content-type'], /^text\/javascript/)
  t.notMatch(js.body, /innerHTML/, 'data never goes in as markup')
  t.match((await app.inject({ method: 'GET', url: '/console/style.css' })).headers['content-type'], /^text\/css/)
  t.match((await app.inject({ method: 'GET', url: '/console/favicon.svg' })).headers['content-type'], /^image\/svg\+xml/)

  for (const url of ['/console/..%2fpackage.json', '/console/../package.json', '/console/%2e%2e/package.json',
    '/console/..%5cpackage.json', '/console/nope.js', '/console/app.js.map', '/console/.hidden.js', '/console/sub/app.js']) {
    const res = await app.inject({ method: 'GET', url })
    t.not(res.statusCode, 200, url)
    t.notMatch(res.body, /"name": "sidehook"/, url)
  }
  t.equal((await app.inject({ method: 'GET', url: '/console/..%2fpackage.json' })).statusCode, 404)

  t.equal((await app.inject({ method: 'GET', url: '/admin/targets' })).statusCode, 401)
  t.equal((await app.inject({ method: 'GET', url: '/admin/deliveries' })).statusCode, 401)
  t.equal((await app.inject({ method: 'GET', url: '/admin/targets', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode, 200)
  const spec = (await app.inject({ method: 'GET', url: '/admin/openapi.json' })).json() as { paths: Record<string, unknown> }
  t.notOk(Object.keys(spec.paths).some((p) => p.startsWith('/console')), 'the console is not part of the API description')
})

function checkPng (t: Test, path: string): void {
  const bytes = readFileSync(path)
  t.same([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${path} is a PNG`)
  t.ok(statSync(path).size > 5000, `${path} has content (${statSync(path).size} bytes)`)
}

const noBrowser = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium); the browser test needs it`

t.test('the console in a real headless Chromium', { skip: noBrowser }, async (t) => {
  const { chromium } = await import('playwright-core')
  const dir = t.testdir()
  const target = await startTarget((_r, res) => { res.writeHead(404, { 'content-type': 'text/plain' }).end('no such hook') })
  t.teardown(() => target.close())
  const receiver = await startTarget()
  t.teardown(() => receiver.close())
  const config = testConfig(join(dir, 'sidehook.db'), [testTarget('app', target.url)], [testSource('shop', ['app'])], {
    admin: { ...DEFAULTS.admin, host: '127.0.0.1', port: 0, token: TOKEN }
  })
  const running = await startSidehook({ config, logger: pino({ level: 'silent' }) })
  t.teardown(() => running.close())

  const ingest = await fetch(`${running.ingestUrl}/in/shop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"order":1}' })
  t.equal(ingest.status, 202)
  await target.waitFor(1)
  const adminGet = async (path: string) => (await fetch(`${running.adminUrl}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json() as Promise<any>
  let failed: { id: string } | undefined
  for (let i = 0; i < 100 && failed === undefined; i++) {
    failed = (await adminGet('/admin/deliveries?state=failed')).items[0]
    if (failed === undefined) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  if (failed === undefined) throw new Error('the delivery did not fail')

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
  t.teardown(() => browser.close())
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  page.setDefaultTimeout(10_000)
  const errors: string[] = []
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()) })
  page.on('pageerror', (err) => { errors.push(err.message) })
  const shot = async (name: string) => {
    const path = join(dir, `${name}.png`)
    await page.screenshot({ path, fullPage: true })
    checkPng(t, path)
  }

  // Login: a wrong token is refused and nothing is stored; the right one lands on deliveries.
  await page.goto(`${running.adminUrl}/console`)
  await page.waitForSelector('#token')
  t.equal(page.url(), `${running.adminUrl}/console/#/login`)
  await page.fill('#token', 'wrong')
  await page.press('#token', 'Enter')
  await page.getByText('That token was not accepted.').waitFor()
  t.equal(await page.evaluate('sessionStorage.length'), 0)
  t.ok(errors.every((e) => /status of 401/.test(e)), 'only the refused login shows as an error')
  errors.length = 0
  await shot('login')
  await page.fill('#token', TOKEN)
  await page.click('button[type=submit]')
  await page.waitForURL(/#\/deliveries$/)

  // Deliveries: the failed one is listed with its status name.
  const row = page.locator(`#deliveries tr[data-id="${failed.id}"]`)
  await row.waitFor()
  t.match(await row.textContent(), /failed.*app.*shop.*404 Not Found/s)
  await page.selectOption('select[name=state]', 'succeeded')
  await page.getByText('No delivery matches.').waitFor()
  await page.selectOption('select[name=state]', 'failed')
  await row.waitFor()
  await page.check('input[name=live]')
  await shot('deliveries')

  // One delivery: attempts with the status meaning; retry shows the new state, then a second attempt.
  await row.click()
  await page.waitForURL(new RegExp(`#/deliveries/${failed.id}$`))
  await page.locator('#delivery-state').getByText('failed').waitFor()
  t.match(await page.locator('main table').textContent(), /404 Not Found/)
  t.equal(await page.locator('main table tbody tr').count(), 1)
  await page.click('#retry')
  await page.getByText(/Delivery retried: now (pending|in flight)/).waitFor()
  await page.locator('main table tbody tr').nth(1).waitFor()
  await page.locator('#delivery-state').getByText('failed').waitFor()
  t.equal(target.received.length, 2, 'the retry reached the target')
  await shot('delivery')

  // Targets: pause then resume.
  await page.click('nav a[href="#/targets"]')
  const app = page.locator('#targets tr[data-target="app"]')
  await app.locator('button.pause').waitFor()
  await app.locator('input.minutes').fill('30')
  await app.locator('button.pause').click()
  await app.locator('.target-state').getByText('paused').waitFor()
  t.match(await app.locator('.target-state').textContent(), /until \d{4}-/)
  t.equal((await adminGet('/admin/targets')).items[0].state, 'paused')
  await shot('targets')
  await app.locator('button.resume').click()
  await app.locator('button.pause').waitFor()
  t.not((await adminGet('/admin/targets')).items[0].state, 'paused')

  // Status codes: type a code, see its entry; the table filters as you type.
  await page.click('nav a[href="#/status-codes"]')
  await page.locator('#status-table tbody tr').nth(10).waitFor()
  t.equal(await page.evaluate('document.activeElement?.id'), 'code', 'the code field has the focus')
  await page.keyboard.type('503')
  await page.locator('#status-entry').getByText('Service Unavailable').waitFor()
  const entry = await page.locator('#status-entry').textContent()
  t.match(entry, /503/)
  t.match(entry, /retried/)
  t.match(entry, /When to retry/)
  t.match(entry, /Common causes/)
  t.equal(await page.locator('#status-table tbody tr').count(), 1)
  await page.keyboard.press('Escape')
  await page.keyboard.type('too many')
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('Enter')
  await page.locator('#status-entry').getByText('Too Many Requests').waitFor()
  await shot('status-codes')

  // Alerts: the form loads, saves, and shows the API's 400 message.
  await page.click('nav a[href="#/alerts"]')
  await page.locator('#alert-consecutiveFailures').waitFor()
  // Polled from here: waitForFunction evaluates strings in the page, which the console's CSP forbids.
  for (let i = 0; i < 200 && await page.inputValue('#alert-consecutiveFailures') === ''; i++) await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(await page.inputValue('#alert-consecutiveFailures'), '5')
  await page.fill('#alert-consecutiveFailures', '3')
  await page.fill('#alert-webhookUrl', `${receiver.url}/alerts`)
  await page.fill('#alert-webhookSecret', 'alert-signing-secret')
  await page.click('#save-alerts')
  await page.getByText('Alert settings saved.').waitFor()
  t.equal(await page.inputValue('#alert-webhookSecret'), '***', 'the stored secret comes back masked')
  const saved = await adminGet('/admin/alerts/settings')
  t.match(saved, { consecutiveFailures: 3, channels: { webhook: { url: `${receiver.url}/alerts`, secret: '***' } } })
  await page.click('#save-alerts')
  await page.getByText('Alert settings saved.').waitFor()
  await page.click('#test-alert')
  await page.locator('#test-results li').getByText('webhook').waitFor()
  t.match(await page.locator('#test-results').textContent(), /webhook\s*sent/, 'per-channel result of the test alert')
  // Saved twice, the second time with the masked value: the alert is still signed with the real secret.
  const alert = receiver.received[0]
  const stamp = /^t=(\d+),/.exec(String(alert.headers['sidehook-signature']))
  t.ok(stamp, 'the test alert is signed')
  t.equal(alert.headers['sidehook-signature'], signatureHeader(alert.body.toString(), 'alert-signing-secret', Number(stamp?.[1]) * 1000),
    'saving the masked value kept the secret')
  await page.locator('main table tbody tr').getByText('webhook').waitFor()
  t.match(await page.locator('main table tbody').textContent(), /test.*webhook.*sent/s, 'the test shows in the history')
  await shot('alerts')
  t.same(errors, [], 'no console errors on any page')

  // A value the API refuses: its 400 message is shown and nothing is saved.
  await page.fill('#alert-consecutiveFailures', '0')
  await page.click('#save-alerts')
  await page.locator('.notice.error').getByText(/consecutiveFailures/).waitFor()
  t.equal((await adminGet('/admin/alerts/settings')).consecutiveFailures, 3)
  t.ok(errors.every((e) => /status of 400/.test(e)), 'only the refused save shows as an error')

  // Phone width, and logging out forgets the token.
  await page.setViewportSize({ width: 390, height: 800 })
  await page.click('nav a[href="#/deliveries"]')
  await page.locator(`#deliveries tr[data-id="${failed.id}"]`).waitFor()
  await shot('deliveries-phone')
  const scrollWidth = await page.evaluate<number>('document.body.scrollWidth')
  t.ok(scrollWidth <= 400, `no sideways scroll at phone width (${scrollWidth}px)`)
  await page.click('#logout')
  await page.waitForURL(/#\/login$/)
  t.equal(await page.evaluate('sessionStorage.length'), 0)

  // An admin API without a token: an empty login works.
  const open = await adminApp(t, '')
  const openUrl = await open.listen({ host: '127.0.0.1', port: 0 })
  await page.goto(`${openUrl}/console/`)
  await page.press('#token', 'Enter')
  await page.waitForURL(/#\/deliveries$/)
  await page.getByText('No delivery matches.').waitFor()
  t.equal(await page.evaluate("sessionStorage.getItem('sidehook.adminToken')"), '')
  t.same(errors.filter((e) => !/status of 400/.test(e)), [], 'no console errors without a token either')
})
