import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { request } from 'undici'
import { REPO, stopChild, track } from './children.js'

export const MAIN = join(REPO, 'dist', 'src', 'main.js')
export const TOKEN = 'bench-admin-token'
export const SOURCE = 'bench'
export const TARGET = 'app'
/** Where a target that must never be reached points (discard port; it stays paused anyway). */
export const NOWHERE = 'http://127.0.0.1:9/unused'

export interface SidehookSpec {
  readonly dir: string
  readonly targetUrl: string
  readonly deliveryConcurrency: number
  readonly durability?: 'full' | 'normal'
  /** When set, the process writes a V8 CPU profile into this folder on exit. */
  readonly cpuProfDir?: string
}

/** The sidehook config of the bench: one source, one target, ephemeral ports, the outbox in `dir`. */
export function writeSidehookConfig (spec: SidehookSpec): { configPath: string, dbPath: string } {
  mkdirSync(spec.dir, { recursive: true })
  const dbPath = join(spec.dir, 'outbox.db')
  const configPath = join(spec.dir, 'sidehook.json')
  writeFileSync(configPath, JSON.stringify({
    // All load comes from one address, so the per-sender flood guard would answer most of it
    // with 429: the bench measures the ingest path, not the limiter.
    server: { host: '127.0.0.1', port: 0, rateLimit: false },
    admin: { host: '127.0.0.1', port: 0 },
    storage: { path: dbPath, durability: spec.durability ?? 'full' },
    targets: { [TARGET]: { url: spec.targetUrl, concurrency: spec.deliveryConcurrency } },
    sources: { [SOURCE]: { targets: [TARGET] } }
  }, null, 2))
  return { configPath, dbPath }
}

/** The built server (`node dist/src/main.js`) as a child process, found through its JSON log. */
export class SidehookProcess {
  readonly child: ChildProcess
  readonly exited: Promise<number | null>
  ingestUrl = ''
  adminUrl = ''
  stderr = ''
  readonly #lines: Array<Record<string, unknown>> = []
  #onLine: (() => void) | undefined

  constructor (configPath: string, cpuProfDir?: string) {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first ("npm run bench" does)`)
    const args = cpuProfDir === undefined ? [MAIN] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`, MAIN]
    this.child = spawn(process.execPath, args, {
      cwd: REPO,
      env: { PATH: process.env.PATH, SIDEHOOK_CONFIG: configPath, SIDEHOOK_ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'info', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    track(this.child)
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)))
    let buf = ''
    this.child.stdout!.on('data', (chunk: Buffer) => {
      buf += chunk.toString()
      let i: number
      while ((i = buf.indexOf('\n')) !== -1) {
        const text = buf.slice(0, i)
        buf = buf.slice(i + 1)
        try { this.#lines.push(JSON.parse(text) as Record<string, unknown>) } catch { continue }
        this.#onLine?.()
      }
    })
    this.child.stderr!.on('data', (c: Buffer) => { this.stderr += c.toString() })
  }

  get pid (): number { return this.child.pid! }

  /** Log lines at warn level or above (level >= 40), for the report. */
  get problems (): Array<Record<string, unknown>> { return this.#lines.filter((l) => typeof l.level === 'number' && l.level >= 40 && !/No admin token/.test(String(l.msg))) }

  async ready (timeoutMs = 60_000): Promise<this> {
    const find = (re: RegExp) => this.#lines.find((l) => re.test(String(l.msg)))?.url as string | undefined
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (find(/^Ingest listening/) !== undefined && find(/^Admin API listening/) !== undefined) {
          clearTimeout(timer)
          this.#onLine = undefined
          resolve()
        }
      }
      const timer = setTimeout(() => reject(new Error(`Sidehook did not start in ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs)
      this.child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`Sidehook exited (${code}) before listening; stderr: ${this.stderr}`)) })
      this.#onLine = check
      check()
    })
    this.ingestUrl = find(/^Ingest listening/)!
    this.adminUrl = find(/^Admin API listening/)!
    return this
  }

  async admin (path: string, method: 'GET' | 'POST' = 'GET'): Promise<any> {
    const res = await request(`${this.adminUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      body: method === 'POST' ? '{}' : undefined
    })
    const body = await res.body.json()
    if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${JSON.stringify(body)}`)
    return body
  }

  pause (): Promise<unknown> { return this.admin(`/admin/targets/${TARGET}/pause`, 'POST') }
  resume (): Promise<unknown> { return this.admin(`/admin/targets/${TARGET}/resume`, 'POST') }

  /** The delivery counts of the bench target, from `GET /admin/targets`. */
  async counts (): Promise<Record<string, number>> {
    const { items } = await this.admin('/admin/targets') as { items: Array<{ name: string, counts: Record<string, number> }> }
    return items.find((t) => t.name === TARGET)?.counts ?? {}
  }

  /** SIGTERM, a clean shutdown (which also writes the CPU profile), SIGKILL after the grace. */
  stop (): Promise<number | null> { return stopChild(this.child, 'SIGTERM', 30_000) }
}
