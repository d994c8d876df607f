import t from 'tap'
import { applyEnvOverrides } from '../../src/config/env-overrides.js'
import { ConfigError, parseConfig } from '../../src/config/load-config.js'

const base = { server: { host: '127.0.0.1', port: 8080 }, admin: { token: 'from-file' } }

t.test('each variable lands on its key, keeping the rest of the section', async (t) => {
  const rows: Array<[Record<string, string>, Record<string, unknown>]> = [
    [{ PORT: '9000' }, { ...base, server: { host: '127.0.0.1', port: 9000 } }],
    [{ PORT: ' 9000 ' }, { ...base, server: { host: '127.0.0.1', port: 9000 } }],
    [{ ADMIN_PORT: '9001' }, { ...base, admin: { token: 'from-file', port: 9001 } }],
    [{ SIDEHOOK_DB: '/data/x.db' }, { ...base, storage: { path: '/data/x.db' } }],
    [{ SIDEHOOK_ADMIN_TOKEN: 'secret' }, { ...base, admin: { token: 'secret' } }],
    [{ LOG_LEVEL: 'debug' }, { ...base, logLevel: 'debug' }],
    [{ PORT: '' }, base],
    [{}, base]
  ]
  for (const [env, expected] of rows) {
    const result = applyEnvOverrides(base, env)
    t.same(result.raw, expected, JSON.stringify(env))
    t.same(result.problems, [])
  }
  t.same(base, { server: { host: '127.0.0.1', port: 8080 }, admin: { token: 'from-file' } }, 'input untouched')
})

t.test('a non-integer port is a problem naming the variable', async (t) => {
  const result = applyEnvOverrides(base, { PORT: '80a', ADMIN_PORT: '1.5' })
  t.same(result.problems, [
    { path: 'server.port', message: 'environment variable PORT must be an integer, got "80a"' },
    { path: 'admin.port', message: 'environment variable ADMIN_PORT must be an integer, got "1.5"' }
  ])
  t.same(result.raw, base, 'the file value stays')
})

t.test('overrides leave a wrong-typed section or root for validation to report', async (t) => {
  t.same(applyEnvOverrides({ server: 'x' }, { PORT: '1' }).raw, { server: 'x' })
  t.same(applyEnvOverrides([1], { PORT: '1' }).raw, [1])
})

t.test('through parseConfig', async (t) => {
  const text = JSON.stringify({ server: { port: 8080 }, logLevel: 'info' })
  const config = parseConfig(text, { PORT: '3000', ADMIN_PORT: '3001', SIDEHOOK_DB: ':memory:', SIDEHOOK_ADMIN_TOKEN: 'tok', LOG_LEVEL: 'warn' })
  t.equal(config.server.port, 3000)
  t.equal(config.admin.port, 3001)
  t.equal(config.storage.path, ':memory:')
  t.equal(config.admin.token, 'tok')
  t.equal(config.logLevel, 'warn')

  const error = t.throws(() => parseConfig(text, { PORT: 'eighty', ADMIN_PORT: '70000', LOG_LEVEL: 'loud' }))
  t.type(error, ConfigError)
  t.same((error as ConfigError).problems, [
    { path: 'server.port', message: 'environment variable PORT must be an integer, got "eighty"' },
    { path: 'admin.port', message: 'must be between 0 and 65535, got 70000 (set by environment variable ADMIN_PORT)' },
    { path: 'logLevel', message: "must be one of 'fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'; got 'loud' (set by environment variable LOG_LEVEL)" }
  ])
})
