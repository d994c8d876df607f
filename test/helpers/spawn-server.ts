import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const MAIN = fileURLToPath(new URL('../../dist/src/main.js', import.meta.url))

export interface LogLine { level: number, msg: string, [key: string]: unknown }

/** The built server (dist/) as a child process, with its JSON log lines collected. */
export class ServerProcess {
  readonly child: ChildProcess
  readonly lines: LogLine[] = []
  stderr = ''
  readonly exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
  #waiters: Array<{ test: (l: LogLine) => boolean, resolve: (l: LogLine) => void }> = []

  constructor (configPath: string, env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, SIDEHOOK_CONFIG: configPath, ...env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let buf = ''
    this.child.stdout!.on('data', (chunk: Buffer) => {
      buf += chunk.toString()
      let i: number
      while ((i = buf.indexOf('\n')) !== -1) {
        const text = buf.slice(0, i)
        buf = buf.slice(i + 1)
        let line: LogLine
        try { line = JSON.parse(text) as LogLine } catch { continue }
        this.lines.push(line)
        this.#waiters = this.#waiters.filter((w) => { if (w.test(line)) { w.resolve(line); return false } return true })
      }
    })
    this.child.stderr!.on('data', (chunk: Buffer) => { this.stderr += chunk.toString() })
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })))
  }

  waitForLog (test: (l: LogLine) => boolean, timeoutMs = 20_000): Promise<LogLine> {
    const found = this.lines.find(test)
    if (found !== undefined) return Promise.resolve(found)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`log line not seen; stderr: ${this.stderr}; log: ${JSON.stringify(this.lines.slice(-5))}`)), timeoutMs)
      this.#waiters.push({ test, resolve: (l) => { clearTimeout(timer); resolve(l) } })
    })
  }

  /** Resolves with the ingest and admin URLs once both listeners are up. */
  async ready (): Promise<{ ingest: string, admin: string }> {
    const ingest = await this.waitForLog((l) => /^Ingest listening/.test(l.msg))
    const admin = await this.waitForLog((l) => /^Admin API listening/.test(l.msg))
    return { ingest: ingest.url as string, admin: admin.url as string }
  }

  kill (signal: NodeJS.Signals = 'SIGTERM') {
    this.child.kill(signal)
    return this.exited
  }
}

/** Writes a config file for a server on ephemeral ports and returns its path. */
export function writeConfig (dir: string, config: Record<string, unknown>): string {
  const path = join(dir, 'sidehook.json')
  writeFileSync(path, JSON.stringify({
    server: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    storage: { path: join(dir, 'outbox.db') },
    ...config
  }, null, 2))
  return path
}
