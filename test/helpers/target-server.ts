import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received {
  readonly method: string
  readonly url: string
  readonly headers: IncomingMessage['headers']
  readonly rawHeaders: string[]
  readonly body: Buffer
  readonly at: number
}

export type Responder = (req: Received, res: ServerResponse) => void

/** A real HTTP target on 127.0.0.1:<random port> that records what it receives. */
export async function startTarget (respond: Responder = (_r, res) => { res.writeHead(200).end('ok') }) {
  const received: Received[] = []
  let responder = respond
  const waiters: Array<{ n: number, resolve: () => void }> = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const r: Received = { method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks), at: Date.now() }
      received.push(r)
      for (const w of waiters.filter((w) => received.length >= w.n)) w.resolve()
      responder(r, res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    setResponder (r: Responder) { responder = r },
    /** Resolves once `n` requests have arrived in total. */
    waitFor (n: number, timeoutMs = 20_000): Promise<void> {
      if (received.length >= n) return Promise.resolve()
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`target saw ${received.length} of ${n} requests`)), timeoutMs)
        waiters.push({ n, resolve: () => { clearTimeout(timer); resolve() } })
      })
    },
    close (): Promise<void> {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    }
  }
}

export type TargetServer = Awaited<ReturnType<typeof startTarget>>
