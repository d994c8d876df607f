import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Store } from './store/store.js'
import type { DeliveryState } from './store/types.js'

export type ReceivedResult = 'accepted' | 'duplicate' | 'rejected'

/**
 * Prometheus metrics of one Sidehook process, in a registry of its own (so tests and several
 * instances in one process never share counters). Outbox gauges are read from the store at
 * scrape time, so they are right after a restart and across replicas.
 */
export class Metrics {
  readonly registry = new Registry()
  readonly #received: Counter<'source' | 'result' | 'reason'>
  readonly #ack: Histogram<'source'>
  readonly #attempts: Counter<'target' | 'outcome' | 'status_class'>
  readonly #attemptSeconds: Histogram<'target'>
  readonly #alerts: Counter<'channel' | 'result'>

  constructor (store: Store, targets: readonly string[], options: { clock?: () => number, processMetrics?: boolean } = {}) {
    const clock = options.clock ?? Date.now
    const registers = [this.registry]
    this.#received = new Counter({
      name: 'sidehook_webhooks_received_total',
      help: 'Inbound webhooks by source and result (accepted, duplicate, rejected with a reason)',
      labelNames: ['source', 'result', 'reason'],
      registers
    })
    this.#ack = new Histogram({
      name: 'sidehook_ingest_ack_duration_seconds',
      help: 'Time from receiving a webhook to answering 202 (includes the durable commit)',
      labelNames: ['source'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers
    })
    this.#attempts = new Counter({
      name: 'sidehook_delivery_attempts_total',
      help: 'Delivery attempts by target, outcome (success, retry, fail) and status class (2xx..5xx, or network)',
      labelNames: ['target', 'outcome', 'status_class'],
      registers
    })
    this.#attemptSeconds = new Histogram({
      name: 'sidehook_delivery_attempt_duration_seconds',
      help: 'Duration of one delivery attempt, connect to last byte read',
      labelNames: ['target'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers
    })
    this.#alerts = new Counter({
      name: 'sidehook_alerts_sent_total',
      help: 'Alert messages by channel and result (sent, failed)',
      labelNames: ['channel', 'result'],
      registers
    })
    const outbox = new Gauge({
      name: 'sidehook_outbox_deliveries',
      help: 'Deliveries in the outbox by target and state',
      labelNames: ['target', 'state'],
      registers,
      async collect () {
        this.reset()
        for (const [target, counts] of Object.entries(await store.countsByTarget())) {
          for (const [state, n] of Object.entries(counts)) this.set({ target, state: state as DeliveryState }, n)
        }
      }
    })
    void outbox
    const oldest = new Gauge({
      name: 'sidehook_outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest pending delivery per target (0 when none is pending)',
      labelNames: ['target'],
      registers,
      async collect () {
        this.reset()
        const now = clock()
        for (const [target, createdAt] of Object.entries(await store.oldestPending(targets))) {
          this.set({ target }, createdAt === null ? 0 : Math.max(0, (now - createdAt) / 1000))
        }
      }
    })
    void oldest
    // The event-loop delay histogram samples on a timer of this period (ms); a finer one wakes an
    // idle process ten times a second for nothing but this metric.
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'sidehook_', eventLoopMonitoringPrecision: 1000 })
  }

  // prom-client hashes a label object on every call; the hot paths keep the labelled
  // children instead (label values come from the config and fixed vocabularies, so few).
  readonly #children = new Map<string, { inc: () => void } | { observe: (v: number) => void }>()

  #child<T extends { inc: () => void } | { observe: (v: number) => void }> (key: string, make: () => T): T {
    let c = this.#children.get(key) as T | undefined
    if (c === undefined) {
      c = make()
      this.#children.set(key, c)
    }
    return c
  }

  webhookReceived (source: string, result: ReceivedResult, reason = '', seconds?: number): void {
    this.#child(`r\0${source}\0${result}\0${reason}`, () => this.#received.labels({ source, result, reason })).inc()
    if (seconds !== undefined && result !== 'rejected') this.#child(`a\0${source}`, () => this.#ack.labels({ source })).observe(seconds)
  }

  attemptRecorded (target: string, outcome: string, status: number | null, seconds: number): void {
    const statusClass = status === null ? 'network' : `${Math.floor(status / 100)}xx`
    this.#child(`t\0${target}\0${outcome}\0${statusClass}`, () => this.#attempts.labels({ target, outcome, status_class: statusClass })).inc()
    this.#child(`s\0${target}`, () => this.#attemptSeconds.labels({ target })).observe(seconds)
  }

  alertSent (channel: string, ok: boolean): void {
    this.#alerts.inc({ channel, result: ok ? 'sent' : 'failed' })
  }
}
