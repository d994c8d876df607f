import { request, type Dispatcher } from 'undici'
import { ChannelError } from './channel.js'

// Enough of an error answer to say why (Slack answers "invalid_token", "no_service", ...).
const SNIPPET = 300

export interface PostOptions {
  readonly url: string
  readonly body: string
  readonly headers: Readonly<Record<string, string>>
  readonly dispatcher: Dispatcher
  readonly signal: AbortSignal
  /** Scrubs secrets (a Slack URL path, say) out of error texts. */
  readonly redact: (text: string) => string
}

async function readSnippet (body: Dispatcher.ResponseData['body']): Promise<string> {
  let text = ''
  try {
    for await (const chunk of body) {
      text += (chunk as Buffer).toString('utf8')
      if (text.length >= SNIPPET) break
    }
  } catch {
    // The answer's status is what matters; a body cut short is not an error of the send.
  } finally {
    body.destroy()
  }
  return text.trim().replace(/\s+/g, ' ').slice(0, SNIPPET)
}

/** POSTs a JSON body; any 2xx is success, 408/429/5xx and network errors are worth a retry. */
export async function postJson (options: PostOptions): Promise<string> {
  let res: Dispatcher.ResponseData
  try {
    res = await request(options.url, {
      method: 'POST',
      dispatcher: options.dispatcher,
      signal: options.signal,
      headers: { 'content-type': 'application/json', 'user-agent': 'Sidehook-Alerts', ...options.headers },
      body: options.body
    })
  } catch (err) {
    const e = err as Error & { code?: string }
    const why = options.signal.aborted ? 'no answer in time (or Sidehook is stopping)' : e.message
    throw new ChannelError(options.redact(`request failed: ${why}${e.code === undefined ? '' : ` (${e.code})`}`), true)
  }
  const snippet = options.redact(await readSnippet(res.body))
  const status = res.statusCode
  const said = snippet === '' ? '' : `: ${snippet}`
  if (status >= 200 && status < 300) return `HTTP ${status}${said}`
  throw new ChannelError(`HTTP ${status}${said}`, status === 408 || status === 429 || status >= 500)
}
