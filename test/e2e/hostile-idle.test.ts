/**
 * Thousands of idle connections against the built server (issue 4, item 7): connections that
 * send nothing, or half a request line, must not stop a real webhook from being answered, must
 * be closed by the server's own timeouts, and must not leave memory or descriptors behind.
 */
import { existsSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { Pool } from 'undici'
import { maxOpenFiles, openFds, rssMiB } from '../helpers/proc.js'
import { parseResponses } from '../helpers/raw-http.js'
import { MAIN, ServerProcess, writeConfig } from '../helpers/spawn-server.js'
import { startTarget } from '../helpers/target-server.js'

if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first (npm test does)`)

const WANTED_IDLE = 2000
const WANTED_HALF = 200
const RSS_GROWTH_LIMIT_MIB = 100

async function until<T> (what: string, fn: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = fn()
    if (v !== undefined && v !== false) return v
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

interface Idle { readonly socket: Socket, closedAt?: number, data: Buffer[] }

/** Opens `n` connections that send `greeting` (possibly nothing) and then stay silent. */
async function openIdle (port: number, n: number, greeting: string, into: Idle[]): Promise<void> {
  for (let done = 0; done < n; done += 100) {
    await Promise.all(Array.from({ length: Math.min(100, n - done) }, () => new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      const idle: Idle = { socket, data: [] }
      into.push(idle)
      socket.on('data', (c: Buffer) => idle.data.push(c))
      socket.on('error', () => { /* a reset is one way for the server to hang up */ })
      socket.on('close', () => { idle.closedAt = Date.now(); resolve() })
      socket.once('connect', () => { if (greeting !== '') socket.write(greeting); resolve() })
    })))
  }
}

const HEADERS_TIMEOUT_MS = 2000
const REQUEST_TIMEOUT_MS = 4000

const target = await startTarget()
t.teardown(() => target.close())
const dir = t.testdir()
const server = new ServerProcess(writeConfig(dir, {
  server: {
    host: '127.0.0.1', port: 0, rateLimit: false,
    headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS, keepAliveTimeoutMs: 2000
  },
  // writeConfig's storage object is replaced, not merged: keep the path in the test directory.
  storage: { path: join(dir, 'outbox.db'), durability: 'normal' },
  targets: { app: { url: target.url } },
  sources: { s: { targets: ['app'], dedupe: false } }
}), { LOG_LEVEL: 'info' })
t.teardown(async () => { if (server.child.exitCode === null) await server.kill('SIGKILL') })
const { ingest } = await server.ready()
const pid = server.child.pid!
const port = Number(new URL(ingest).port)
const pool = new Pool(ingest, { connections: 8 })
t.teardown(() => pool.close())
const send = async (i: number) => {
  const res = await pool.request({ path: '/in/s', method: 'POST', body: JSON.stringify({ i, pad: 'w'.repeat(500) }), headers: { 'content-type': 'application/json' } })
  await res.body.dump()
  return res.statusCode
}

t.test('thousands of idle connections', async (t) => {
  // Each idle connection costs a descriptor here and one in the server: stay well inside both limits.
  const limit = Math.min(maxOpenFiles('self') - openFds('self'), maxOpenFiles(pid) - openFds(pid))
  const scale = Math.min(1, Math.max(0, (limit - 200) / (WANTED_IDLE + WANTED_HALF) / 1.2))
  const idleCount = Math.floor(WANTED_IDLE * scale)
  const halfCount = Math.floor(WANTED_HALF * scale)
  t.ok(idleCount >= 100, `descriptor limit ${limit} allows ${idleCount} idle and ${halfCount} half-open connections`)

  // Warm up, so the baseline includes what a served webhook leaves behind (JIT, pools, caches).
  for (let i = 0; i < 300; i += 30) await Promise.all(Array.from({ length: 30 }, (_, k) => send(i + k)))
  await target.waitFor(300, 30_000)
  const baseFds = openFds(pid)
  const baseRss = rssMiB(pid)

  const idle: Idle[] = []
  const half: Idle[] = []
  // Only if the test fails half way: nothing here closes a connection otherwise.
  t.teardown(() => { for (const c of [...idle, ...half]) c.socket.destroy() })
  const opened = Date.now()
  await openIdle(port, idleCount, '', idle)
  await openIdle(port, halfCount, 'POST /in/s HTT', half)
  const openMs = Date.now() - opened
  const stillOpen = () => [...idle, ...half].filter((c) => c.closedAt === undefined).length
  const fdsWhileOpen = openFds(pid)
  const rssWhileOpen = rssMiB(pid)
  t.comment(`opened ${idleCount + halfCount} connections in ${openMs} ms; ${stillOpen()} open; server descriptors ${baseFds} -> ${fdsWhileOpen}; RSS ${baseRss.toFixed(1)} -> ${rssWhileOpen.toFixed(1)} MiB`)
  t.ok(fdsWhileOpen - baseFds > (idleCount + halfCount) / 2 || stillOpen() < (idleCount + halfCount) / 2,
    'the server really holds the connections (unless it already closed them)')

  // A real webhook on a fresh connection while they are all there.
  const started = Date.now()
  const status = await send(-1)
  const latency = Date.now() - started
  t.equal(status, 202, `a webhook is answered while ${stillOpen()} idle connections are open`)
  t.ok(latency < 5000, `promptly: ${latency} ms`)

  // Closed by the server's keep-alive, header and request timeouts: this side never closes them.
  await until('every idle connection closed by the server', () => stillOpen() === 0, 30_000)
  t.pass(`all ${idleCount + halfCount} closed by the server`)
  const lastClose = Math.max(...[...idle, ...half].map((c) => c.closedAt!))
  t.comment(`the server closed them all within ${lastClose - opened} ms of the first being opened`)
  for (const [name, group] of [['silent', idle], ['half a request line', half]] as const) {
    const answers = group.map((c): number | 'none' => parseResponses(Buffer.concat(c.data)).responses.at(0)?.status ?? 'none')
    const kinds = [...new Set(answers)]
    t.ok(kinds.every((k) => k === 'none' || k === 408 || k === 400), `${name}: closed silently or with a 408/400 (${JSON.stringify(kinds)})`)
  }

  const fdsAfter = await until('server descriptors back near the baseline', () => { const n = openFds(pid); return n <= baseFds + 20 && n }, 20_000)
  const rssAfter = rssMiB(pid)
  t.comment(`after: descriptors ${fdsAfter} (baseline ${baseFds}), RSS ${rssAfter.toFixed(1)} MiB (baseline ${baseRss.toFixed(1)}, peak seen ${rssWhileOpen.toFixed(1)})`)
  t.ok(rssAfter - baseRss < RSS_GROWTH_LIMIT_MIB, `RSS grew by ${(rssAfter - baseRss).toFixed(1)} MiB (< ${RSS_GROWTH_LIMIT_MIB})`)
  t.equal(await send(-2), 202, 'and webhooks are still accepted afterwards')
  t.equal(server.child.exitCode, null, 'the server is still running')
  t.same(server.lines.filter((l) => l.level >= 50).map((l) => l.msg), [], 'no error was logged')
})

t.test('slow senders that keep dribbling bytes are cut off by the header and request timeouts', async (t) => {
  // Each byte resets the socket's idle timer, so only the header and request timeouts can end these.
  const conns: Array<Idle & { opened: number, writes: number }> = []
  const timers: NodeJS.Timeout[] = []
  t.teardown(() => { for (const timer of timers) clearInterval(timer); for (const c of conns) c.socket.destroy() })
  const dribble = (head: string, n: number) => {
    for (let i = 0; i < n; i++) {
      const socket = connect(port, '127.0.0.1')
      const c = { socket, data: [] as Buffer[], opened: Date.now(), writes: 0, closedAt: undefined as number | undefined }
      conns.push(c)
      socket.on('data', (d: Buffer) => c.data.push(d))
      socket.on('error', () => { /* a reset is one way to be cut off */ })
      socket.on('close', () => { c.closedAt = Date.now(); clearInterval(timer) })
      socket.write(head)
      // One byte every 250 ms, at most 240 of them (a minute): bounded even if nothing cuts it off.
      const timer = setInterval(() => { if (c.writes++ < 240 && socket.writable) socket.write('a'); else clearInterval(timer) }, 250)
      timers.push(timer)
    }
  }
  dribble('POST /in/s HTTP/1.1\r\nHost: x\r\nX-Slow: ', 40)
  dribble('POST /in/s HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n', 20)
  t.equal(await send(-3), 202, 'a webhook is answered while they dribble')
  await until('every dribbling connection cut off', () => conns.every((c) => c.closedAt !== undefined), 45_000)
  const slowest = Math.max(...conns.map((c) => c.closedAt! - c.opened))
  // Node checks for expired requests only every connectionsCheckingInterval (30 s by default).
  t.ok(slowest < REQUEST_TIMEOUT_MS + 8000, `all ${conns.length} cut off, the last after ${slowest} ms (header timeout ${HEADERS_TIMEOUT_MS} ms, request timeout ${REQUEST_TIMEOUT_MS} ms)`)
  const answers = [...new Set(conns.map((c) => parseResponses(Buffer.concat(c.data)).responses.at(0)?.status ?? 'none'))]
  t.same(answers, [408], 'each with a 408')
  t.ok(conns.every((c) => { const r = parseResponses(Buffer.concat(c.data)).responses.at(0); return r === undefined || /"error":"request_timeout"/.test(r.body.toString()) }), 'in the JSON shape')
  t.equal(server.child.exitCode, null, 'the server is still running')
})
