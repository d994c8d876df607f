import { joinPath } from './problem.js'
import {
  arrayOf, boolean, integer, map, object, optional, record, refine, required, string, url,
  type Checker, type Problems
} from './schema.js'
import { unknownTargetMessage } from './source-schema.js'

/*
 * The `alerts` key seeds the alert settings, which then live in the database and belong to
 * the alerts module; so nothing here is defaulted: an absent key stays absent and the alerts
 * module applies its own defaults. Types are aliases (not interfaces) so that they fit
 * Config.alerts, a Record<string, unknown>.
 */
export type AlertThresholds = {
  readonly consecutiveFailures?: number
  readonly cooldownMs?: number
  readonly notifyOnRecovery?: boolean
  readonly notifyOnPermanentFailure?: boolean
}

export type AlertChannels = {
  readonly webhook?: { readonly url: string, readonly secret?: string }
  readonly slack?: { readonly webhookUrl: string }
  readonly email?: { readonly to: readonly string[], readonly from?: string }
}

export type SmtpConfig =
  | { readonly url: string }
  | {
    readonly host: string
    readonly port?: number
    readonly secure?: boolean
    readonly auth?: { readonly user: string, readonly pass: string }
  }

export type AlertsConfig = AlertThresholds & {
  readonly channels?: AlertChannels
  /** Per-target overrides of the thresholds, keyed by target name. */
  readonly targets?: Readonly<Record<string, AlertThresholds>>
  /** Deployment config, not a setting: the settings API never returns or changes it. */
  readonly smtp?: SmtpConfig
}

const thresholdFields = {
  consecutiveFailures: optional(integer({ min: 1 })),
  cooldownMs: optional(integer({ min: 0 })),
  notifyOnRecovery: optional(boolean()),
  notifyOnPermanentFailure: optional(boolean())
}

// "" is what `${SLACK_WEBHOOK_URL:-}` gives when the variable is unset: the operator's way of
// switching a channel off from the environment, so the channel is dropped, not rejected.
const httpUrlOrOff = url({ protocols: ['http:', 'https:'], allowEmpty: true })

const webhookChannel = map(object({ url: required(httpUrlOrOff), secret: optional(string()) }),
  (channel) => channel.url === '' ? undefined : channel)

const slackChannel = map(object({ webhookUrl: required(httpUrlOrOff) }),
  (channel) => channel.webhookUrl === '' ? undefined : channel)

const emailAddress: Checker<string> = refine(string(), (value, path, problems) => {
  if (!/^[^\s@]+@[^\s@]+$/.test(value)) problems.push({ path, message: 'not an email address' })
})

const emailChannel = object({
  to: required(arrayOf(emailAddress, { minLength: 1, tooShort: 'must list at least one address' })),
  from: optional(string({ nonEmpty: true }))
})

const channels: Checker<AlertChannels> = object({
  webhook: optional(webhookChannel),
  slack: optional(slackChannel),
  email: optional(emailChannel)
})

const smtpFields = object({
  url: optional(url({ protocols: ['smtp:', 'smtps:'], allowEmpty: true })),
  host: optional(string({ nonEmpty: true })),
  port: optional(integer({ min: 1, max: 65535 })),
  secure: optional(boolean()),
  auth: optional(object({ user: required(string()), pass: required(string()) }))
})

type SmtpFields = typeof smtpFields extends Checker<infer T> ? T : never

function checkSmtpForm (smtp: SmtpFields, path: string, problems: Problems): void {
  const hasUrl = smtp.url !== undefined && smtp.url !== ''
  const hasFields = smtp.host !== undefined || smtp.port !== undefined || smtp.secure !== undefined || smtp.auth !== undefined
  if (hasUrl && hasFields) {
    problems.push({ path, message: "use either 'url' or 'host'/'port'/'secure'/'auth', not both" })
  } else if (hasFields && smtp.host === undefined) {
    problems.push({ path: joinPath(path, 'host'), message: "is required when 'url' is not set" })
  } else if (smtp.url === undefined && !hasFields) {
    problems.push({ path, message: "needs 'url' or 'host'" })
  }
}

function toSmtpConfig (smtp: SmtpFields): SmtpConfig | undefined {
  if (smtp.url !== undefined && smtp.url !== '') return { url: smtp.url }
  // An empty url (from `${SMTP_URL:-}`) with no host: SMTP is switched off, as for channels.
  if (smtp.host === undefined) return undefined
  const { url: _url, ...fields } = smtp
  return { ...fields, host: smtp.host }
}

const smtp: Checker<SmtpConfig | undefined> = map(refine(smtpFields, checkSmtpForm), toSmtpConfig)

function emailNeedsSmtp (alerts: AlertsConfig, path: string, problems: Problems): void {
  if (alerts.channels?.email !== undefined && alerts.smtp === undefined) {
    problems.push({ path: joinPath(joinPath(path, 'channels'), 'email'), message: 'needs alerts.smtp, the server to send through' })
  }
}

export function alertsSchema (knownTargets: readonly string[]): Checker<AlertsConfig> {
  const targetKey = (name: string): string | undefined =>
    knownTargets.includes(name) ? undefined : unknownTargetMessage(name, knownTargets)
  return refine(object({
    ...thresholdFields,
    channels: optional(channels),
    targets: optional(record(targetKey, object(thresholdFields))),
    smtp: optional(smtp)
  }), emailNeedsSmtp)
}
