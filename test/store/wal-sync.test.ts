import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { WalSync } from '../../src/store/sqlite/wal-sync.js'

t.test('concurrent callers share syncs, and each waits for one that started after it', async (t) => {
  const path = join(t.testdir(), 'x-wal')
  writeFileSync(path, 'frames')
  const wal = new WalSync(path)
  t.teardown(() => wal.close())
  await wal.sync()
  t.equal(wal.syncs, 1)
  const order: string[] = []
  const first = wal.sync().then(() => order.push('first'))
  // Called while the first runs: it needs a sync that starts after it, so a second one.
  const later = Array.from({ length: 50 }, () => wal.sync().then(() => order.push('later')))
  await Promise.all([first, ...later])
  t.equal(order[0], 'first')
  t.equal(wal.syncs, 3, '51 callers, 2 more syncs')
})

t.test('a WAL that cannot be opened rejects every caller', async (t) => {
  const wal = new WalSync(join(t.testdir(), 'missing-wal'))
  await t.rejects(wal.sync(), { code: 'ENOENT' })
  await wal.close()
})
