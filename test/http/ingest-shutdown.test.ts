import { connect } from 'node:net'
import { join } from 'node:path'
import { pino } from 'pino'
import t from 'tap'
import { buildIngestApp } from '../../src/http/ingest-app.js'
import type { NewEvent } from '../../src/store/types.js'
import { testConfig, testSource, testTarget } from '../helpers/config.js'

t.test('a request that arrives while the server shuts down gets the JSON 503 with Retry-After, and the one in flight still gets its 202', async (t) => {
  const config = testConfig(join(t.testdir(), 'x.db'), [testTarget('a', 'http://127.0.0.1:9/hooks')], [testSource('s', ['a'])])
  const committed: NewEvent[] = []
  let release!: () => void
  const gate = new Promise<void>((resolve) => { release = resolve })
  let firstCommit!: () => void
  const commitStarted = new Promise<void>((resolve) => { firstCommit = resolve })
  const app = buildIngestApp({
    config,
    logger: pino({ level: 'silent' }),
    health: { ready: async () => {} },
    commit: async (e) => {
      committed.push(e)
      firstCommit()
      await gate
      return { duplicateOf: null }
    }
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const socket = connect(Number(new URL(url).port), '127.0.0.1')
  let got = ''
  socket.on('data', (c) => { got += c.toString() })
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()))
  socket.on('error', () => {})
  // The second request comes on the same connection once the server is closing: the
  // connection is busy with the first, so closing does not cut it.
  const request = (n: number) => `POST /in/s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"n":${n}}`
  socket.write(request(1))
  await commitStarted
  const closing = app.close()
  await new Promise((resolve) => setTimeout(resolve, 50))
  socket.write(request(2))
  await new Promise((resolve) => setTimeout(resolve, 50))
  release()
  await closed
  await closing
  const answers = got.split(/(?=HTTP\/1\.1 )/)
  t.equal(answers.length, 2, 'two answers')
  t.match(answers[0], /^HTTP\/1\.1 202 /, 'the request in flight is acknowledged')
  t.match(answers[1], /^HTTP\/1\.1 503 /, 'the next one is refused')
  t.match(answers[1], /\r\nretry-after: 5\r\n/i)
  t.match(answers[1], /\r\nconnection: close\r\n/i)
  t.match(JSON.parse(answers[1].slice(answers[1].indexOf('\r\n\r\n') + 4)), { error: 'shutting_down' })
  t.equal(committed.length, 1, 'only the first was handed to the store')
})
