import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const REPO = fileURLToPath(new URL('..', import.meta.url))

/** Every process the bench started, so a failure or Ctrl-C never leaves one behind. */
const live = new Set<ChildProcess>()
export function track (child: ChildProcess): void {
  live.add(child)
  child.once('exit', () => live.delete(child))
}
export function killAll (): void {
  for (const child of live) child.kill('SIGKILL')
}

/** Waits for a child to exit after a signal, escalating to SIGKILL after `graceMs`. */
export async function stopChild (child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  child.kill(signal)
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  const code = await exited
  clearTimeout(timer)
  return code
}

export interface HelperMessage { type: string, [key: string]: unknown }

/**
 * A helper server of the bench (target, baseline) in its own process, written in TypeScript
 * and run through tsx's loader. It talks over the IPC channel: `ready` first, then answers.
 */
export class HelperProcess {
  readonly child: ChildProcess
  readonly #waiting = new Map<number, (m: HelperMessage) => void>()
  #seq = 0
  stderr = ''

  constructor (script: string, args: readonly string[] = []) {
    this.child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...args], {
      cwd: REPO,
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      env: { ...process.env, NODE_ENV: 'production' }
    })
    track(this.child)
    this.child.stderr!.on('data', (c: Buffer) => { this.stderr += c.toString() })
    this.child.on('message', (m: HelperMessage & { seq?: number }) => {
      if (typeof m.seq !== 'number') return
      const resolve = this.#waiting.get(m.seq)
      this.#waiting.delete(m.seq)
      resolve?.(m)
    })
  }

  get pid (): number { return this.child.pid! }

  /** Resolves with the helper's URL once it listens. */
  ready (timeoutMs = 60_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`helper did not start: ${this.stderr}`)), timeoutMs)
      const onMessage = (m: HelperMessage) => {
        if (m.type !== 'ready') return
        clearTimeout(timer)
        this.child.off('message', onMessage)
        resolve(m.url as string)
      }
      this.child.on('message', onMessage)
      this.child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`helper exited (${code}): ${this.stderr}`)) })
    })
  }

  /** Sends a request and resolves with the helper's answer to it. */
  ask (message: HelperMessage): Promise<HelperMessage> {
    const seq = ++this.#seq
    return new Promise((resolve, reject) => {
      if (!this.child.connected) { reject(new Error(`helper is gone: ${this.stderr}`)); return }
      this.#waiting.set(seq, resolve)
      this.child.send({ ...message, seq })
    })
  }

  stop (): Promise<number | null> { return stopChild(this.child) }
}
