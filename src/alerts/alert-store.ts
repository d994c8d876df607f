import type { AlertSettings } from './settings.js'
import type { Alert, AlertHistoryEntry, ChannelName, HistoryStatus, TargetAlertState } from './types.js'

export interface NewHistoryEntry {
  readonly id: string
  readonly alert: Alert
  readonly channel: ChannelName
  readonly createdAt: number
}

export interface HistoryUpdate {
  readonly status: HistoryStatus
  readonly attempts: number
  readonly result: string | null
  readonly updatedAt: number
}

export interface HistoryFilter {
  readonly target?: string
  readonly channel?: ChannelName
  readonly status?: HistoryStatus
}

export interface HistoryPage {
  readonly items: AlertHistoryEntry[]
  /** Id after which the next page starts (newest first); null on the last page. */
  readonly next: string | null
}

/** What one round of alert decisions writes. */
export interface AlertChanges {
  /** New state per target; an empty state deletes the target's row. */
  readonly states: ReadonlyMap<string, TargetAlertState>
  /** One row per alert and channel, in status `sending`. */
  readonly history: readonly NewHistoryEntry[]
}

/**
 * Where alerts keep what must survive a restart: the settings, each target's incident state,
 * and the history of what was sent. Asynchronous and free of driver types, like the outbox
 * Store. "Atomic" means all of the method's writes commit together or not at all; a rejected
 * promise means nothing was written.
 */
export interface AlertStore {
  /** The stored settings, or null when none were ever saved. Read-only. */
  getSettings (): Promise<AlertSettings | null>

  /**
   * Atomic: stores `seed` only when no settings are stored yet, and returns what is stored
   * afterwards (the seed, or the settings saved earlier). The config file seeds this way.
   */
  seedSettings (seed: AlertSettings, now: number): Promise<AlertSettings>

  /** Atomic: replaces the stored settings. */
  saveSettings (settings: AlertSettings, now: number): Promise<void>

  /** Every target's stored state, keyed by target name. Read-only. */
  loadStates (): Promise<Map<string, TargetAlertState>>

  /** Atomic: writes every state change and inserts every history row together. */
  commit (changes: AlertChanges, now: number): Promise<void>

  /** Atomic: sets the outcome so far of one history row. */
  updateHistory (id: string, update: HistoryUpdate): Promise<void>

  /**
   * Atomic: rows still `sending` (left by a process that stopped mid-send) become `failed`
   * with `result`. Returns how many.
   */
  failUnfinished (result: string, now: number): Promise<number>

  /** Atomic: deletes history created before `before`. Returns how many rows went. */
  pruneHistory (before: number): Promise<number>

  /** History newest first. Read-only. */
  listHistory (filter: HistoryFilter, page: { readonly limit: number, readonly before?: string }): Promise<HistoryPage>
}
