/**
 * `npm run demo`: Sidehook in one minute. Starts Sidehook on a throw-away database with three
 * sample targets in this process (one that works, one that answers 503 + Retry-After twice
 * per delivery, one that answers 404), sends a few webhooks (one signed like Stripe, one
 * Stripe retry, one with a bad signature) and narrates what happens. Then it keeps running
 * so the admin API, console and CLI can be explored, until Ctrl-C.
 *
 * `--once` (or DEMO_ONCE=1) exits by itself after the summary; the test uses it.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import Stripe from 'stripe'
import { parseConfig } from '../src/config/load-config.js'
import { lookupStatus, statusSummary } from '../src/core/status-codes/index.js'
import { configSecretHeaders, configSecrets, createLogger } from '../src/logger.js'
import { startSidehook, type RunningSidehook } from '../src/sidehook.js'
import type { AttemptReport } from '../src/worker/worker.js'

const ONCE = process.argv.includes('--once') || process.env.DEMO_ONCE === '1'
const STRIPE_SECRET = 'whsec_demo_' + 'sidehook0123456789abcdef'
/** Every delivery should be finished well before this; otherwise the summary says so. */
const STORY_TIMEOUT_MS = 40_000
const PACE_MS = 700
const FLAKY_FAILURES = 2
const FLAKY_RETRY_AFTER_S = 2

// ---------------------------------------------------------------------------------------
// Output

const COLOR = process.stdout.isTTY === true && process.env.NO_COLOR === undefined
const paint = (code: number) => (s: string): string => COLOR ? `\x1b[${code}m${s}\x1b[0m` : s
const bold = paint(1)
const dim = paint(2)
const red = paint(31)
const green = paint(32)
const yellow = paint(33)
const cyan = paint(36)

const clock = (at: number = Date.now()): string => new Date(at).toTimeString().slice(0, 8)
// Piped into `head` and the reader left: stop writing, but still clean up as usual.
let outputClosed = false
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err
  outputClosed = true
})
const say = (text = ''): void => { if (!outputClosed) process.stdout.write(text + '\n') }
/** One line of the story: time, what happened (padded), who, details. */
function event (verb: string, color: (s: string) => string, who: string, details: string, at?: number): void {
  say(`${dim(clock(at))}  ${color(verb.padEnd(12))} ${bold(who.padEnd(11))} ${details}`)
}
/** What a sample target saw, indented under the story. */
function seen (target: string, details: string): void {
  say(`${dim(clock())}  ${dim(`  ⇢ ${target.padEnd(10)}  ${details}`)}`)
}

const hinted = new Set<string>()
/** A one-line explanation under the first line of its kind. */
function hintOnce (key: string, text: string): void {
  if (hinted.has(key)) return
  hinted.add(key)
  // Under the details column: time (8) + 2, verb (12) + 1, who (11) + 1.
  say(' '.repeat(35) + dim(`(${text})`))
}

function statusText (code: number): string {
  return `${code} ${lookupStatus(code)?.name ?? ''}`.trim()
}

/** The catalog's meaning of a status, first sentence only. */
function meaningOf (code: number): string {
  const meaning = statusSummary(code)?.meaning ?? ''
  const first = /^.*?[.!?](?=\s|$)/.exec(meaning)
  return (first === null ? meaning : first[0]).replace(/\.$/, '')
}

function seconds (ms: number): string {
  return Number.isInteger(ms / 1000) ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`
}

// ---------------------------------------------------------------------------------------
// Sample targets: small HTTP servers in this process

interface SampleTarget {
  readonly name: string
  readonly behaviour: string
  url: string
  server?: Server
}

type Answer = (req: IncomingMessage, body: Buffer) => { status: number, headers?: Record<string, string>, body: string }

const flakyTries = new Map<string, number>()

const answers: Record<string, Answer> = {
  'orders-app': () => ({ status: 200, body: 'ok' }),
  'flaky-app': (req) => {
    const id = String(req.headers['sidehook-delivery-id'] ?? '')
    const tries = (flakyTries.get(id) ?? 0) + 1
    flakyTries.set(id, tries)
    if (tries <= FLAKY_FAILURES) {
      return { status: 503, headers: { 'Retry-After': String(FLAKY_RETRY_AFTER_S) }, body: 'warming up, try again soon' }
    }
    return { status: 200, body: 'ok' }
  },
  'gone-app': () => ({ status: 404, body: 'no such route' })
}

const targets: SampleTarget[] = [
  { name: 'orders-app', behaviour: 'answers 200 OK', url: '' },
  { name: 'flaky-app', behaviour: `answers 503 + Retry-After: ${FLAKY_RETRY_AFTER_S} twice per delivery, then 200`, url: '' },
  { name: 'gone-app', behaviour: 'answers 404 Not Found (wrong URL)', url: '' }
]

function describeBody (body: Buffer): string {
  try {
    const json = JSON.parse(body.toString('utf8')) as { type?: unknown, topic?: unknown }
    if (typeof json.type === 'string') return json.type
    if (typeof json.topic === 'string') return json.topic
  } catch { /* not JSON: say nothing about it */ }
  return `${body.length} bytes`
}

async function startSampleTarget (t: SampleTarget): Promise<void> {
  const answer = answers[t.name]
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const a = answer(req, body)
      const attempt = String(req.headers['sidehook-attempt'] ?? '?')
      const signed = req.headers['stripe-signature'] !== undefined ? ', Stripe-Signature passed through' : ''
      const ra = a.headers?.['Retry-After'] === undefined ? '' : ` + Retry-After: ${a.headers['Retry-After']}`
      seen(t.name, `got ${req.method} ${req.url} ${describeBody(body)} (Sidehook-Attempt: ${attempt}${signed}) → answers ${a.status}${ra}`)
      res.writeHead(a.status, { 'content-type': 'text/plain', ...a.headers }).end(a.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.server = server
  t.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`
}

function closeServer (server: Server | undefined): Promise<void> {
  if (server === undefined) return Promise.resolve()
  server.closeAllConnections()
  return new Promise((resolve) => server.close(() => resolve()))
}

// ---------------------------------------------------------------------------------------
// Sidehook

function portFree (port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createNetServer()
    probe.once('error', () => resolve(false))
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)))
  })
}

function demoConfigText (dir: string, token: string, ingestPort: number, adminPort: number): string {
  const retry = { initialDelayMs: 1000, multiplier: 2, jitter: 0, maxAttempts: 5, maxDelayMs: 10_000 }
  const target = (name: string) => ({ url: targets.find((t) => t.name === name)!.url, timeoutMs: 5000, retry })
  return JSON.stringify({
    server: { host: '127.0.0.1', port: ingestPort },
    admin: { host: '127.0.0.1', port: adminPort, token },
    storage: { path: join(dir, 'sidehook.db') },
    worker: { shutdownGraceMs: 2000 },
    logLevel: 'warn',
    targets: { 'orders-app': target('orders-app'), 'flaky-app': target('flaky-app'), 'gone-app': target('gone-app') },
    sources: {
      stripe: { targets: ['orders-app', 'flaky-app'], verify: { scheme: 'stripe', secret: STRIPE_SECRET } },
      shop: { targets: ['gone-app', 'orders-app'] }
    },
    alerts: {}
  }, null, 2)
}

// ---------------------------------------------------------------------------------------
// The story

/** Final state of every delivery seen by onAttempt, and who waits for them. */
const finished = new Map<string, 'succeeded' | 'failed'>()
let expected: string[] = []
let onProgress = (): void => {}

function narrateAttempt (report: AttemptReport): void {
  const { delivery, record } = report
  const who = record.target
  const result = record.status !== null
    ? statusText(record.status)
    : `${record.error ?? 'error'}${record.errorMessage === null ? '' : ` (${record.errorMessage})`}`
  const at = record.startedAt + record.durationMs
  if (record.nextState === 'succeeded') {
    event('✓ delivered', green, who, `${delivery.id}  ${result} (attempt ${record.n})`, at)
  } else if (record.nextState === 'pending') {
    const ra = record.retryAfterMs === null ? 'backoff' : `Retry-After ${seconds(record.retryAfterMs)}`
    const next = record.nextAttemptAt === null ? '' : ` → next at ${clock(record.nextAttemptAt)}`
    event('↻ retry', yellow, who, `${delivery.id}  ${result}, ${ra}${next} (attempt ${record.n})`, at)
    if (record.retryAfterMs !== null) hintOnce('retry-after', 'Retry-After replaces the backoff; a 503 or 429 with it also holds the whole target until then.')
    else hintOnce('backoff', 'Retryable answers (5xx, 408, 429, network errors) are retried with exponential backoff.')
  } else {
    const why = record.failReason === 'non_retryable_status' && record.status !== null
      ? `${result}: ${meaningOf(record.status)}`
      : `${result} (${record.failReason ?? 'failed'} after attempt ${record.n})`
    event('✗ failed', red, who, `${delivery.id}  ${why}`, at)
    hintOnce('failed', 'A 404 will not change by itself, so it is not retried. The delivery is kept; retry it by hand once fixed.')
  }
  if (record.nextState !== 'pending') {
    finished.set(delivery.id, record.nextState)
    onProgress()
  }
}

interface SendResult { status: number, body: { id?: string, duplicate?: boolean, deliveries?: Array<{ id: string, target: string }>, error?: string, message?: string } }

async function send (ingestUrl: string, source: string, body: string, headers: Record<string, string> = {}): Promise<SendResult> {
  const res = await fetch(`${ingestUrl}/in/${source}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
  return { status: res.status, body: await res.json() as SendResult['body'] }
}

const sent = { stored: 0, duplicates: 0, rejected: 0 }

function narrateSend (source: string, what: string, r: SendResult): void {
  const { status, body } = r
  if (status === 202 && body.duplicate === true) {
    sent.duplicates++
    event('→ sent', cyan, source, `${what}  ${statusText(status)}: duplicate of ${body.id}, not forwarded again`)
    hintOnce('duplicate', 'Senders retry; the repeat is recognised by its Stripe event id and answered 202 again.')
  } else if (status === 202) {
    sent.stored++
    const ds = body.deliveries ?? []
    event('→ sent', cyan, source, `${what}  ${statusText(status)}  ${body.id} stored, ${ds.length} deliveries: ${ds.map((d) => d.target).join(', ')}`)
  } else {
    sent.rejected++
    event('✗ rejected', red, source, `${what}  ${status} ${body.error ?? ''}: ${body.message ?? ''}`)
    if (status === 401) hintOnce('401', 'Signatures are checked before anything is stored: nothing was kept or forwarded.')
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

function stripeSigned (payload: string, secret: string): Record<string, string> {
  return { 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: Math.floor(Date.now() / 1000) }) }
}

async function tellStory (sidehook: RunningSidehook): Promise<{ done: boolean, failedDelivery?: string }> {
  const ingest = sidehook.ingestUrl
  const all = new Promise<void>((resolve) => {
    onProgress = () => { if (expected.length > 0 && expected.every((id) => finished.has(id))) resolve() }
  })

  const stripeEvent = JSON.stringify({
    id: `evt_demo_${randomBytes(6).toString('hex')}`,
    object: 'event',
    type: 'payment_intent.succeeded',
    data: { object: { id: 'pi_demo_1', object: 'payment_intent', amount: 4200, currency: 'eur' } }
  })
  const r1 = await send(ingest, 'stripe', stripeEvent, stripeSigned(stripeEvent, STRIPE_SECRET))
  narrateSend('stripe', 'payment_intent.succeeded (signed)', r1)
  await sleep(PACE_MS)

  const order = JSON.stringify({ topic: 'orders/create', order: { id: 1001, total: '42.00', currency: 'EUR' } })
  const r2 = await send(ingest, 'shop', order)
  narrateSend('shop', 'orders/create', r2)
  await sleep(PACE_MS)

  // Stripe sends the same event again when our answer was late or lost; dedupe catches it.
  const r3 = await send(ingest, 'stripe', stripeEvent, stripeSigned(stripeEvent, STRIPE_SECRET))
  narrateSend('stripe', 'the same event again (a sender retry)', r3)
  await sleep(PACE_MS)

  const forged = JSON.stringify({ id: 'evt_forged', object: 'event', type: 'payout.paid', data: { object: {} } })
  const r4 = await send(ingest, 'stripe', forged, stripeSigned(forged, 'whsec_not_the_right_secret'))
  narrateSend('stripe', 'payout.paid signed with the wrong secret', r4)

  expected = [...(r1.body.deliveries ?? []), ...(r2.body.deliveries ?? [])].map((d) => d.id)
  onProgress()
  let timer: NodeJS.Timeout | undefined
  const done = await Promise.race([
    all.then(() => true),
    new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), STORY_TIMEOUT_MS) })
  ])
  clearTimeout(timer)
  const failedDelivery = [...finished].find(([, s]) => s === 'failed')?.[0]
  return { done, failedDelivery }
}

interface TargetView { name: string, state: string, lastStatus: number | null, counts: Record<string, number> }

async function printSummary (sidehook: RunningSidehook, token: string, done: boolean): Promise<void> {
  const res = await fetch(`${sidehook.adminUrl}/admin/targets`, { headers: { authorization: `Bearer ${token}` } })
  const { items } = await res.json() as { items: TargetView[] }
  say()
  say(bold(done ? 'Summary' : 'Summary (some deliveries were still unfinished after 40 s)') + dim('  (from GET /admin/targets)'))
  say(`  ${'TARGET'.padEnd(11)} ${'STATE'.padEnd(9)} ${'DELIVERED'.padEnd(10)} ${'FAILED'.padEnd(7)} ${'PENDING'.padEnd(8)} LAST`)
  let delivered = 0
  let failed = 0
  for (const t of items) {
    const c = t.counts
    delivered += c.succeeded ?? 0
    failed += c.failed ?? 0
    say(`  ${t.name.padEnd(11)} ${t.state.padEnd(9)} ${String(c.succeeded ?? 0).padEnd(10)} ${String(c.failed ?? 0).padEnd(7)} ${String((c.pending ?? 0) + (c.in_flight ?? 0)).padEnd(8)} ${t.lastStatus === null ? '-' : statusText(t.lastStatus)}`)
  }
  say(`  Webhooks: ${sent.stored} stored, ${sent.duplicates} duplicate recognised, ${sent.rejected} rejected. Deliveries: ${delivered} delivered, ${failed} failed.`)
}

function printWhereToLook (sidehook: RunningSidehook, token: string, failedDelivery: string | undefined, dbDir: string): void {
  const admin = sidehook.adminUrl
  const auth = `-H "Authorization: Bearer ${token}"`
  const dlv = failedDelivery ?? '<delivery id>'
  say()
  say(bold('Where to look'))
  say(`  Web console   ${cyan(`${admin}/console/`)}   (sign in with the admin token)`)
  say(`  Admin API     ${cyan(admin)}   token: ${bold(token)}`)
  say(`  API docs      ${cyan(`${admin}/admin/docs`)}`)
  say(`  Metrics       ${cyan(`${admin}/metrics`)}   (Prometheus; needs the token too)`)
  say(`  Ingest        ${cyan(`${sidehook.ingestUrl}/in/stripe`)} and ${cyan(`${sidehook.ingestUrl}/in/shop`)}`)
  say(`  Database      ${join(dbDir, 'sidehook.db')}   (deleted when the demo stops)`)
  say()
  say('  Try, in another terminal:')
  say(`    curl -s ${auth} '${admin}/admin/deliveries?state=failed'`)
  say(`    curl -s ${auth} ${admin}/admin/deliveries/${dlv}        ${dim('# the 404 and its attempts')}`)
  say(`    curl -s -X POST ${auth} ${admin}/admin/deliveries/${dlv}/retry`)
  say(`    curl -si -X POST ${sidehook.ingestUrl}/in/shop -H 'content-type: application/json' -d '{"topic":"orders/paid"}'`)
  say()
  say('  Or with the command-line client (npm run build has already run):')
  say(`    export SIDEHOOK_ADMIN_URL=${admin} SIDEHOOK_ADMIN_TOKEN=${token}`)
  say('    npm run sidehook -- deliveries --state failed')
  say(`    npm run sidehook -- delivery ${dlv}`)
  say('    npm run sidehook -- targets')
  say()
}

// ---------------------------------------------------------------------------------------
// Main

async function main (): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'sidehook-demo-'))
  let sidehook: RunningSidehook | undefined
  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      try {
        await sidehook?.close()
        await Promise.all(targets.map((t) => closeServer(t.server)))
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })()
    return stopping
  }
  let interrupted: (() => void) | undefined
  const interrupt = new Promise<void>((resolve) => { interrupted = resolve })
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping !== undefined) {
      // A second Ctrl-C: do not wait any longer.
      rmSync(dir, { recursive: true, force: true })
      process.exit(130)
    }
    say()
    say(dim(`${clock()}  ${signal}: stopping Sidehook and the sample targets, deleting ${dir}`))
    interrupted?.()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  try {
    say(bold('Sidehook demo') + ': webhooks are stored before the sender gets its 202, then forwarded to your apps, with retries.')
    say()
    for (const t of targets) await startSampleTarget(t)
    const token = `demo_${randomBytes(12).toString('hex')}`
    const ingestPort = await portFree(8080) ? 8080 : 0
    const adminPort = await portFree(8081) ? 8081 : 0
    // An empty environment: SIDEHOOK_* variables of the person running the demo must not change it.
    const config = parseConfig(demoConfigText(dir, token, ingestPort, adminPort), {}, 'demo config')
    const logFile = join(dir, 'sidehook.log')
    const logger = createLogger({
      level: config.logLevel,
      secrets: configSecrets(config),
      headers: configSecretHeaders(config),
      destination: pino.destination({ dest: logFile, sync: true })
    })
    const options = { config, logger, onAttempt: narrateAttempt }
    try {
      sidehook = await startSidehook(options)
    } catch (err) {
      if ((err as { code?: string }).code !== 'EADDRINUSE') throw err
      // Taken between the check and the listen: any free ports will do.
      const retryConfig = parseConfig(demoConfigText(dir, token, 0, 0), {}, 'demo config')
      sidehook = await startSidehook({ ...options, config: retryConfig })
    }

    say(bold('Sample targets') + dim(' (small HTTP servers inside this process)'))
    for (const t of targets) say(`  ${t.name.padEnd(11)} ${t.url.padEnd(36)} ${t.behaviour}`)
    say(bold('Sources'))
    say(`  POST ${`${sidehook.ingestUrl}/in/stripe`.padEnd(34)} Stripe signature checked (secret ${STRIPE_SECRET.slice(0, 14)}…) → orders-app, flaky-app`)
    say(`  POST ${`${sidehook.ingestUrl}/in/shop`.padEnd(34)} no signature → gone-app, orders-app`)
    say(bold('Sidehook'))
    say(`  Admin API   ${sidehook.adminUrl}  token ${token}`)
    say(`  Database    ${join(dir, 'sidehook.db')} (throw-away)`)
    say('  Retries     after 1 s, 2 s, 4 s … (5 attempts), or when Retry-After says')
    say()

    const story = await Promise.race([tellStory(sidehook), interrupt.then(() => undefined)])
    if (story !== undefined) {
      await printSummary(sidehook, token, story.done)
      printWhereToLook(sidehook, token, story.failedDelivery, dir)
      if (ONCE) {
        say(dim('--once: stopping now.'))
      } else {
        say(bold('Sidehook keeps running so you can look around. Press Ctrl-C to stop.'))
        say(dim('New attempts (yours included) show up below as they happen.'))
        say()
        await interrupt
      }
    }
    await stop()
    return story === undefined || story.done ? 0 : 1
  } catch (err) {
    await stop().catch(() => {})
    throw err
  }
}

main().then((code) => {
  process.exitCode = code
}, (err: unknown) => {
  process.stderr.write(`Demo failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exitCode = 1
})
