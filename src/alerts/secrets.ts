import type { SmtpConfig } from '../config/alerts-schema.js'
import { AlertSettingsError, type AlertSettings, type ChannelSettings } from './settings.js'

/** What the API shows instead of a secret, and accepts back meaning "keep the stored one". */
export const MASK = '***'

/**
 * A Slack incoming-webhook URL is a bearer credential in its path
 * (https://hooks.slack.com/services/T…/B…/x…): keep the origin and the first path segment only.
 */
export function maskSlackUrl (value: string): string {
  const url = new URL(value)
  const segments = url.pathname.split('/').filter((s) => s !== '')
  const kept = segments.length > 1 ? `/${segments[0]}` : ''
  return `${url.origin}${kept}/${MASK}`
}

/** Credentials in the user-info part and query values (often tokens) are masked. */
export function maskUrlSecrets (value: string): string {
  const url = new URL(value)
  if (url.password !== '') url.password = MASK
  for (const key of new Set(url.searchParams.keys())) url.searchParams.set(key, MASK)
  // URLSearchParams escapes the asterisks; the mask reads better unescaped.
  return url.toString().replaceAll('%2A%2A%2A', MASK)
}

/** The settings as the API shows them: every secret replaced by the mask. */
export function maskSettings (settings: AlertSettings): AlertSettings {
  const { webhook, slack, email } = settings.channels
  const channels: ChannelSettings = {
    ...(webhook === undefined
      ? {}
      : { webhook: webhook.secret === undefined ? { url: maskUrlSecrets(webhook.url) } : { url: maskUrlSecrets(webhook.url), secret: MASK } }),
    ...(slack === undefined ? {} : { slack: { webhookUrl: maskSlackUrl(slack.webhookUrl) } }),
    ...(email === undefined ? {} : { email })
  }
  return { ...settings, channels }
}

// A value that equals the masked form of the stored one means "unchanged"; a masked-looking
// value that matches nothing is refused rather than saved as a broken secret.
function restore (incoming: string, stored: string | undefined, mask: (v: string) => string, path: string): string {
  if (stored !== undefined && incoming === mask(stored)) return stored
  if (incoming.includes(MASK)) {
    throw new AlertSettingsError(path, `contains ${MASK}, which stands for a stored secret, but it does not match the stored value; send the full value`)
  }
  return incoming
}

/** Puts the stored secrets back where `incoming` carries their masked form (GET-edit-PUT). */
export function restoreSecrets (incoming: AlertSettings, stored: AlertSettings): AlertSettings {
  const { webhook, slack, email } = incoming.channels
  const before = stored.channels
  const channels: ChannelSettings = {
    ...(webhook === undefined
      ? {}
      : {
          webhook: {
            url: restore(webhook.url, before.webhook?.url, maskUrlSecrets, 'channels.webhook.url'),
            ...(webhook.secret === undefined
              ? {}
              : { secret: restore(webhook.secret, before.webhook?.secret, () => MASK, 'channels.webhook.secret') })
          }
        }),
    ...(slack === undefined ? {} : { slack: { webhookUrl: restore(slack.webhookUrl, before.slack?.webhookUrl, maskSlackUrl, 'channels.slack.webhookUrl') } }),
    ...(email === undefined ? {} : { email })
  }
  return { ...incoming, channels }
}

function urlSecrets (value: string): string[] {
  try {
    const url = new URL(value)
    return [url.password, decodeURIComponent(url.password), ...url.searchParams.values()]
  } catch {
    return []
  }
}

/** Every secret a message could echo: channel secrets and the SMTP credentials. */
export function secretsOf (channels: ChannelSettings, smtp?: SmtpConfig): string[] {
  const found: string[] = []
  if (channels.webhook !== undefined) found.push(channels.webhook.secret ?? '', ...urlSecrets(channels.webhook.url))
  if (channels.slack !== undefined) {
    const url = channels.slack.webhookUrl
    found.push(url, ...urlSecrets(url))
    try { found.push(new URL(url).pathname) } catch { /* checked on save */ }
  }
  if (smtp !== undefined) {
    if ('url' in smtp) found.push(smtp.url, ...urlSecrets(smtp.url))
    else if (smtp.auth !== undefined) found.push(smtp.auth.pass)
  }
  // Very short values would blank out ordinary words; they are not worth hiding anyway.
  return [...new Set(found)].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)
}

/** A function that replaces every given secret in a text with the mask. */
export function redactor (secrets: readonly string[]): (text: string) => string {
  return (text) => secrets.reduce((out, secret) => out.split(secret).join(MASK), text)
}
