import { join } from 'node:path'
import { pino } from 'pino'
import type { Test } from 'tap'
import { Batcher } from '../../src/batcher.js'
import type { ServerConfig } from '../../src/config/types.js'
import { buildIngestApp } from '../../src/http/ingest-app.js'
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import type { InsertResult, NewEvent } from '../../src/store/types.js'
import { testConfig, testSource, testTarget } from './config.js'

/**
 * The ingest app alone, listening on 127.0.0.1:<random port> over a real SQLite outbox, with
 * sources `s` and `t` forwarding to target `a` (nothing delivers: there is no worker).
 */
export async function listenIngest (t: Test, server: Partial<ServerConfig> = {}) {
  const dir = t.testdir()
  const store = new SqliteStore({ path: join(dir, 'outbox.db'), durability: 'normal' })
  const commits = new Batcher<NewEvent, InsertResult>((events) => store.insertEvents(events))
  const config = testConfig(join(dir, 'outbox.db'), [testTarget('a', 'http://127.0.0.1:9/hooks')], [testSource('s', ['a']), testSource('t', ['a'])])
  const app = buildIngestApp({
    config: { ...config, server: { ...config.server, ...server } },
    logger: pino({ level: 'silent' }),
    health: { ready: () => store.checkWritable() },
    commit: (e) => commits.add(e)
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(async () => { await app.close(); await store.close() })
  return { app, url, port: Number(new URL(url).port), store }
}
