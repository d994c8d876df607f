import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

// The fast local target of (c), (d) and (e): answers 200 to everything and counts what arrives.
// Messages on the IPC channel: {type:'count'} -> {count}; {type:'reset'} -> {count: 0};
// {type:'waitFor', n} -> {count, at} once `n` requests have arrived since the last reset.

let count = 0
let waiters: Array<{ n: number, seq: number }> = []

const send = (m: Record<string, unknown>) => { process.send!(m) }

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  req.on('end', () => {
    count++
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok')
    if (waiters.length > 0) {
      waiters = waiters.filter((w) => {
        if (count < w.n) return true
        send({ type: 'reached', seq: w.seq, count, at: Date.now() })
        return false
      })
    }
  })
  req.resume()
})
server.keepAliveTimeout = 60_000
server.headersTimeout = 65_000

process.on('message', (m: { type: string, seq: number, n?: number }) => {
  if (m.type === 'count') send({ type: 'count', seq: m.seq, count })
  else if (m.type === 'reset') {
    count = 0
    waiters = []
    send({ type: 'count', seq: m.seq, count })
  } else if (m.type === 'waitFor') {
    if (count >= m.n!) send({ type: 'reached', seq: m.seq, count, at: Date.now() })
    else waiters.push({ n: m.n!, seq: m.seq })
  }
})
process.on('disconnect', () => process.exit(0))
process.on('SIGTERM', () => process.exit(0))

server.listen(0, '127.0.0.1', () => {
  send({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })
})
