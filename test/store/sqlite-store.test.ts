import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import t from 'tap'
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js'
import { StorageOpenError } from '../../src/store/sqlite/open-database.js'
import { makeEvent } from '../helpers/events.js'
import { storeContract } from './store-contract.js'

storeContract(t, async (t) => {
  const store = new SqliteStore({ path: join(t.testdir(), 'outbox.db'), durability: 'full' })
  t.teardown(() => store.close())
  return store
})

t.test('data survives closing and reopening the file', async (t) => {
  const path = join(t.testdir(), 'nested', 'dir', 'outbox.db')
  const first = new SqliteStore({ path, durability: 'normal' })
  const e = makeEvent()
  await first.insertEvents([e])
  await first.close()
  const second = new SqliteStore({ path, durability: 'full' })
  t.teardown(() => second.close())
  t.same((await second.getEvent(e.id))?.body, e.body)
})

t.test('a file that is not a database gives a clear error', async (t) => {
  const path = join(t.testdir(), 'junk.db')
  writeFileSync(path, 'this is not a database, just some text that is long enough to look like a header '.repeat(100))
  t.throws(() => new SqliteStore({ path, durability: 'full' }), StorageOpenError)
  t.throws(() => new SqliteStore({ path, durability: 'full' }), { message: /not a SQLite database/ })
})
