import type { AddressInfo } from 'node:net'
import { SMTPServer, type SMTPServerOptions } from 'smtp-server'

export interface ParsedMail {
  /** Header names lower-cased, folded lines joined. */
  readonly headers: ReadonlyMap<string, string>
  readonly text: string | null
  readonly html: string | null
}

export interface ReceivedMail {
  readonly from: string
  readonly to: string[]
  readonly user: string | null
  readonly raw: string
  readonly mail: ParsedMail
}

function parseHeaders (block: string): Map<string, string> {
  const headers = new Map<string, string>()
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':')
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim())
  }
  return headers
}

function decodeQuotedPrintable (body: string): string {
  const soft = body.replace(/=\r\n/g, '')
  const bytes: number[] = []
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16))
      i += 2
    } else {
      bytes.push(...Buffer.from(soft[i], 'utf8'))
    }
  }
  return Buffer.from(bytes).toString('utf8')
}

function decodePart (headers: ReadonlyMap<string, string>, body: string): string {
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase()
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body)
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
  return body
}

/**
 * Just enough MIME to read what nodemailer sends: one text/plain and one text/html part in a
 * multipart/alternative body, or a single part.
 */
export function parseMail (raw: string): ParsedMail {
  const split = raw.indexOf('\r\n\r\n')
  const headers = parseHeaders(raw.slice(0, split))
  const body = raw.slice(split + 4)
  const type = headers.get('content-type') ?? 'text/plain'
  let text: string | null = null
  let html: string | null = null
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1]
  const parts = boundary === undefined
    ? [{ headers, body }]
    : body.split(`--${boundary}`).slice(1, -1).map((part) => {
      const p = part.replace(/^\r\n/, '')
      const at = p.indexOf('\r\n\r\n')
      return { headers: parseHeaders(p.slice(0, at)), body: p.slice(at + 4).replace(/\r\n$/, '') }
    })
  for (const part of parts) {
    const partType = (part.headers.get('content-type') ?? 'text/plain').toLowerCase()
    if (partType.startsWith('text/plain')) text = decodePart(part.headers, part.body).replace(/\r\n/g, '\n')
    if (partType.startsWith('text/html')) html = decodePart(part.headers, part.body).replace(/\r\n/g, '\n')
  }
  return { headers, text, html }
}

export interface SmtpOptions {
  /** When set, the server asks for these credentials and refuses others. */
  readonly auth?: { readonly user: string, readonly pass: string }
  readonly server?: Partial<SMTPServerOptions>
}

/** A real SMTP server (the `smtp-server` package) on 127.0.0.1:<random port>, plain text, no TLS. */
export async function startSmtp (options: SmtpOptions = {}) {
  const received: ReceivedMail[] = []
  const waiters: Array<{ n: number, resolve: () => void }> = []
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: options.auth === undefined,
    onAuth (auth, _session, callback) {
      if (options.auth !== undefined && auth.username === options.auth.user && auth.password === options.auth.pass) {
        callback(null, { user: auth.username })
      } else {
        callback(new Error('Invalid username or password'))
      }
    },
    onData (stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        received.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === 'string' ? session.user : null,
          raw,
          mail: parseMail(raw)
        })
        for (const w of waiters.filter((w) => received.length >= w.n)) w.resolve()
        callback()
      })
    },
    ...options.server
  })
  const port = await new Promise<number>((resolve) => {
    const s = server.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port))
  })
  return {
    port,
    received,
    waitFor (n: number, timeoutMs = 20_000): Promise<void> {
      if (received.length >= n) return Promise.resolve()
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`SMTP server got ${received.length} of ${n} messages`)), timeoutMs)
        waiters.push({ n, resolve: () => { clearTimeout(timer); resolve() } })
      })
    },
    close (): Promise<void> {
      return new Promise((resolve) => server.close(() => resolve()))
    }
  }
}

export type SmtpReceiver = Awaited<ReturnType<typeof startSmtp>>
