import t from 'tap'
import { Batcher } from '../src/batcher.js'

const turn = () => new Promise((resolve) => setImmediate(resolve))

/** A serial batcher whose flushes record their items; `holdFirst`: only the first waits for release(). */
function gated (options: { maxBatch?: number, holdFirst: boolean }) {
  const calls: number[][] = []
  let release!: () => void
  const gate = new Promise<void>((resolve) => { release = resolve })
  const batcher = new Batcher<number, number>(async (items) => {
    calls.push(items)
    if (!options.holdFirst || calls.length === 1) await gate
    return items
  }, { serial: true, maxBatch: options.maxBatch })
  return { batcher, calls, release }
}

t.test('items of one turn share a flush and each learns its own result', async (t) => {
  const calls: number[][] = []
  const b = new Batcher<number, number>(async (items) => { calls.push(items); return items.map((x) => x * 10) })
  const results = await Promise.all([b.add(1), b.add(2), b.add(3)])
  t.same(results, [10, 20, 30])
  t.same(calls, [[1, 2, 3]])
})

t.test('a failed flush rejects every item of its batch and only those', async (t) => {
  const b = new Batcher<number, number>(async (items) => {
    if (items.includes(2)) throw new Error('disk full')
    return items
  })
  const first = Promise.allSettled([b.add(1), b.add(2)])
  await turn()
  const second = b.add(3)
  t.same((await first).map((r) => r.status), ['rejected', 'rejected'])
  t.equal(await second, 3)
})

t.test('serial: while a flush runs, what arrives waits and goes as one batch', async (t) => {
  const { batcher: b, calls, release } = gated({ holdFirst: true })
  const first = b.add(1)
  await turn()
  const later = [b.add(2)]
  await turn()
  later.push(b.add(3))
  await turn()
  later.push(b.add(4))
  await turn()
  t.same(calls, [[1]], 'nothing else is flushed while the first flush runs')
  release()
  t.equal(await first, 1)
  t.same(await Promise.all(later), [2, 3, 4])
  t.same(calls, [[1], [2, 3, 4]], 'the three later items went together')
})

t.test('serial: a full batch does not wait, and drain waits for every flush', async (t) => {
  const { batcher: b, calls, release } = gated({ holdFirst: false, maxBatch: 2 })
  const all = [b.add(1)]
  await turn()
  all.push(b.add(2), b.add(3))
  t.same(calls, [[1], [2, 3]], 'a batch at maxBatch goes at once')
  all.push(b.add(4))
  const drained = b.drain()
  release()
  await drained
  t.same(calls, [[1], [2, 3], [4]])
  t.same(await Promise.all(all), [1, 2, 3, 4])
})
