import { hostname } from 'node:os'
import { createTransport, type NodemailerError, type SMTPSentMessageInfo, type Transporter } from 'nodemailer'
import type { SmtpConfig } from '../../config/alerts-schema.js'
import { emailMessage } from '../render-email.js'
import type { EmailChannelSettings } from '../settings.js'
import { ChannelError, type AlertChannel } from './channel.js'

export type SmtpTransport = Transporter<SMTPSentMessageInfo>

// A mail server that accepts the connection and then stalls must not hold a send for ever.
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 }

/** One transport for the process: the SMTP server is deployment config and never changes. */
export function createSmtpTransport (smtp: SmtpConfig): SmtpTransport {
  if ('url' in smtp) return createTransport({ url: smtp.url, ...TIMEOUTS })
  return createTransport({ host: smtp.host, port: smtp.port, secure: smtp.secure, auth: smtp.auth, ...TIMEOUTS })
}

export function defaultFromAddress (): string {
  return `Sidehook <sidehook@${hostname()}>`
}

function rejectOnAbort (signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    const fail = () => reject(new ChannelError('no answer from the SMTP server in time (or Sidehook is stopping)', true))
    if (signal.aborted) fail()
    else signal.addEventListener('abort', fail, { once: true })
  })
}

function toChannelError (err: unknown, redact: (text: string) => string): ChannelError {
  if (err instanceof ChannelError) return err
  const e = err as NodemailerError
  // A 5xx reply (bad recipient, refused sender) or refused credentials come back the same
  // on every try; a dropped connection or a 4xx may not.
  const retryable = e.permanent !== true && e.code !== 'EAUTH' && e.code !== 'EENVELOPE'
  const code = e.code === undefined ? '' : ` (${e.code})`
  return new ChannelError(redact(`${e.message}${code}`), retryable)
}

/** Plain text and HTML in one message, through the configured SMTP server. */
export function emailChannel (settings: EmailChannelSettings, deps: {
  readonly transport: SmtpTransport
  readonly redact: (text: string) => string
  readonly defaultFrom?: string
}): AlertChannel {
  return {
    name: 'email',
    send: async (alert, signal) => {
      const message = emailMessage(alert)
      let info: SMTPSentMessageInfo
      try {
        info = await Promise.race([
          deps.transport.sendMail({
            from: settings.from ?? deps.defaultFrom ?? defaultFromAddress(),
            to: [...settings.to],
            subject: message.subject,
            text: message.text,
            html: message.html,
            headers: { 'Sidehook-Alert-Id': alert.id, 'Sidehook-Alert-Type': alert.kind }
          }),
          rejectOnAbort(signal)
        ])
      } catch (err) {
        throw toChannelError(err, deps.redact)
      }
      const rejected = info.rejected.map(String)
      const answer = deps.redact(info.response ?? 'accepted')
      return rejected.length === 0 ? answer : `${answer}; rejected: ${rejected.join(', ')}`
    }
  }
}
