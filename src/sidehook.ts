import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import type { Dispatcher } from 'undici'
import { Alerter } from './alerts/alerter.js'
import type { AlertStore } from './alerts/alert-store.js'
import { Batcher } from './batcher.js'
import type { AlertsConfig } from './config/alerts-schema.js'
import type { Config } from './config/types.js'
import { buildAdminApp } from './http/admin/admin-app.js'
import { buildIngestApp } from './http/ingest-app.js'
import { Metrics } from './metrics.js'
import { Retention } from './retention.js'
import { SqliteAlertStore } from './store/sqlite/sqlite-alert-store.js'
import { SqliteStore } from './store/sqlite/sqlite-store.js'
import type { Store } from './store/store.js'
import type { InsertResult, NewEvent } from './store/types.js'
import { createTargetAgent, forward } from './worker/forward.js'
import { Worker, type AttemptReport } from './worker/worker.js'

export interface SidehookOptions {
  readonly config: Config
  readonly logger: Logger
  /** Defaults to the SQLite outbox at config.storage.path. */
  readonly store?: Store
  /** Defaults to the alert tables next to a SqliteStore; required with any other store. */
  readonly alertStore?: AlertStore
  readonly clock?: () => number
  readonly onAttempt?: (report: AttemptReport) => void
}

export interface RunningSidehook {
  readonly ingestUrl: string
  readonly adminUrl: string
  readonly store: Store
  readonly worker: Worker
  readonly metrics: Metrics
  readonly alerter: Alerter
  /** Stops accepting, commits what was acknowledged, ends attempts within the grace, closes the database. */
  readonly close: () => Promise<void>
}

/** Wires store, worker and both listeners. The only place that knows all of them. */
export async function startSidehook (options: SidehookOptions): Promise<RunningSidehook> {
  const { config, logger } = options
  const clock = options.clock ?? Date.now
  const log = logger.child({ component: 'sidehook' })
  const store = options.store ?? new SqliteStore(config.storage)
  const alertStore = options.alertStore ?? (store instanceof SqliteStore ? new SqliteAlertStore(store.db) : undefined)
  if (alertStore === undefined) throw new Error('startSidehook: a store other than SqliteStore needs an alertStore as well')
  const metrics = new Metrics(store, Object.keys(config.targets), { clock })
  // validate-config.ts checked config.alerts with alertsSchema, which yields an AlertsConfig.
  const alerter = new Alerter({
    store: alertStore, config: config.alerts as AlertsConfig, targets: Object.keys(config.targets), logger, clock,
    onSent: (channel, ok) => { metrics.alertSent(channel, ok) }
  })
  try {
    await alerter.start()
  } catch (err) {
    await alerter.stop(0)
    await store.close()
    throw err
  }
  const forwardLog = logger.child({ component: 'forward' })
  const agents = new Map<string, Dispatcher>(Object.values(config.targets).map((t) => [t.name, createTargetAgent(t)]))
  const worker = new Worker({
    store,
    targets: config.targets,
    concurrency: config.worker.concurrency,
    owner: `${process.pid}-${randomBytes(4).toString('hex')}`,
    logger,
    clock,
    onAttempt: (report) => {
      metrics.attemptRecorded(report.record.target, report.record.outcome, report.record.status, report.record.durationMs / 1000)
      alerter.onAttempt(report)
      options.onAttempt?.(report)
    },
    send: (delivery, target, signal) => forward({ dispatcher: agents.get(target.name)!, target, delivery, signal, clock, logger: forwardLog })
  })
  const commits = new Batcher<NewEvent, InsertResult>((events) => store.insertEvents(events), { serial: true })
  const health = { ready: () => store.checkWritable() }
  const ingest = buildIngestApp({
    config,
    health,
    logger,
    clock,
    // A source name not in the config comes from the sender's URL: as a label it would let
    // anyone create metric series without bound.
    observe: (source, result, reason, seconds) => {
      metrics.webhookReceived(Object.hasOwn(config.sources, source) ? source : '', result, reason, seconds)
    },
    commit: async (event) => {
      const result = await commits.add(event)
      if (result.duplicateOf === null) worker.offer(event.deliveries)
      return result
    }
  })
  const adminHost = config.admin.token === '' ? '127.0.0.1' : config.admin.host
  const admin = buildAdminApp({
    store, targets: config.targets, token: config.admin.token, maxFailedAuthPerMinute: config.admin.maxFailedAuthPerMinute,
    rateLimit: config.admin.rateLimit,
    health, logger, clock, wake: () => worker.wake(), alerter, metrics
  })

  let ingestUrl: string
  let adminUrl: string
  try {
    ingestUrl = await ingest.listen({ host: config.server.host, port: config.server.port })
    adminUrl = await admin.listen({ host: adminHost, port: config.admin.port })
  } catch (err) {
    await Promise.allSettled([ingest.close(), admin.close()])
    await alerter.stop(0)
    await store.close()
    throw err
  }
  if (config.admin.token === '') {
    log.warn({ host: adminHost }, 'No admin token is set (SIDEHOOK_ADMIN_TOKEN), so the admin API listens on 127.0.0.1 only and asks for no token')
  }
  log.info({ url: ingestUrl, sources: Object.keys(config.sources) }, `Ingest listening on ${ingestUrl} (POST ${ingestUrl}/in/<source>)`)
  log.info({ url: adminUrl }, `Admin API listening on ${adminUrl}`)
  worker.wake()
  const retention = new Retention(store, config.storage.retention, logger, clock)
  retention.start()

  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    closing ??= (async () => {
      log.info('Shutting down: no new webhooks are accepted')
      await ingest.close()
      await commits.drain()
      await worker.stop(config.worker.shutdownGraceMs)
      // After the worker, so the alerts of its last attempts are still decided and sent.
      await alerter.stop(config.worker.shutdownGraceMs)
      await retention.stop()
      await admin.close()
      await Promise.allSettled([...agents.values()].map((a) => a.close()))
      await store.close()
      log.info('Shut down cleanly')
    })()
    return closing
  }
  return { ingestUrl, adminUrl, store, worker, alerter, metrics, close }
}
