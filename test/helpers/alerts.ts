import { join } from 'node:path'
import { Writable } from 'node:stream'
import { pino, type Logger } from 'pino'
import type { Test } from 'tap'
import type { AlertRetryOptions } from '../../src/alerts/alert-dispatcher.js'
import { Alerter } from '../../src/alerts/alerter.js'
import type { AlertPayload } from '../../src/alerts/webhook-payload.js'
import type { AlertsConfig } from '../../src/config/alerts-schema.js'
import type { TargetConfig } from '../../src/config/types.js'
import { SqliteAlertStore } from '../../src/store/sqlite/sqlite-alert-store.js'
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { createTargetAgent, forward } from '../../src/worker/forward.js'
import { Worker } from '../../src/worker/worker.js'
import { testRetry, testTarget } from './config.js'
import { makeEvent } from './events.js'
import { startTarget, type Responder } from './target-server.js'

/** Waits for a condition without any timing assumption beyond a generous deadline. */
export async function until (cond: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what} not met in time`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** A real HTTP server standing in for the webhook channel (or Slack), parsing what it gets. */
export async function startAlertReceiver (t: Test, respond?: Responder) {
  const server = await startTarget(respond)
  t.teardown(() => server.close())
  return Object.assign(server, {
    /** Bodies as JSON, in arrival order (retries of one alert included). */
    bodies<T = AlertPayload> (): T[] {
      return server.received.map((r) => JSON.parse(r.body.toString()) as T)
    }
  })
}

/** A logger whose JSON lines are kept, to check what reaches the log (and what must not). */
export function captureLogger (level = 'debug'): { logger: Logger, text: () => string } {
  const chunks: string[] = []
  const stream = new Writable({
    write (chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString())
      done()
    }
  })
  return { logger: pino({ level }, stream), text: () => chunks.join('') }
}

export const FAST_RETRY: Partial<AlertRetryOptions> = { attempts: 3, initialDelayMs: 20, multiplier: 2, timeoutMs: 10_000 }

export const answer = (status: number): Responder => (_r, res) => { res.writeHead(status).end(`status ${status}`) }

// Retries every ≤100 ms and never runs out, so a target keeps failing for as long as a test needs.
export function failingTarget (name: string, url: string): TargetConfig {
  return testTarget(name, url, { retry: { ...testRetry, initialDelayMs: 20, maxDelayMs: 100, maxAttempts: 10_000, maxAgeMs: 600_000 } })
}

export interface HarnessOptions {
  readonly targets: TargetConfig[]
  readonly alerts: AlertsConfig
  readonly path?: string
  /** Added to the alerter's clock, to step over cooldowns without waiting. */
  readonly offset?: { ms: number }
  readonly logger?: Logger
  readonly retry?: Partial<AlertRetryOptions>
}

/** A real outbox, a real worker forwarding over HTTP, and the alerter on its hook. */
export async function harness (t: Test, o: HarnessOptions) {
  const logger = o.logger ?? pino({ level: 'silent' })
  const store = new SqliteStore({ path: o.path ?? join(t.testdir(), 'outbox.db'), durability: 'normal' })
  const alerter = new Alerter({
    store: new SqliteAlertStore(store.db),
    config: o.alerts,
    targets: o.targets.map((x) => x.name),
    logger,
    clock: () => Date.now() + (o.offset?.ms ?? 0),
    retry: { ...FAST_RETRY, ...o.retry }
  })
  await alerter.start()
  const agents = new Map(o.targets.map((x) => [x.name, createTargetAgent(x)]))
  const worker = new Worker({
    store,
    targets: Object.fromEntries(o.targets.map((x) => [x.name, x])),
    concurrency: 16,
    owner: 'alerts-test',
    logger,
    random: () => 0.5,
    onAttempt: alerter.onAttempt,
    send: (delivery, target, signal) => forward({ dispatcher: agents.get(target.name)!, target, delivery, signal, clock: Date.now })
  })
  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      await worker.stop(100)
      await alerter.stop(100)
      for (const a of agents.values()) await a.close()
      await store.close()
    })()
    return stopping
  }
  t.teardown(stop)
  const send = async (target: string, n = 1) => {
    const events = Array.from({ length: n }, () => makeEvent({ receivedAt: Date.now(), targets: [target] }))
    await store.insertEvents(events)
    worker.wake()
    return events.map((e) => e.deliveries[0].id)
  }
  const state = async (id: string) => (await store.getDelivery(id))?.state
  return { store, alerter, worker, stop, send, state }
}
