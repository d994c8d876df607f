import type { Dispatcher } from 'undici'
import { slackMessage } from '../render-slack.js'
import type { SlackChannelSettings } from '../settings.js'
import type { AlertChannel } from './channel.js'
import { postJson } from './http-post.js'

/** A Slack incoming webhook. Its URL is a credential, so errors never echo it. */
export function slackChannel (settings: SlackChannelSettings, deps: {
  readonly dispatcher: Dispatcher
  readonly redact: (text: string) => string
}): AlertChannel {
  return {
    name: 'slack',
    send: (alert, signal) => postJson({
      url: settings.webhookUrl,
      body: JSON.stringify(slackMessage(alert)),
      headers: {},
      dispatcher: deps.dispatcher,
      signal,
      redact: deps.redact
    })
  }
}
