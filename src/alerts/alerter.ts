import type { Logger } from 'pino'
import { Agent } from 'undici'
import type { AlertsConfig } from '../config/alerts-schema.js'
import { newId } from '../ids.js'
import type { AttemptReport } from '../worker/worker.js'
import { factsOf } from './attempt-facts.js'
import { AlertDispatcher, DEFAULT_ALERT_RETRY, type AlertRetryOptions, type ChannelReport, type SendJob } from './alert-dispatcher.js'
import type { AlertStore, HistoryFilter, HistoryPage } from './alert-store.js'
import { buildChannels } from './channels/build-channels.js'
import type { AlertChannel } from './channels/channel.js'
import { createSmtpTransport, type SmtpTransport } from './channels/email-channel.js'
import { describeAlert } from './describe.js'
import { decideOnAttempt, decideOnTime, EMPTY_STATE, isEmptyState, nextDueAt } from './rules.js'
import { maskSettings, redactor, restoreSecrets, secretsOf } from './secrets.js'
import { checkSettings, normalizeSettings, rulesFor, settingsFromConfig, type AlertSettings, type AlertSettingsInput } from './settings.js'
import type { Alert, AlertDraft, AttemptFacts, TargetAlertState } from './types.js'

export interface AlerterOptions {
  readonly store: AlertStore
  /** config.alerts: seeds the settings of a new database; its `smtp` is the mail server. */
  readonly config: AlertsConfig
  /** The configured target names: overrides must name one of them. */
  readonly targets: readonly string[]
  readonly logger: Logger
  readonly clock?: () => number
  readonly retry?: Partial<AlertRetryOptions>
  /** Told the final result of every alert send, per channel (metrics). */
  readonly onSent?: (channel: string, ok: boolean) => void
}

export interface TestResult {
  readonly alertId: string
  readonly results: ChannelReport[]
}

const HISTORY_RETENTION_MS = 30 * 86_400_000
const PRUNE_EVERY = 500
// Reports wait here only while a batch is being written; this bounds memory if storage hangs.
const MAX_QUEUE = 100_000
const MAX_TIMER_MS = 2_147_483_647

/**
 * Turns recorded attempts into alerts. The worker's hook only queues; decisions, storage and
 * sending happen later in batches, so a slow or broken channel never touches deliveries.
 * Nothing here throws into the caller: trouble becomes a log line and a history row.
 */
export class Alerter {
  readonly #store: AlertStore
  readonly #config: AlertsConfig
  readonly #targets: readonly string[]
  readonly #log: Logger
  readonly #clock: () => number
  readonly #http = new Agent({ connect: { timeout: 10_000 }, connections: 4 })
  readonly #transport: SmtpTransport | null
  readonly #dispatcher: AlertDispatcher
  #settings: AlertSettings = normalizeSettings({})
  #channels: AlertChannel[] = []
  readonly #states = new Map<string, TargetAlertState>()
  #queue: AttemptFacts[] = []
  #scheduled = false
  #draining: Promise<void> | null = null
  #again = false
  #timer: NodeJS.Timeout | undefined
  #started = false
  #stopped = false
  #dropped = 0
  #sincePrune = 0

  constructor (options: AlerterOptions) {
    this.#store = options.store
    this.#config = options.config
    this.#targets = options.targets
    this.#log = options.logger.child({ component: 'alerts' })
    this.#clock = options.clock ?? Date.now
    this.#transport = options.config.smtp === undefined ? null : createSmtpTransport(options.config.smtp)
    this.#dispatcher = new AlertDispatcher({
      store: options.store, logger: this.#log, clock: this.#clock, retry: { ...DEFAULT_ALERT_RETRY, ...options.retry }, onFinished: options.onSent
    })
  }

  /** Loads (or seeds from the config file) the settings and every target's incident state. */
  async start (): Promise<void> {
    const now = this.#clock()
    const seed = settingsFromConfig(this.#config)
    let settings = await this.#store.seedSettings(seed, now)
    const stale = Object.keys(settings.targets).filter((name) => !this.#targets.includes(name))
    if (stale.length > 0) {
      settings = { ...settings, targets: Object.fromEntries(Object.entries(settings.targets).filter(([name]) => !stale.includes(name))) }
      await this.#store.saveSettings(settings, now)
      this.#log.warn({ targets: stale }, 'Dropped alert overrides of targets that are no longer configured')
    }
    if (JSON.stringify(settings) !== JSON.stringify(seed)) {
      this.#log.info('Alert settings come from the database; the config file only seeds a new one (change them with PUT /admin/alerts/settings)')
    }
    this.#apply(settings)
    const gone = new Map<string, TargetAlertState>()
    for (const [target, state] of await this.#store.loadStates()) {
      if (this.#targets.includes(target)) this.#states.set(target, state)
      else gone.set(target, EMPTY_STATE)
    }
    if (gone.size > 0) await this.#store.commit({ states: gone, history: [] }, now)
    const interrupted = await this.#store.failUnfinished('not sent: Sidehook stopped while sending it', now)
    if (interrupted > 0) this.#log.warn({ count: interrupted }, 'Some alerts were still being sent when Sidehook last stopped; they are marked failed')
    await this.#store.pruneHistory(now - HISTORY_RETENTION_MS)
    this.#started = true
    this.#log.info({ channels: this.#channels.map((c) => c.name), openIncidents: [...this.#states.values()].filter((s) => s.failing?.alertedAt != null).length },
      this.#channels.length === 0 ? 'Alerts: no channel is configured, alerts are only logged' : `Alerts go to ${this.#channels.map((c) => c.name).join(', ')}`)
    this.wake()
  }

  /** The worker's hook: queues and returns at once, never throws. */
  readonly onAttempt = (report: AttemptReport): void => {
    try {
      // Attempts cut short by our own shutdown say nothing about the target.
      if (this.#stopped || !report.record.countsForHealth) return
      if (this.#queue.length >= MAX_QUEUE) {
        if (this.#dropped++ === 0) this.#log.error({ queued: this.#queue.length }, 'Alert queue is full; attempt reports are being dropped')
        return
      }
      this.#queue.push(factsOf(report))
      if (!this.#scheduled) {
        this.#scheduled = true
        setImmediate(() => { this.#scheduled = false; this.wake() })
      }
    } catch (err) {
      this.#log.error({ err }, 'Could not queue an attempt report for alerts')
    }
  }

  /** Processes queued reports and grouped alerts whose window ended. Cheap to call often. */
  wake (): void {
    if (!this.#started) return
    if (this.#draining !== null) {
      this.#again = true
      return
    }
    this.#draining = this.#drain().catch((err: unknown) => {
      this.#log.error({ err }, 'Alert processing failed')
    }).finally(() => {
      this.#draining = null
      this.#arm()
    })
  }

  async #drain (): Promise<void> {
    do {
      this.#again = false
      const batch = this.#queue
      this.#queue = []
      const now = this.#clock()
      const changed = new Map<string, TargetAlertState>()
      const drafts: AlertDraft[] = []
      const apply = (target: string, prev: TargetAlertState, state: TargetAlertState, alerts: readonly AlertDraft[]) => {
        drafts.push(...alerts)
        if (JSON.stringify(state) === JSON.stringify(prev)) return
        changed.set(target, state)
        if (isEmptyState(state)) this.#states.delete(target)
        else this.#states.set(target, state)
      }
      for (const facts of batch) {
        const prev = this.#states.get(facts.target) ?? EMPTY_STATE
        const d = decideOnAttempt(prev, facts, rulesFor(this.#settings, facts.target), now)
        apply(facts.target, prev, d.state, d.alerts)
      }
      for (const [target, prev] of [...this.#states]) {
        const rules = rulesFor(this.#settings, target)
        const due = nextDueAt(prev, rules)
        if (due === null || due > now) continue
        const d = decideOnTime(target, prev, rules, now)
        apply(target, prev, d.state, d.alerts)
      }
      if (changed.size > 0 || drafts.length > 0) await this.#emit(changed, drafts, now)
    } while (this.#queue.length > 0 || this.#again)
  }

  async #emit (states: Map<string, TargetAlertState>, drafts: readonly AlertDraft[], now: number): Promise<void> {
    const alerts: Alert[] = drafts.map((d) => ({ ...d, id: newId('alr', now) }))
    const jobs = this.#jobs(alerts, now)
    try {
      await this.#store.commit({ states, history: jobs.map((j) => ({ id: j.historyId, alert: j.alert, channel: j.channel.name, createdAt: now })) }, now)
    } catch (err) {
      this.#log.error({ err }, 'Could not store alert state; alerts are still sent')
    }
    for (const alert of alerts) {
      const level = alert.kind === 'target.recovered' ? 'info' : 'warn'
      this.#log[level]({ alertId: alert.id, type: alert.kind, target: alert.target, channels: this.#channels.map((c) => c.name) }, describeAlert(alert).summary)
    }
    for (const job of jobs) void this.#dispatcher.send(job)
    this.#sincePrune += jobs.length
    if (this.#sincePrune >= PRUNE_EVERY) {
      this.#sincePrune = 0
      await this.#store.pruneHistory(now - HISTORY_RETENTION_MS).catch((err: unknown) => this.#log.error({ err }, 'Could not prune the alert history'))
    }
  }

  #jobs (alerts: readonly Alert[], now: number): SendJob[] {
    return alerts.flatMap((alert) => this.#channels.map((channel) => ({ historyId: newId('alh', now), alert, channel })))
  }

  // One timer, set to the end of the earliest cooldown window that holds unreported failures.
  #arm (): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    if (this.#stopped) return
    let at = Infinity
    for (const [target, state] of this.#states) at = Math.min(at, nextDueAt(state, rulesFor(this.#settings, target)) ?? Infinity)
    if (at === Infinity) return
    this.#timer = setTimeout(() => this.wake(), Math.min(Math.max(0, at - this.#clock()), MAX_TIMER_MS))
    this.#timer.unref()
  }

  #apply (settings: AlertSettings): void {
    this.#settings = settings
    const redact = redactor(secretsOf(settings.channels, this.#config.smtp))
    this.#channels = buildChannels(settings.channels, { dispatcher: this.#http, transport: this.#transport, clock: this.#clock, redact })
    if (settings.channels.email !== undefined && this.#transport === null) {
      this.#log.warn('The email alert channel is set but alerts.smtp is not configured; email is skipped')
    }
  }

  /** The settings in force, secrets masked: what GET /admin/alerts/settings answers. */
  publicSettings (): AlertSettings {
    return maskSettings(this.#settings)
  }

  /**
   * Replaces the settings (masked secrets mean "keep the stored one"), stores them and applies
   * them at once. Throws AlertSettingsError naming the field at fault; returns them masked.
   */
  async updateSettings (input: AlertSettingsInput): Promise<AlertSettings> {
    const settings = restoreSecrets(normalizeSettings(input), this.#settings)
    checkSettings(settings, { knownTargets: this.#targets, smtpConfigured: this.#transport !== null })
    await this.#store.saveSettings(settings, this.#clock())
    this.#apply(settings)
    this.#log.info({ channels: this.#channels.map((c) => c.name), overrides: Object.keys(settings.targets) }, 'Alert settings changed')
    // A shorter cooldown may have ended a grouping window already.
    this.wake()
    return maskSettings(settings)
  }

  /** Sends a test alert through every configured channel once and reports how each went. */
  async sendTest (): Promise<TestResult> {
    const now = this.#clock()
    const alert: Alert = {
      id: newId('alr', now), kind: 'test', target: null, at: now, threshold: null, consecutiveFailures: null,
      failingSince: null, durationMs: null, failedDeliveries: null, last: null, deliveryIds: []
    }
    const jobs = this.#jobs([alert], now)
    if (jobs.length === 0) return { alertId: alert.id, results: [] }
    await this.#store.commit({ states: new Map(), history: jobs.map((j) => ({ id: j.historyId, alert, channel: j.channel.name, createdAt: now })) }, now)
      .catch((err: unknown) => this.#log.error({ err }, 'Could not record the test alert in the history'))
    // One try each: the operator is waiting for the answer and can simply ask again.
    return { alertId: alert.id, results: await Promise.all(jobs.map((j) => this.#dispatcher.send(j, 1))) }
  }

  history (filter: HistoryFilter, page: { readonly limit: number, readonly before?: string }): Promise<HistoryPage> {
    return this.#store.listHistory(filter, page)
  }

  /** Resolves once every queued report is decided and every send has finished (tests, shutdown). */
  async idle (): Promise<void> {
    for (;;) {
      if (this.#scheduled) await new Promise((resolve) => setImmediate(resolve))
      else if (this.#draining !== null) await this.#draining
      else if (this.#dispatcher.busy) await this.#dispatcher.idle()
      else return
    }
  }

  /**
   * Call after the worker stopped: decides what is still queued, gives sends in flight
   * `graceMs`, then closes the connections. Retries still waiting are recorded as failed.
   */
  async stop (graceMs: number): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.wake()
    while (this.#scheduled || this.#draining !== null) {
      if (this.#draining !== null) await this.#draining
      else await new Promise((resolve) => setImmediate(resolve))
    }
    await this.#dispatcher.stop(graceMs)
    this.#transport?.close()
    await this.#http.close().catch(() => undefined)
  }
}
