import { DEFAULTS } from '../../src/config/defaults.js'
import { fileURLToPath } from 'node:url'
import { resolve } from 'node:path'
import t from 'tap'
import { ConfigError, loadConfig, parseConfig } from '../../src/config/load-config.js'

const defaultJson = fileURLToPath(new URL('../../config/default.json', import.meta.url))

async function rejection (promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError')
}

function thrown (fn: () => unknown): ConfigError {
  try {
    fn()
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError')
}

t.test('the shipped default.json validates with an empty environment', async (t) => {
  const config = await loadConfig({ file: defaultJson, env: {} })
  t.same(config.server, DEFAULTS.server)
  t.same(config.admin, DEFAULTS.admin)
  t.same(config.storage, DEFAULTS.storage)
  t.equal(config.targets.app.url, 'http://127.0.0.1:3000/webhooks')
  t.same(config.sources.sample, { name: 'sample', targets: ['app'], bodyLimit: 1048576, verify: null, dedupe: { mode: 'auto', windowMs: 604800000 } })
  t.same(config.alerts, { consecutiveFailures: 5, cooldownMs: 3600000, channels: {} })
})

t.test('a sidecar sets the target URL and admin token and nothing else', async (t) => {
  const config = await loadConfig({
    file: defaultJson,
    env: { SIDEHOOK_TARGET_URL: 'https://app.internal:8443/hooks', SIDEHOOK_ADMIN_TOKEN: 's3cr"et' }
  })
  t.equal(config.targets.app.url, 'https://app.internal:8443/hooks')
  t.equal(config.admin.token, 's3cr"et')
})

t.test('default.json with a bad SIDEHOOK_TARGET_URL names the target url', async (t) => {
  const error = await rejection(loadConfig({ file: defaultJson, env: { SIDEHOOK_TARGET_URL: 'app:3000' } }))
  t.same(error.problems, [{ path: 'targets.app.url', message: 'must be an http: or https: URL, got app:' }])
})

t.test('the file comes from opts.file, then SIDEHOOK_CONFIG, then config/default.json', async (t) => {
  const dir = t.testdir({
    'a.json': JSON.stringify({ server: { port: 1 } }),
    'b.json': JSON.stringify({ server: { port: 2 } }),
    config: { 'default.json': JSON.stringify({ server: { port: 3 } }) }
  })
  t.chdir(dir)
  t.equal((await loadConfig({ file: 'a.json', env: { SIDEHOOK_CONFIG: 'b.json' } })).server.port, 1)
  t.equal((await loadConfig({ env: { SIDEHOOK_CONFIG: 'b.json' } })).server.port, 2)
  t.equal((await loadConfig({ env: { SIDEHOOK_CONFIG: resolve(dir, 'b.json') } })).server.port, 2)
  t.equal((await loadConfig({ env: {} })).server.port, 3)
  t.equal((await loadConfig({ env: { SIDEHOOK_CONFIG: '' } })).server.port, 3)
})

t.test('a missing or unreadable file is a ConfigError naming the file', async (t) => {
  const dir = t.testdir({ sub: {} })
  const missing = resolve(dir, 'nope.json')
  let error = await rejection(loadConfig({ file: missing, env: {} }))
  t.equal(error.file, missing)
  t.same(error.problems, [{ path: '(file)', message: `cannot read ${missing}: file not found` }])
  t.match(error.message, `Invalid configuration in ${missing} (1 problem):\n  - (file): cannot read`)

  error = await rejection(loadConfig({ file: resolve(dir, 'sub'), env: {} }))
  t.same(error.problems, [{ path: '(file)', message: `cannot read ${resolve(dir, 'sub')}: is a directory, not a file` }])
})

t.test('bad JSON is a ConfigError naming the file, line and column', async (t) => {
  const dir = t.testdir({
    'trailing.json': '{\n  "server": { "port": 1, }\n}\n',
    'secret.json': '{\n  "admin": { "token": "${TOKEN}" }\n  "server": {}\n}\n'
  })
  let error = await rejection(loadConfig({ file: resolve(dir, 'trailing.json'), env: {} }))
  t.equal(error.file, resolve(dir, 'trailing.json'))
  t.same(error.problems, [{ path: '(file)', message: 'invalid JSON at line 2, column 26: expected a property name; trailing commas are not allowed in JSON' }])
  t.match(error.message, resolve(dir, 'trailing.json'))

  error = await rejection(loadConfig({ file: resolve(dir, 'secret.json'), env: { TOKEN: 'hunter2' } }))
  t.same(error.problems, [{ path: '(file)', message: "invalid JSON at line 3, column 3: expected ',' or '}', found '\"'" }])
  t.notMatch(error.message, 'hunter2', 'a substituted secret is never echoed')
})

t.test('parseConfig reports substitution, override and validation problems together', async (t) => {
  const text = `{
    "server": { "port": 8080 },
    "targets": { "app": { "url": "\${APP_URL}", "timeout": 5 } },
    "sources": { "stripe": { "targets": ["app"], "verify": { "scheme": "stripe", "secret": "\${STRIPE_WEBHOOK_SECRET:-}" } } }
  }`
  const error = thrown(() => parseConfig(text, { PORT: 'x' }, 'inline.json'))
  t.same(error.problems, [
    // Its follow-on "must be a URL" is not reported: the unset variable is the cause.
    { path: 'targets.app.url', message: 'environment variable APP_URL is not set' },
    { path: 'server.port', message: 'environment variable PORT must be an integer, got "x"' },
    { path: 'targets.app.timeout', message: "unknown key; did you mean 'timeoutMs'?" },
    { path: 'sources.stripe.verify.secret', message: 'secret is empty' }
  ])
  t.equal(error.message, [
    'Invalid configuration in inline.json (4 problems):',
    '  - targets.app.url: environment variable APP_URL is not set',
    '  - server.port: environment variable PORT must be an integer, got "x"',
    "  - targets.app.timeout: unknown key; did you mean 'timeoutMs'?",
    '  - sources.stripe.verify.secret: secret is empty'
  ].join('\n'))
  t.ok(Object.isFrozen(error.problems))
})

t.test('parseConfig edge cases', async (t) => {
  t.equal(parseConfig('\uFEFF{}', {}).server.port, 8080, 'a byte order mark is tolerated')
  t.same(thrown(() => parseConfig('[]', {})).problems, [{ path: '(root)', message: 'config root must be a JSON object, got an array' }])
  t.same(thrown(() => parseConfig('', {})).problems, [{ path: '(file)', message: 'invalid JSON at line 1, column 1: expected a value, found end of input' }])
  t.equal(thrown(() => parseConfig('[]', {})).message, 'Invalid configuration (1 problem):\n  - (root): config root must be a JSON object, got an array')
  const config = parseConfig('{"admin": {"token": "$${NOT_A_VAR}"}}', {})
  t.equal(config.admin.token, '${NOT_A_VAR}')
  t.ok(Object.isFrozen(config.admin))
})
