/**
 * Seeded fuzz of parseConfig(text, env): whatever the file and the environment hold, the
 * loader either returns a Config or throws a ConfigError whose every problem names a path and
 * a message. Never another exception, never a hang. Replay a failure with FUZZ_SEED=<seed>.
 */
import { readFileSync } from 'node:fs'
import t, { type Test } from 'tap'
import { ConfigError, parseConfig } from '../../src/config/load-config.js'
import type { Config } from '../../src/config/types.js'
import { Prng, seedFromEnv } from '../helpers/prng.js'

const SEED = seedFromEnv(0xc0f16)
const DEFAULT_JSON = readFileSync(new URL('../../config/default.json', import.meta.url), 'utf8')

/** A document that validates, touching every section and most keys, for mutations to start from. */
const BASE = {
  server: {
    host: '127.0.0.1', port: 8080, bodyLimit: 1048576, trustProxy: false, rateLimit: { max: 100, timeWindowMs: 1000 },
    requestTimeoutMs: 30000, headersTimeoutMs: 10000, keepAliveTimeoutMs: 5000, maxHeaderBytes: 16384, maxHeadersCount: 100
  },
  admin: { host: '0.0.0.0', port: 8081, token: '${SIDEHOOK_ADMIN_TOKEN:-}', maxFailedAuthPerMinute: 10 },
  storage: { path: 'data/sidehook.db', durability: 'full', retention: { succeededMs: 1000, failedMs: 2000, intervalMs: 600000, batchSize: 500 } },
  worker: { concurrency: 64, shutdownGraceMs: 10000 },
  logLevel: 'info',
  targets: {
    app: {
      url: '${SIDEHOOK_TARGET_URL:-http://127.0.0.1:3000/webhooks}', timeoutMs: 30000, connectTimeoutMs: 10000, concurrency: 16,
      headers: { Authorization: 'Bearer ${APP_TOKEN:-}' },
      retry: {
        maxAttempts: 20, initialDelayMs: 5000, multiplier: 2, maxDelayMs: 7200000, jitter: 0.2, maxAgeMs: 259200000,
        maxRetryAfterMs: 3600000, retryOn: [409, '4xx'], noRetryOn: [503]
      }
    },
    other: { url: 'https://example.com/hooks' }
  },
  sources: {
    stripe: { targets: ['app'], bodyLimit: 65536, verify: { scheme: 'stripe', secret: 'whsec_x', toleranceMs: 300000 }, dedupe: { jsonPointer: '/id', windowMs: 1000 } },
    gh: { targets: ['app', 'other'], verify: { scheme: 'github', secrets: ['a', 'b'] }, dedupe: { header: 'X-GitHub-Delivery' } },
    hm: { targets: ['other'], verify: { scheme: 'hmac', secret: 's', header: 'X-Sig', algorithm: 'sha512', encoding: 'base64', prefix: 'v1=' }, dedupe: false },
    sw: { targets: ['app'], verify: { scheme: 'standard-webhooks', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } },
    shop: { targets: ['app'], verify: { scheme: 'shopify', secret: 'x' } }
  },
  alerts: {
    consecutiveFailures: 5, cooldownMs: 3600000, notifyOnRecovery: true, notifyOnPermanentFailure: true,
    channels: {
      webhook: { url: 'https://ops.example.com/hooks/sidehook', secret: '${ALERT_WEBHOOK_SECRET:-}' },
      slack: { webhookUrl: '${SLACK_WEBHOOK_URL:-}' },
      email: { to: ['oncall@example.com'], from: 'sidehook@example.com' }
    },
    targets: { app: { consecutiveFailures: 3 } },
    smtp: { host: 'smtp.example.com', port: 587, secure: false, auth: { user: 'u', pass: '${SMTP_PASS:-p}' } }
  }
}

/** Every key name the config knows, plus near misses and keys that are dangerous in plain objects. */
const KEYS = [
  'server', 'admin', 'storage', 'worker', 'logLevel', 'targets', 'sources', 'alerts', 'host', 'port', 'bodyLimit', 'trustProxy',
  'rateLimit', 'max', 'timeWindowMs', 'requestTimeoutMs', 'headersTimeoutMs', 'keepAliveTimeoutMs', 'maxHeaderBytes',
  'maxHeadersCount', 'token', 'maxFailedAuthPerMinute', 'path', 'durability', 'retention', 'succeededMs', 'failedMs',
  'intervalMs', 'batchSize', 'concurrency', 'shutdownGraceMs', 'url', 'timeoutMs', 'connectTimeoutMs', 'headers', 'retry',
  'maxAttempts', 'initialDelayMs', 'multiplier', 'maxDelayMs', 'jitter', 'maxAgeMs', 'maxRetryAfterMs', 'retryOn',
  'noRetryOn', 'verify', 'scheme', 'secret', 'secrets', 'toleranceMs', 'algorithm', 'encoding', 'prefix', 'header',
  'dedupe', 'jsonPointer', 'windowMs', 'consecutiveFailures', 'cooldownMs', 'notifyOnRecovery', 'notifyOnPermanentFailure',
  'channels', 'webhook', 'slack', 'webhookUrl', 'email', 'to', 'from', 'smtp', 'secure', 'auth', 'user', 'pass', 'app',
  'stripe', 'github', 'shopify', 'hmac', 'standard-webhooks', 'Server', 'prot', 'bodylimit', '', ' ', '__proto__',
  'constructor', 'prototype', 'toString', 'hasOwnProperty', 'a.b', 'a b', 'ключ', '💥', 'x'.repeat(300)
]

const STRINGS = [
  '', ' ', 'app', 'other', 'nope', 'http://127.0.0.1:3000/x', 'https://example.com', 'ftp://x', 'http://', 'http://[::1', '//x',
  'javascript:alert(1)', 'smtp://u:p@h:25', 'full', 'normal', 'info', 'silent', 'trace', 'stripe', 'github', 'hmac', 'sha1',
  'md5', 'hex', 'base64', '4xx', '5xx', '6xx', '4XX', '/id', 'id', '${X}', '${X:-d}', '$${X}', '${', '}', '\\', '"', '\n',
  '\u0000', '\uFEFF', '\uD800', '💥', 'a@b', 'not an email', 'X-Sig', 'Bad Header', '0', '-1', '1e3', 'true', 'null',
  'x'.repeat(5000)
]

const NUMBERS = [0, 1, -1, 2, 0.5, -0.5, 1.5, 10, 1023, 1024, 65535, 65536, 2 ** 31, 2 ** 31 - 1, 2 ** 53, 2 ** 53 + 2, 1e21, 1e308, -1e308, 5e-324, 3600000, 2147483648]

function clone<T> (v: T): T {
  return JSON.parse(JSON.stringify(v)) as T
}

function randomValue (r: Prng, depth: number): unknown {
  const kind = r.weighted<string>([[3, 'string'], [3, 'number'], [1, 'bool'], [1, 'null'], [depth > 0 ? 2 : 0, 'array'], [depth > 0 ? 3 : 0, 'object']])
  switch (kind) {
    case 'string': return r.chance(0.8) ? r.pick(STRINGS) : r.string(r.int(0, 20), [...'ab${}:-"\\/\n é💥'])
    case 'number': return r.chance(0.8) ? r.pick(NUMBERS) : (r.next() - 0.5) * 10 ** r.int(0, 12)
    case 'bool': return r.chance(0.5)
    case 'null': return null
    case 'array': return Array.from({ length: r.int(0, 4) }, () => randomValue(r, depth - 1))
    default: return randomObject(r, depth - 1)
  }
}

function randomObject (r: Prng, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const n = r.int(0, 6)
  for (let i = 0; i < n; i++) Object.defineProperty(out, r.pick(KEYS), { value: randomValue(r, depth), enumerable: true, writable: true, configurable: true })
  return out
}

type Container = Record<string, unknown> | unknown[]

/** A random container inside `doc` (doc itself included), found by a short random walk. */
function randomContainer (r: Prng, doc: Container): Container {
  let here: Container = doc
  for (let steps = r.int(0, 5); steps > 0; steps--) {
    const children = Object.values(here).filter((v): v is Container => typeof v === 'object' && v !== null)
    if (children.length === 0) break
    here = r.pick(children)
  }
  return here
}

/** One to four edits of a valid document: wrong types, deletions, unknown keys, renames. */
function mutateDocument (r: Prng): unknown {
  const doc = clone(BASE) as unknown as Container
  for (let n = r.int(1, 4); n > 0; n--) {
    const here = randomContainer(r, doc)
    const keys = Object.keys(here)
    const op = r.weighted<string>([[5, 'replace'], [2, 'delete'], [2, 'add'], [1, 'rename'], [1, 'wrap']])
    if (Array.isArray(here)) {
      if (op === 'delete' && here.length > 0) here.splice(r.int(0, here.length - 1), 1)
      else if (op === 'add') here.push(randomValue(r, 2))
      else if (here.length > 0) here[r.int(0, here.length - 1)] = randomValue(r, 2)
      continue
    }
    const key = keys.length > 0 ? r.pick(keys) : r.pick(KEYS)
    if (op === 'replace') here[key] = randomValue(r, 2)
    else if (op === 'delete') delete here[key]
    else if (op === 'add') Object.defineProperty(here, r.pick(KEYS), { value: randomValue(r, 2), enumerable: true, writable: true, configurable: true })
    else if (op === 'rename') { const v = here[key]; delete here[key]; here[key + r.pick(['s', '_', 'X', ''])] = v } else here[key] = [here[key]]
  }
  return doc
}

const INSERTS = ['${', '${X', '${X:-', '${X:-}', '${:-x}', '${1X}', '$${', '}', '"', '\\', '\\u', '\\ud800', '\n', ',', ':', '[', ']', '{', '}',
  'null', '-', '0x1F', 'NaN', 'Infinity', '1e999', '/*', '//', '\uFEFF', '\u2028', '\u0000', 'é', '💥', '${SIDEHOOK_TARGET_URL}', '${PORT}']

/** Text-level damage to a config file: byte flips, truncation, inserted `${` and friends. */
function mutateText (r: Prng, text: string): string {
  let s = text
  for (let n = r.int(1, 5); n > 0; n--) {
    const at = r.int(0, s.length)
    const op = r.weighted<string>([[3, 'insert'], [2, 'flip'], [1, 'truncate'], [1, 'delete'], [1, 'duplicate']])
    if (op === 'insert') s = s.slice(0, at) + r.pick(INSERTS) + s.slice(at)
    else if (op === 'flip') s = s.slice(0, at) + String.fromCharCode(r.int(0, 255)) + s.slice(at + 1)
    else if (op === 'truncate') s = s.slice(0, at)
    else if (op === 'delete') s = s.slice(0, at) + s.slice(at + r.int(1, 20))
    else { const len = r.int(1, 60); s = s.slice(0, at) + s.slice(at, at + len) + s.slice(at) }
  }
  return s
}

const ENV_NAMES = ['PORT', 'ADMIN_PORT', 'SIDEHOOK_DB', 'SIDEHOOK_ADMIN_TOKEN', 'LOG_LEVEL', 'SIDEHOOK_TARGET_URL', 'APP_TOKEN',
  'ALERT_WEBHOOK_SECRET', 'SLACK_WEBHOOK_URL', 'SMTP_PASS', 'X', 'SIDEHOOK_CONFIG']
const ENV_VALUES = ['', ' ', '0', '8080', '65535', '65536', '-1', '1.5', '08080', ' 9000 ', '1e3', '99999999999999999999', 'abc', 'info',
  'INFO', 'verbose', 'silent', 'http://127.0.0.1:9/x', 'not a url', '"', '\\', '"}, "x": {"', '${PORT}', '\n', '\u0000', '💥', 'x'.repeat(2000)]

function randomEnv (r: Prng): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const name of ENV_NAMES) if (r.chance(0.3)) env[name] = r.chance(0.85) ? r.pick(ENV_VALUES) : r.string(r.int(0, 12), [...'09az:/"\\{}$ '])
  return env
}

interface Outcome { readonly kind: 'config' | 'error', readonly problems: number }

/** parseConfig under the contract: a frozen Config, or a ConfigError with located problems. */
function run (text: string, env: NodeJS.ProcessEnv): Outcome {
  let config: Config
  try {
    config = parseConfig(text, env, 'fuzz.json')
  } catch (err) {
    if (!(err instanceof ConfigError)) throw new Error(`not a ConfigError: ${(err as Error)?.stack ?? String(err)}`)
    if (err.problems.length === 0) throw new Error('a ConfigError with no problems')
    for (const p of err.problems) {
      if (typeof p.path !== 'string' || p.path === '' || typeof p.message !== 'string' || p.message === '') {
        throw new Error(`a problem without a path or message: ${JSON.stringify(p)}`)
      }
      if (!err.message.includes(`${p.path}: ${p.message}`)) throw new Error(`the message does not list ${JSON.stringify(p)}`)
    }
    return { kind: 'error', problems: err.problems.length }
  }
  if (typeof config !== 'object' || config === null || !Object.isFrozen(config) || !Object.isFrozen(config.server)) {
    throw new Error('parseConfig returned something other than a frozen Config')
  }
  for (const [name, target] of Object.entries(config.targets)) {
    if (target.name !== name || !/^https?:/.test(target.url)) throw new Error(`target ${name} is not what was validated: ${JSON.stringify(target)}`)
  }
  for (const source of Object.values(config.sources)) {
    if (!source.targets.every((n) => Object.hasOwn(config.targets, n))) throw new Error(`source ${source.name} names an unknown target`)
  }
  return { kind: 'config', problems: 0 }
}

interface Case { readonly label: string, readonly text: string, readonly env: NodeJS.ProcessEnv }

function fuzz (t: Test, label: string, cases: Iterable<Case>): void {
  const failures: string[] = []
  const counts = { config: 0, error: 0 }
  let slowest = 0
  let slowestLabel = ''
  let n = 0
  for (const c of cases) {
    n++
    const started = performance.now()
    try {
      counts[run(c.text, c.env).kind]++
    } catch (err) {
      if (failures.length < 5) failures.push(`${c.label}: ${(err as Error).message}\n  text: ${JSON.stringify(c.text.slice(0, 400))}\n  env: ${JSON.stringify(c.env).slice(0, 300)}`)
    }
    const ms = performance.now() - started
    if (ms > slowest) { slowest = ms; slowestLabel = c.label }
  }
  t.same(failures, [], `${label}: ${n} cases, every outcome is a Config or a ConfigError with located problems`)
  // Generous for two shared cores under coverage; a quadratic blow-up or a runaway regex takes far longer.
  t.ok(slowest < 5000, `${label}: slowest case ${slowest.toFixed(1)} ms (${slowestLabel})`)
  t.comment(`${label}: ${counts.config} valid, ${counts.error} rejected, slowest ${slowest.toFixed(1)} ms`)
}

t.test(`config fuzz, seed ${SEED} (replay with FUZZ_SEED=${SEED})`, async (t) => {
  t.test('the starting points are valid', async (t) => {
    t.equal(run(JSON.stringify(BASE), {}).kind, 'config', 'BASE validates')
    t.equal(run(DEFAULT_JSON, {}).kind, 'config', 'config/default.json validates')
  })

  t.test('random documents built from the real key names', async (t) => {
    const r = new Prng(SEED)
    fuzz(t, 'random documents', (function * () {
      for (let i = 0; i < 1500; i++) {
        const doc = r.chance(0.9) ? randomObject(r, 4) : randomValue(r, 3)
        yield { label: `random #${i}`, text: JSON.stringify(doc) ?? 'null', env: r.chance(0.3) ? randomEnv(r) : {} }
      }
    })())
  })

  t.test('a valid document with wrong types, missing and unknown keys', async (t) => {
    const r = new Prng(SEED ^ 0x5a5a5a5a)
    const outcomes = { config: 0, error: 0 }
    fuzz(t, 'mutated documents', (function * () {
      for (let i = 0; i < 3000; i++) {
        const text = JSON.stringify(mutateDocument(r), null, r.chance(0.5) ? 2 : undefined)
        const env = r.chance(0.3) ? randomEnv(r) : {}
        try { outcomes[run(text, env).kind]++ } catch { /* reported by fuzz() */ }
        yield { label: `mutated #${i}`, text, env }
      }
    })())
    // Both outcomes must be reached, or the mutations are not exercising the validator's depths.
    t.ok(outcomes.config > 0 && outcomes.error > 0, `both outcomes seen: ${JSON.stringify(outcomes)}`)
  })

  t.test('text damage to config/default.json and to a full config', async (t) => {
    const r = new Prng(SEED ^ 0x0badf00d)
    const full = JSON.stringify(BASE, null, 2)
    fuzz(t, 'mutated text', (function * () {
      for (let i = 0; i < 3000; i++) {
        yield { label: `text #${i}`, text: mutateText(r, r.chance(0.5) ? DEFAULT_JSON : full), env: r.chance(0.5) ? randomEnv(r) : {} }
      }
    })())
  })

  t.test('random environments over the shipped config', async (t) => {
    const r = new Prng(SEED ^ 0x13371337)
    fuzz(t, 'random env', (function * () {
      for (let i = 0; i < 1000; i++) yield { label: `env #${i}`, text: DEFAULT_JSON, env: randomEnv(r) }
    })())
  })

  t.test('pathological texts', async (t) => {
    const deep = (n: number, open: string, close: string) => open.repeat(n) + close.repeat(n)
    const cases: Case[] = [
      { label: 'empty', text: '', env: {} },
      { label: 'BOM only', text: '\uFEFF', env: {} },
      { label: 'BOM + default', text: '\uFEFF' + DEFAULT_JSON, env: {} },
      { label: 'whitespace', text: ' \n\t\r ', env: {} },
      { label: 'null', text: 'null', env: {} },
      { label: 'array root', text: '[]', env: {} },
      { label: 'string root', text: '"${X}"', env: { X: 'y' } },
      { label: 'deep arrays', text: deep(50_000, '[', ']'), env: {} },
      { label: 'deep arrays unclosed', text: '['.repeat(50_000), env: {} },
      { label: 'deep objects in a known key', text: `{"targets":{"app":{"url":"http://x","headers":${deep(20_000, '{"a":', '}').replace(/\{"a":\}/, '{"a":1}')}}}}`, env: {} },
      { label: 'deep objects unclosed', text: '{"a":'.repeat(30_000), env: {} },
      { label: 'many unterminated references', text: `{"x": "${'${\\n'.repeat(2000)}"}`, env: {} },
      { label: 'many unterminated references on lines', text: `{"a":1,\n${'"${\n'.repeat(3000)}}`, env: {} },
      { label: 'many unset references', text: `{"x": "${'${NOPE}'.repeat(2000)}"}`, env: {} },
      { label: 'many references to a long value', text: `{"admin": {"token": "${'${T}'.repeat(2000)}"}}`, env: { T: 'x'.repeat(2000) } },
      { label: 'reference with quotes in the value', text: DEFAULT_JSON, env: { SIDEHOOK_TARGET_URL: 'http://x/"},"targets":{}' } },
      { label: 'huge number', text: `{"server":{"port":${'9'.repeat(10_000)}}}`, env: {} },
      { label: 'huge key count', text: JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]))), env: {} },
      { label: 'many targets', text: JSON.stringify({ targets: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`t${i}`, { url: 'http://127.0.0.1/x' }])), sources: { s: { targets: Array.from({ length: 1000 }, (_, i) => `t${i}`) } } }), env: {} },
      { label: 'source listing one target many times', text: JSON.stringify({ targets: { a: { url: 'http://x' } }, sources: { s: { targets: Array.from({ length: 5000 }, () => 'a') } } }), env: {} },
      { label: 'proto keys', text: '{"__proto__":{"server":{"port":"x"}},"constructor":{"prototype":{}},"targets":{"__proto__":{"url":"http://x"}}}', env: {} },
      { label: 'lone surrogates', text: '{"admin":{"token":"\\ud800"},"targets":{"\\udfff":{"url":"http://x"}}}', env: {} },
      { label: 'very long line', text: `{"admin":{"token":"${'x'.repeat(1_000_000)}"}}`, env: {} }
    ]
    fuzz(t, 'pathological', cases)
  })
})
