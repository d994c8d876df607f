import type { AlertsConfig } from '../config/alerts-schema.js'

/** The thresholds that decide when a target raises an alert. */
export interface AlertRules {
  /** Failed attempts in a row that open an incident. */
  readonly consecutiveFailures: number
  /** Least time between reminders of one incident, and the window that groups permanent failures. */
  readonly cooldownMs: number
  readonly notifyOnRecovery: boolean
  readonly notifyOnPermanentFailure: boolean
}

export interface WebhookChannelSettings { readonly url: string, readonly secret?: string }
export interface SlackChannelSettings { readonly webhookUrl: string }
export interface EmailChannelSettings { readonly to: readonly string[], readonly from?: string }

export interface ChannelSettings {
  readonly webhook?: WebhookChannelSettings
  readonly slack?: SlackChannelSettings
  readonly email?: EmailChannelSettings
}

/** The body of GET/PUT /admin/alerts/settings (DESIGN.md, Alerts), every default filled in. */
export interface AlertSettings extends AlertRules {
  readonly channels: ChannelSettings
  /** Per-target overrides of the rules, keyed by target name. */
  readonly targets: Readonly<Record<string, Partial<AlertRules>>>
}

export const DEFAULT_ALERT_RULES: AlertRules = Object.freeze({
  consecutiveFailures: 5,
  cooldownMs: 3_600_000,
  notifyOnRecovery: true,
  notifyOnPermanentFailure: true
})

const RULE_KEYS = ['consecutiveFailures', 'cooldownMs', 'notifyOnRecovery', 'notifyOnPermanentFailure'] as const

function pickRules (source: Partial<AlertRules>): Partial<AlertRules> {
  const out: Record<string, number | boolean> = {}
  for (const key of RULE_KEYS) if (source[key] !== undefined) out[key] = source[key]
  return out as Partial<AlertRules>
}

/** Settings as a client or the config file gives them: every key optional. */
export type AlertSettingsInput = Partial<AlertRules> & {
  readonly channels?: ChannelSettings
  readonly targets?: Readonly<Record<string, Partial<AlertRules>>>
}

/**
 * Settings with defaults applied and empty values dropped. An empty webhook secret (what
 * `${ALERT_WEBHOOK_SECRET:-}` gives when unset) means "unsigned", so it is not kept.
 */
export function normalizeSettings (input: AlertSettingsInput): AlertSettings {
  const channels: { webhook?: WebhookChannelSettings, slack?: SlackChannelSettings, email?: EmailChannelSettings } = {}
  const { webhook, slack, email } = input.channels ?? {}
  if (webhook !== undefined) {
    channels.webhook = webhook.secret === undefined || webhook.secret === '' ? { url: webhook.url } : { url: webhook.url, secret: webhook.secret }
  }
  if (slack !== undefined) channels.slack = { webhookUrl: slack.webhookUrl }
  if (email !== undefined) channels.email = email.from === undefined ? { to: [...email.to] } : { to: [...email.to], from: email.from }
  // fromEntries defines own keys, so a "__proto__" target name stays a name (and is refused as unknown).
  const targets = Object.fromEntries(Object.entries(input.targets ?? {}).map(([name, over]) => [name, pickRules(over)]))
  return { ...DEFAULT_ALERT_RULES, ...pickRules(input), channels, targets }
}

/** The first settings of a new database, from the config file's `alerts` (minus `smtp`). */
export function settingsFromConfig (config: AlertsConfig): AlertSettings {
  const { smtp: _smtp, ...seed } = config
  return normalizeSettings(seed)
}

/** The rules in force for one target: its overrides over the global values. */
export function rulesFor (settings: AlertSettings, target: string): AlertRules {
  const over = Object.hasOwn(settings.targets, target) ? settings.targets[target] : {}
  return {
    consecutiveFailures: over.consecutiveFailures ?? settings.consecutiveFailures,
    cooldownMs: over.cooldownMs ?? settings.cooldownMs,
    notifyOnRecovery: over.notifyOnRecovery ?? settings.notifyOnRecovery,
    notifyOnPermanentFailure: over.notifyOnPermanentFailure ?? settings.notifyOnPermanentFailure
  }
}

/** A settings value the API refuses, with the path of the field at fault. */
export class AlertSettingsError extends Error {
  readonly path: string
  readonly reason: string
  constructor (path: string, reason: string) {
    super(`${path} ${reason}`)
    this.name = 'AlertSettingsError'
    this.path = path
    this.reason = reason
  }
}

export interface SettingsContext {
  readonly knownTargets: readonly string[]
  /** Whether alerts.smtp is configured: email cannot be sent without it. */
  readonly smtpConfigured: boolean
}

function checkHttpUrl (value: string, path: string): void {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new AlertSettingsError(path, 'is not a valid URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AlertSettingsError(path, 'must be an http or https URL')
}

/**
 * What a JSON schema cannot say: URLs that parse, targets that exist, email only with an SMTP
 * server. Throws AlertSettingsError naming the first field at fault.
 */
export function checkSettings (settings: AlertSettings, context: SettingsContext): void {
  const { webhook, slack, email } = settings.channels
  if (webhook !== undefined) checkHttpUrl(webhook.url, 'channels.webhook.url')
  if (slack !== undefined) checkHttpUrl(slack.webhookUrl, 'channels.slack.webhookUrl')
  if (email !== undefined && !context.smtpConfigured) {
    throw new AlertSettingsError('channels.email', 'cannot be used: no SMTP server is configured (alerts.smtp in the config file)')
  }
  for (const name of Object.keys(settings.targets)) {
    if (!context.knownTargets.includes(name)) {
      const known = context.knownTargets.length === 0 ? 'none are configured' : `known targets: ${context.knownTargets.join(', ')}`
      throw new AlertSettingsError(`targets.${name}`, `is not a configured target (${known})`)
    }
  }
}
