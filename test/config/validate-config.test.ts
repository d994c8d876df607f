import t from 'tap'
import { DEFAULTS } from '../../src/config/defaults.js'
import type { ConfigProblem } from '../../src/config/problem.js'
import { validateConfig } from '../../src/config/validate-config.js'

const app = { url: 'http://127.0.0.1:3000/webhooks' }

/** A minimal valid document with `patch` merged over its root. */
function doc (patch: Record<string, unknown> = {}): Record<string, unknown> {
  return { targets: { app, b: { url: 'https://b.example.com/in' } }, sources: { stripe: { targets: ['app'] } }, ...patch }
}

function problemsOf (raw: unknown): ConfigProblem[] {
  const result = validateConfig(raw)
  if (result.problems.length > 0) return result.problems
  if (result.config === undefined) throw new Error('no config and no problems')
  return []
}

const p = (path: string, message: string): ConfigProblem => ({ path, message })

t.test('an empty object is a valid config with every default filled in', async (t) => {
  const { config, problems } = validateConfig({})
  t.same(problems, [])
  t.same(config, {
    server: DEFAULTS.server,
    admin: DEFAULTS.admin,
    storage: DEFAULTS.storage,
    worker: DEFAULTS.worker,
    logLevel: 'info',
    targets: {},
    sources: {},
    alerts: {}
  })
  t.same(DEFAULTS.server, {
    host: '0.0.0.0', port: 8080, bodyLimit: 1048576, trustProxy: false, rateLimit: { max: 1000, timeWindowMs: 1000 },
    requestTimeoutMs: 30000, headersTimeoutMs: 10000, keepAliveTimeoutMs: 5000, maxHeaderBytes: 16384, maxHeadersCount: 100
  })
  t.same(DEFAULTS.admin, { host: '0.0.0.0', port: 8081, token: '', maxFailedAuthPerMinute: 10, rateLimit: { max: 1200, timeWindowMs: 60000 } })
  t.same(DEFAULTS.storage, {
    path: 'data/sidehook.db',
    durability: 'full',
    retention: { succeededMs: 604800000, failedMs: 2592000000, intervalMs: 600000, batchSize: 500 }
  })
  t.same(DEFAULTS.worker, { concurrency: 64, shutdownGraceMs: 10000 })
})

t.test('targets and sources get names from their keys and defaults for every field', async (t) => {
  const { config } = validateConfig(doc({ server: { bodyLimit: 2048 } }))
  t.same(config?.targets.app, {
    name: 'app',
    url: app.url,
    timeoutMs: 30000,
    connectTimeoutMs: 10000,
    concurrency: 16,
    headers: {},
    retry: {
      maxAttempts: 25,
      initialDelayMs: 5000,
      multiplier: 2,
      maxDelayMs: 7200000,
      jitter: 0.2,
      maxAgeMs: 259200000,
      maxRetryAfterMs: 3600000,
      retryOn: [],
      noRetryOn: []
    }
  })
  // A source's body limit follows the server's unless it sets its own.
  t.same(config?.sources.stripe, { name: 'stripe', targets: ['app'], bodyLimit: 2048, verify: null, dedupe: { mode: 'auto', windowMs: 604800000 } })
  t.equal(config?.server.host, '0.0.0.0', 'a partial section keeps defaults for the rest')
})

t.test('given values win over defaults, partial retry keeps the other defaults', async (t) => {
  const { config, problems } = validateConfig(doc({
    targets: {
      app: {
        ...app,
        timeoutMs: 5000,
        headers: { Authorization: 'Bearer x', 'X-Empty': '' },
        retry: { maxAttempts: 3, retryOn: [409, '4xx'], noRetryOn: [501] }
      }
    },
    sources: { stripe: { targets: ['app'], bodyLimit: 10 } },
    logLevel: 'debug',
    storage: { durability: 'normal' }
  }))
  t.same(problems, [])
  t.equal(config?.targets.app.timeoutMs, 5000)
  t.same(config?.targets.app.headers, { Authorization: 'Bearer x', 'X-Empty': '' })
  t.same(config?.targets.app.retry, { ...DEFAULTS.target.retry, maxAttempts: 3, retryOn: [409, '4xx'], noRetryOn: [501] })
  t.equal(config?.sources.stripe.bodyLimit, 10)
  t.equal(config?.logLevel, 'debug')
  t.same(config?.storage, { path: 'data/sidehook.db', durability: 'normal', retention: DEFAULTS.storage.retention })
})

t.test('each class of problem, with its exact path', async (t) => {
  const rows: Array<[string, unknown, ConfigProblem[]]> = [
    ['root is an array', [], [p('(root)', 'config root must be a JSON object, got an array')]],
    ['root is null', null, [p('(root)', 'config root must be a JSON object, got null')]],
    ['section of the wrong type', { server: 'x' }, [p('server', 'expected an object, got a string')]],
    ['unknown root key with suggestion', { target: {} }, [p('target', "unknown key; did you mean 'targets'?")]],
    ['unknown key without a close match', { server: { colour: 1 } }, [p('server.colour', 'unknown key')]],
    ['port too high', { server: { port: 70000 } }, [p('server.port', 'must be between 0 and 65535, got 70000')]],
    ['negative port', { admin: { port: -1 } }, [p('admin.port', 'must be between 0 and 65535, got -1')]],
    ['port as a string', { server: { port: '8080' } }, [p('server.port', 'expected an integer, got a string')]],
    ['fractional port', { server: { port: 80.5 } }, [p('server.port', 'expected an integer, got 80.5')]],
    ['zero body limit', { server: { bodyLimit: 0 } }, [p('server.bodyLimit', 'must be at least 1, got 0')]],
    ['empty host', { admin: { host: '' } }, [p('admin.host', 'must not be empty')]],
    ['token not a string', { admin: { token: 42 } }, [p('admin.token', 'expected a string, got 42')]],
    ['bad durability', { storage: { durability: 'fast' } }, [p('storage.durability', "must be one of 'full', 'normal'; got 'fast'")]],
    ['bad log level', { logLevel: 'verbose' }, [p('logLevel', "must be one of 'fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'; got 'verbose'")]],
    ['worker concurrency 0', { worker: { concurrency: 0 } }, [p('worker.concurrency', 'must be at least 1, got 0')]],
    ['targets not an object', { targets: [] }, [p('targets', 'expected an object, got an array')]],
    ['target without url', { targets: { app: {} } }, [p('targets.app.url', 'is required')]],
    ['target url ftp', { targets: { app: { url: 'ftp://x/y' } } }, [p('targets.app.url', 'must be an http: or https: URL, got ftp:')]],
    ['target url relative', { targets: { app: { url: '/hooks' } } }, [p('targets.app.url', 'must be an absolute http: or https: URL')]],
    ['target url with fragment', { targets: { app: { url: 'http://x/y#z' } } }, [p('targets.app.url', 'must not contain a fragment (#...)')]],
    ['target url with a trailing newline', { targets: { app: { url: 'http://x/\n' } } }, [p('targets.app.url', 'must not have leading or trailing whitespace')]],
    ['bad target name', { targets: { 'my app': app } }, [p('targets["my app"]', "invalid name: use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit")]],
    ['target name starting with a dot', { targets: { '.app': app } }, [p('targets[".app"]', "invalid name: use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit")]],
    ['target name of 65 characters', { targets: { ['a'.repeat(65)]: app } }, [p(`targets.${'a'.repeat(65)}`, "invalid name: use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit")]],
    ['zero timeout', { targets: { app: { ...app, timeoutMs: 0 } } }, [p('targets.app.timeoutMs', 'must be between 1 and 2147483647, got 0')]],
    ['timeout beyond the timer limit', { targets: { app: { ...app, connectTimeoutMs: 2 ** 31 } } }, [p('targets.app.connectTimeoutMs', 'must be between 1 and 2147483647, got 2147483648')]],
    ['header name not a token', { targets: { app: { ...app, headers: { 'X Bad': 'v' } } } }, [p('targets.app.headers["X Bad"]', 'not a valid HTTP header name')]],
    ['header value with CRLF', { targets: { app: { ...app, headers: { 'X-A': 'a\r\nX-B: b' } } } }, [p('targets.app.headers.X-A', 'must not contain CR, LF or NUL')]],
    ['header value not a string', { targets: { app: { ...app, headers: { 'X-A': 1 } } } }, [p('targets.app.headers.X-A', 'expected a string, got 1')]],
    ['framing header', { targets: { app: { ...app, headers: { 'Content-Length': '1' } } } }, [p('targets.app.headers.Content-Length', 'is set by Sidehook itself and cannot be configured')]],
    ['same header twice', { targets: { app: { ...app, headers: { 'X-A': '1', 'x-a': '2' } } } }, [p('targets.app.headers.x-a', "same header as 'X-A' (names are case-insensitive)")]],
    ['maxAttempts 0', { targets: { app: { ...app, retry: { maxAttempts: 0 } } } }, [p('targets.app.retry.maxAttempts', 'must be at least 1, got 0')]],
    ['multiplier below 1', { targets: { app: { ...app, retry: { multiplier: 0.5 } } } }, [p('targets.app.retry.multiplier', 'must be at least 1, got 0.5')]],
    ['jitter above 1', { targets: { app: { ...app, retry: { jitter: 1.5 } } } }, [p('targets.app.retry.jitter', 'must be between 0 and 1, got 1.5')]],
    ['maxDelay below initialDelay', { targets: { app: { ...app, retry: { initialDelayMs: 10, maxDelayMs: 5 } } } }, [p('targets.app.retry.maxDelayMs', 'must be at least initialDelayMs (10)')]],
    ['retryOn code out of range', { targets: { app: { ...app, retry: { retryOn: [600] } } } }, [p('targets.app.retry.retryOn[0]', 'expected a status code 100-599 or a class pattern like "5xx"')]],
    ['retryOn bad pattern', { targets: { app: { ...app, retry: { retryOn: ['6xx'] } } } }, [p('targets.app.retry.retryOn[0]', 'expected a status code 100-599 or a class pattern like "5xx"')]],
    ['retryOn code as a string', { targets: { app: { ...app, retry: { noRetryOn: ['503'] } } } }, [p('targets.app.retry.noRetryOn[0]', 'expected a status code 100-599 or a class pattern like "5xx"')]],
    ['2xx code listed', { targets: { app: { ...app, retry: { noRetryOn: [204] } } } }, [p('targets.app.retry.noRetryOn[0]', '2xx is always a success and cannot be listed')]],
    ['2xx pattern listed', { targets: { app: { ...app, retry: { retryOn: ['2xx'] } } } }, [p('targets.app.retry.retryOn[0]', '2xx is always a success and cannot be listed')]],
    ['code in both lists', { targets: { app: { ...app, retry: { retryOn: [409, '5xx'], noRetryOn: [404, '5xx', 409] } } } }, [
      p('targets.app.retry.noRetryOn[1]', '5xx is also in retryOn'),
      p('targets.app.retry.noRetryOn[2]', '409 is also in retryOn')
    ]],
    ['source without targets key', { targets: { app }, sources: { s: {} } }, [p('sources.s.targets', 'is required')]],
    ['source with empty targets', { targets: { app }, sources: { s: { targets: [] } } }, [p('sources.s.targets', 'must list at least one target')]],
    ['source naming an unknown target', doc({ sources: { stripe: { targets: ['app', 'x'] } } }), [p('sources.stripe.targets[1]', "unknown target 'x'; known: app, b")]],
    ['source target when none exist', { sources: { s: { targets: ['app'] } } }, [p('sources.s.targets[0]', "unknown target 'app'; no targets are configured")]],
    ['source naming a target twice', doc({ sources: { s: { targets: ['app', 'b', 'app'] } } }), [p('sources.s.targets[2]', "target 'app' is listed twice")]],
    ['source target not a string', doc({ sources: { s: { targets: [1] } } }), [p('sources.s.targets[0]', 'expected a target name, got 1')]],
    ['bad source name', doc({ sources: { 'in/x': { targets: ['app'] } } }), [p('sources["in/x"]', "invalid name: use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit")]],
    ['source bodyLimit 0', doc({ sources: { s: { targets: ['app'], bodyLimit: 0 } } }), [p('sources.s.bodyLimit', 'must be at least 1, got 0')]],
    ['unknown source key', doc({ sources: { s: { targets: ['app'], verfy: null } } }), [p('sources.s.verfy', "unknown key; did you mean 'verify'?")]]
  ]
  for (const [name, raw, expected] of rows) {
    t.same(problemsOf(raw), expected, name)
    t.equal(validateConfig(raw).config, undefined, `${name}: no config alongside problems`)
  }
})

t.test('a target with a bad field still counts as known to its sources', async (t) => {
  t.same(problemsOf({ targets: { app: { url: 'nope' } }, sources: { s: { targets: ['app'] } } }), [
    p('targets.app.url', 'must be an absolute http: or https: URL')
  ])
})

t.test('did-you-mean suggests the closest key, only when it is close', async (t) => {
  const rows: Array<[Record<string, unknown>, string]> = [
    [{ timeout: 1 }, "unknown key; did you mean 'timeoutMs'?"],
    [{ TimeoutMS: 1 }, "unknown key; did you mean 'timeoutMs'?"],
    [{ conncurrency: 1 }, "unknown key; did you mean 'concurrency'?"],
    [{ retyr: {} }, "unknown key; did you mean 'retry'?"],
    [{ retries: {} }, 'unknown key'],
    [{ header: {} }, "unknown key; did you mean 'headers'?"],
    [{ colour: 'blue' }, 'unknown key']
  ]
  for (const [extra, message] of rows) {
    const key = Object.keys(extra)[0]
    t.same(problemsOf({ targets: { app: { ...app, ...extra } } }), [p(`targets.app.${key}`, message)], key)
  }
})

t.test('every problem is reported at once', async (t) => {
  const raw = {
    server: { port: 'http', bodyLimt: 10 },
    storage: { durability: 'eventual' },
    logLevel: 'loud',
    targets: {
      app: { url: 'mailto:x@y', retry: { jitter: -1, retryOn: [200] } },
      'b c': {}
    },
    sources: {
      stripe: { targets: ['ap'] },
      empty: { targets: [] },
      github: { targets: ['app'], verify: { scheme: 'github', secret: '' } }
    },
    alerts: { consecutiveFailures: 0 }
  }
  t.same(problemsOf(raw), [
    p('server.bodyLimt', "unknown key; did you mean 'bodyLimit'?"),
    p('server.port', 'expected an integer, got a string'),
    p('storage.durability', "must be one of 'full', 'normal'; got 'eventual'"),
    p('logLevel', "must be one of 'fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'; got 'loud'"),
    p('targets.app.url', 'must be an http: or https: URL, got mailto:'),
    p('targets.app.retry.jitter', 'must be between 0 and 1, got -1'),
    p('targets.app.retry.retryOn[0]', '2xx is always a success and cannot be listed'),
    p('targets["b c"]', "invalid name: use 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit"),
    p('targets["b c"].url', 'is required'),
    p('sources.stripe.targets[0]', "unknown target 'ap'; known: app, b c"),
    p('sources.empty.targets', 'must list at least one target'),
    p('sources.github.verify.secret', 'secret is empty'),
    p('alerts.consecutiveFailures', 'must be at least 1, got 0')
  ])
})

t.test('the result is deep-frozen', async (t) => {
  const { config } = validateConfig(doc({
    targets: { app: { ...app, headers: { 'X-A': '1' }, retry: { retryOn: [409] } } },
    sources: { stripe: { targets: ['app'], verify: { scheme: 'github', secrets: ['a', 'b'] } } },
    alerts: { channels: { slack: { webhookUrl: 'https://hooks.slack.com/x' } } }
  }))
  if (config === undefined) throw new Error('expected a config')
  const objects: unknown[] = [
    config, config.server, config.targets, config.targets.app, config.targets.app.headers,
    config.targets.app.retry, config.targets.app.retry.retryOn, config.sources.stripe,
    config.sources.stripe.targets, config.sources.stripe.verify, config.alerts,
    (config.alerts.channels as Record<string, unknown>).slack
  ]
  for (const [i, value] of objects.entries()) t.ok(Object.isFrozen(value), `object ${i} is frozen`)
  t.throws(() => { (config.server as { port: number }).port = 1 }, TypeError)
  t.ok(Object.isFrozen(DEFAULTS.target.retry.retryOn), 'the shared defaults are frozen too')
})

t.test('validation does not change its input', async (t) => {
  const raw = doc({ server: { port: 1 } })
  const copy = structuredClone(raw)
  validateConfig(raw)
  t.same(raw, copy)
  t.notOk(Object.isFrozen(raw))
})
