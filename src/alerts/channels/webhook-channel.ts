import type { Dispatcher } from 'undici'
import type { WebhookChannelSettings } from '../settings.js'
import { alertPayload, SIGNATURE_HEADER, signatureHeader } from '../webhook-payload.js'
import type { AlertChannel } from './channel.js'
import { postJson } from './http-post.js'

/**
 * JSON POST of the alert payload. Each try is signed afresh (a new timestamp), while
 * Sidehook-Alert-Id stays the same so the receiver can drop duplicates.
 */
export function webhookChannel (settings: WebhookChannelSettings, deps: {
  readonly dispatcher: Dispatcher
  readonly clock: () => number
  readonly redact: (text: string) => string
}): AlertChannel {
  return {
    name: 'webhook',
    send: (alert, signal) => {
      const body = JSON.stringify(alertPayload(alert))
      const headers: Record<string, string> = { 'sidehook-alert-id': alert.id, 'sidehook-alert-type': alert.kind }
      if (settings.secret !== undefined) headers[SIGNATURE_HEADER.toLowerCase()] = signatureHeader(body, settings.secret, deps.clock())
      return postJson({ url: settings.url, body, headers, dispatcher: deps.dispatcher, signal, redact: deps.redact })
    }
  }
}
