import { open, type FileHandle } from 'node:fs/promises'

/**
 * Makes committed WAL frames durable with fdatasync on libuv's thread pool, instead of
 * SQLite's synchronous=FULL, which syncs inside every commit on the event loop's thread.
 * A commit is durable once a sync that *started after it* has finished; concurrent callers
 * share syncs, so one fdatasync covers every commit made while the previous one ran.
 */
export class WalSync {
  readonly #path: string
  #handle: Promise<FileHandle> | undefined
  #running: Promise<void> | undefined
  #next: Promise<void> | undefined
  #syncs = 0

  constructor (walPath: string) {
    this.#path = walPath
  }

  /** Resolves once everything committed before this call is on disk. */
  sync (): Promise<void> {
    if (this.#next !== undefined) return this.#next
    if (this.#running === undefined) return this.#start()
    this.#next = this.#running.catch(() => {}).then(() => {
      this.#next = undefined
      return this.#start()
    })
    return this.#next
  }

  #start (): Promise<void> {
    // A failed open is tried again on the next call (the disk may come back).
    this.#handle ??= open(this.#path, 'r').catch((err: unknown) => {
      this.#handle = undefined
      throw err
    })
    this.#syncs++
    const run = this.#handle.then((h) => h.datasync())
    this.#running = run
    const done = () => { if (this.#running === run) this.#running = undefined }
    run.then(done, done)
    return run
  }

  /** How many fdatasync calls were made: fewer than sync() calls under concurrency. */
  get syncs (): number { return this.#syncs }

  async close (): Promise<void> {
    await this.#next?.catch(() => {})
    await this.#running?.catch(() => {})
    const handle = this.#handle
    this.#handle = undefined
    if (handle !== undefined) await (await handle.catch(() => undefined))?.close()
  }
}
