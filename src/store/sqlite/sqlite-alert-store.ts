import { and, desc, DrizzleQueryError, eq, lt, type SQL } from 'drizzle-orm'
import type { AlertChanges, AlertStore, HistoryFilter, HistoryPage, HistoryUpdate } from '../../alerts/alert-store.js'
import { isEmptyState } from '../../alerts/rules.js'
import { normalizeSettings, type AlertSettings } from '../../alerts/settings.js'
import type { Alert, AlertHistoryEntry, TargetAlertState } from '../../alerts/types.js'
import type { SqliteDb } from './open-database.js'
import { alertHistory, alertSettings, alertTargets } from './schema.js'

const SETTINGS_ROW = 1

type HistoryRow = typeof alertHistory.$inferSelect

function historyFromRow (row: HistoryRow): AlertHistoryEntry {
  return {
    id: row.id,
    alert: JSON.parse(row.alert) as Alert,
    channel: row.channel,
    status: row.status,
    attempts: row.attempts,
    result: row.result,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt
  }
}

// Settings are read back through normalizeSettings so that rows written by an older version
// get the defaults of fields added since.
function settingsFromJson (json: string): AlertSettings {
  return normalizeSettings(JSON.parse(json) as AlertSettings)
}

/**
 * The alert tables in the outbox's SQLite file, through the outbox's own connection
 * (SqliteStore.db). Writes are short immediate transactions; none is held across a send.
 */
export class SqliteAlertStore implements AlertStore {
  readonly #db: SqliteDb

  constructor (db: SqliteDb) {
    this.#db = db
  }

  #run<T> (fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn())
    } catch (err) {
      // A wrapped query error lists its parameters, which hold the settings' secrets; only
      // the driver's own error may travel on to a log line.
      return Promise.reject(err instanceof DrizzleQueryError && err.cause !== undefined ? err.cause : err)
    }
  }

  #write<T> (fn: () => T): Promise<T> {
    return this.#run(() => this.#db.transaction(fn, { behavior: 'immediate' }))
  }

  getSettings (): Promise<AlertSettings | null> {
    return this.#run(() => {
      const row = this.#db.select().from(alertSettings).where(eq(alertSettings.id, SETTINGS_ROW)).get()
      return row === undefined ? null : settingsFromJson(row.settings)
    })
  }

  seedSettings (seed: AlertSettings, now: number): Promise<AlertSettings> {
    return this.#write(() => {
      this.#db.insert(alertSettings).values({ id: SETTINGS_ROW, settings: JSON.stringify(seed), updatedAt: now })
        .onConflictDoNothing().run()
      const row = this.#db.select().from(alertSettings).where(eq(alertSettings.id, SETTINGS_ROW)).get()
      return settingsFromJson(row!.settings)
    })
  }

  saveSettings (settings: AlertSettings, now: number): Promise<void> {
    return this.#write(() => {
      const json = JSON.stringify(settings)
      this.#db.insert(alertSettings).values({ id: SETTINGS_ROW, settings: json, updatedAt: now })
        .onConflictDoUpdate({ target: alertSettings.id, set: { settings: json, updatedAt: now } }).run()
    })
  }

  loadStates (): Promise<Map<string, TargetAlertState>> {
    return this.#run(() => new Map(this.#db.select().from(alertTargets).all()
      .map((row) => [row.target, JSON.parse(row.state) as TargetAlertState])))
  }

  commit (changes: AlertChanges, now: number): Promise<void> {
    return this.#write(() => {
      for (const [target, state] of changes.states) {
        if (isEmptyState(state)) {
          this.#db.delete(alertTargets).where(eq(alertTargets.target, target)).run()
          continue
        }
        const json = JSON.stringify(state)
        this.#db.insert(alertTargets).values({ target, state: json, updatedAt: now })
          .onConflictDoUpdate({ target: alertTargets.target, set: { state: json, updatedAt: now } }).run()
      }
      for (const h of changes.history) {
        this.#db.insert(alertHistory).values({
          id: h.id,
          alertId: h.alert.id,
          kind: h.alert.kind,
          target: h.alert.target,
          channel: h.channel,
          status: 'sending',
          attempts: 0,
          result: null,
          alert: JSON.stringify(h.alert),
          createdAt: h.createdAt,
          updatedAt: h.createdAt
        }).run()
      }
    })
  }

  updateHistory (id: string, update: HistoryUpdate): Promise<void> {
    return this.#write(() => {
      this.#db.update(alertHistory).set(update).where(eq(alertHistory.id, id)).run()
    })
  }

  failUnfinished (result: string, now: number): Promise<number> {
    return this.#write(() => this.#db.update(alertHistory)
      .set({ status: 'failed', result, updatedAt: now })
      .where(eq(alertHistory.status, 'sending')).run().changes)
  }

  pruneHistory (before: number): Promise<number> {
    return this.#write(() => this.#db.delete(alertHistory).where(lt(alertHistory.createdAt, before)).run().changes)
  }

  listHistory (filter: HistoryFilter, page: { readonly limit: number, readonly before?: string }): Promise<HistoryPage> {
    return this.#run(() => {
      const conditions: Array<SQL | undefined> = [
        filter.target === undefined ? undefined : eq(alertHistory.target, filter.target),
        filter.channel === undefined ? undefined : eq(alertHistory.channel, filter.channel),
        filter.status === undefined ? undefined : eq(alertHistory.status, filter.status),
        page.before === undefined ? undefined : lt(alertHistory.id, page.before)
      ]
      const rows = this.#db.select().from(alertHistory).where(and(...conditions))
        .orderBy(desc(alertHistory.id)).limit(page.limit + 1).all()
      const items = rows.slice(0, page.limit).map(historyFromRow)
      return { items, next: rows.length > page.limit ? items[items.length - 1].id : null }
    })
  }
}
