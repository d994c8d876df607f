import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { ServerProcess } from '../helpers/spawn-server.js'

// The container HEALTHCHECK (dist/src/healthcheck.js) against the built server.

const CHECK = fileURLToPath(new URL('../../dist/src/healthcheck.js', import.meta.url))

function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    }).on('error', reject)
  })
}

function healthcheck (env: Record<string, string>): Promise<number | null> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CHECK], { env: { PATH: process.env.PATH, ...env }, timeout: 20_000 }, (err) => {
      resolve(err === null ? 0 : (err as { code?: number }).code ?? null)
    })
  })
}

t.test('probes the port the config file sets, and fails once the server is gone', async (t) => {
  const dir = t.testdir()
  const port = await freePort()
  const configPath = join(dir, 'sidehook.json')
  writeFileSync(configPath, JSON.stringify({
    server: { host: '127.0.0.1', port },
    admin: { host: '127.0.0.1', port: 0 },
    storage: { path: join(dir, 'outbox.db') },
    targets: { app: { url: 'http://127.0.0.1:9/hooks' } },
    sources: { shop: { targets: ['app'] } }
  }))
  const server = new ServerProcess(configPath, { SIDEHOOK_ADMIN_TOKEN: 'x'.repeat(32) })
  t.teardown(() => { server.child.kill('SIGKILL') })
  await server.ready()
  t.equal(await healthcheck({ SIDEHOOK_CONFIG: configPath }), 0, 'healthy: the port came from the file, not PORT')
  t.equal(await healthcheck({ SIDEHOOK_CONFIG: configPath, PORT: String(await freePort()) }), 1, 'PORT overrides the file, as for the server: nothing listens there')
  await server.kill()
  t.equal(await healthcheck({ SIDEHOOK_CONFIG: configPath }), 1, 'unhealthy once the server stopped')
  t.equal(await healthcheck({ SIDEHOOK_CONFIG: join(dir, 'missing.json') }), 1, 'unhealthy when the config cannot be read')
})

t.test('a wildcard bind is probed on loopback', async (t) => {
  const { probeHost } = await import('../../src/healthcheck-host.js')
  t.equal(probeHost('0.0.0.0'), '127.0.0.1')
  t.equal(probeHost(''), '127.0.0.1')
  t.equal(probeHost('::'), '[::1]')
  t.equal(probeHost('::1'), '[::1]')
  t.equal(probeHost('10.0.0.5'), '10.0.0.5')
})
