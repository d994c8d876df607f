import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { packageRoot } from '../../package-root.js'
import * as schema from './schema.js'

export type SqliteDb = BetterSQLite3Database<typeof schema> & { $client: Database.Database }

export class StorageOpenError extends Error {
  constructor (path: string, reason: string, options?: ErrorOptions) {
    super(`Cannot open the database at ${path}: ${reason}`, options)
    this.name = 'StorageOpenError'
  }
}

export interface OpenOptions {
  readonly path: string
  readonly durability: 'full' | 'normal'
  readonly busyTimeoutMs?: number
  /** Extra pragmas applied after open, e.g. "max_page_count = 100" to rehearse a full disk. */
  readonly pragmas?: readonly string[]
}

/** Opens (creating if needed) the SQLite file, sets durability pragmas and applies migrations. */
export function openDatabase (options: OpenOptions): SqliteDb {
  const { path } = options
  let client: Database.Database | undefined
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
    client = new Database(path)
    client.pragma('journal_mode = WAL')
    // Commits do not sync on the event loop's thread. With durability 'full' the store syncs
    // the WAL itself (wal-sync.ts) before an ingest commit is acknowledged, so an acknowledged
    // webhook still survives power loss; worker bookkeeping is not synced on its own, since
    // losing it only repeats a delivery.
    client.pragma('synchronous = NORMAL')
    client.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`)
    const db = drizzle(client, { schema })
    migrate(db, { migrationsFolder: join(packageRoot(), 'drizzle') })
    for (const p of options.pragmas ?? []) client.pragma(p)
    return db as SqliteDb
  } catch (err) {
    client?.close()
    throw new StorageOpenError(path, describeOpenError(err), { cause: err })
  }
}

function describeOpenError (err: unknown): string {
  const code = (err as { code?: string }).code
  if (code === 'SQLITE_NOTADB') return 'the file is not a SQLite database (or it is encrypted or corrupt)'
  if (code === 'SQLITE_CORRUPT') return 'the database file is corrupt'
  if (code === 'SQLITE_CANTOPEN') return 'the file cannot be opened (check the path and permissions)'
  if (code === 'SQLITE_READONLY') return 'the file or its folder is read-only'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied creating its folder'
  return (err as Error).message
}
