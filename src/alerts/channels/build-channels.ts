import type { Dispatcher } from 'undici'
import type { ChannelSettings } from '../settings.js'
import type { AlertChannel } from './channel.js'
import { emailChannel, type SmtpTransport } from './email-channel.js'
import { slackChannel } from './slack-channel.js'
import { webhookChannel } from './webhook-channel.js'

export interface ChannelDeps {
  /** undici dispatcher for the webhook and Slack channels, separate from the targets' agents. */
  readonly dispatcher: Dispatcher
  /** null when alerts.smtp is not configured: email is then skipped. */
  readonly transport: SmtpTransport | null
  readonly clock: () => number
  readonly redact: (text: string) => string
}

/** Every configured channel that can send, in a fixed order: webhook, Slack, email. */
export function buildChannels (settings: ChannelSettings, deps: ChannelDeps): AlertChannel[] {
  const channels: AlertChannel[] = []
  if (settings.webhook !== undefined) channels.push(webhookChannel(settings.webhook, deps))
  if (settings.slack !== undefined) channels.push(slackChannel(settings.slack, deps))
  if (settings.email !== undefined && deps.transport !== null) {
    channels.push(emailChannel(settings.email, { transport: deps.transport, redact: deps.redact }))
  }
  return channels
}
