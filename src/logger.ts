import { pino, type Logger } from 'pino'
import type { Config } from './config/types.js'
import { signatureHeaderNames, SIGNATURE_HEADERS } from './core/signatures/index.js'

const CENSOR = '[REDACTED]'
// Secrets shorter than this are too likely to match ordinary text to be scrubbed by value.
const MIN_SECRET_LENGTH = 6

const ALWAYS_SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-shopify-access-token']

/** Every secret value the config holds: scrubbed from log lines wherever they appear. */
export function configSecrets (config: Config): string[] {
  const out: string[] = []
  if (config.admin.token !== '') out.push(config.admin.token)
  for (const t of Object.values(config.targets)) {
    out.push(...Object.values(t.headers))
    const u = new URL(t.url)
    if (u.password !== '') out.push(decodeURIComponent(u.password))
  }
  for (const s of Object.values(config.sources)) out.push(...(s.verify?.secrets ?? []))
  const alerts = config.alerts as { smtp?: { url?: string, auth?: { pass?: string } }, channels?: { webhook?: { secret?: string }, slack?: { webhookUrl?: string } } }
  if (alerts.smtp?.auth?.pass !== undefined) out.push(alerts.smtp.auth.pass)
  if (alerts.smtp?.url !== undefined && alerts.smtp.url !== '') {
    const u = new URL(alerts.smtp.url)
    if (u.password !== '') out.push(decodeURIComponent(u.password), u.password)
  }
  if (alerts.channels?.webhook?.secret !== undefined) out.push(alerts.channels.webhook.secret)
  if (alerts.channels?.slack?.webhookUrl !== undefined) out.push(new URL(alerts.channels.slack.webhookUrl).pathname)
  return [...new Set(out)].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length)
}

function headerPaths (names: readonly string[]): string[] {
  return names.flatMap((n) => [`headers["${n}"]`, `req.headers["${n}"]`, `*.headers["${n}"]`])
}

export interface LoggerOptions {
  readonly level: string
  readonly secrets?: readonly string[]
  /** Extra header names to redact (a source's own hmac header). */
  readonly headers?: readonly string[]
  readonly destination?: pino.DestinationStream
}

/**
 * The process logger. Secret headers are removed by path, and every secret value from the
 * config is replaced wherever it shows up in a line (an error message, a URL, a header
 * spelled in another case), so no log line can carry one.
 */
export function createLogger (options: LoggerOptions): Logger {
  const secrets = options.secrets ?? []
  const names = [...new Set([...ALWAYS_SECRET_HEADERS, ...SIGNATURE_HEADERS, ...(options.headers ?? [])])]
  const scrub = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') {
      let s = value
      for (const secret of secrets) if (s.includes(secret)) s = s.split(secret).join(CENSOR)
      return s
    }
    if (depth > 6 || value === null || typeof value !== 'object') return value
    if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1))
    if (value instanceof Error) return { type: value.name, message: scrub(value.message, depth + 1), stack: scrub(value.stack, depth + 1), code: (value as { code?: unknown }).code }
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = names.includes(k.toLowerCase()) ? CENSOR : scrub(v, depth + 1)
    return out
  }
  const opts: pino.LoggerOptions = {
    level: options.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...headerPaths(names), 'config.admin.token', 'config.alerts.smtp', 'token'], censor: CENSOR }
  }
  if (secrets.length > 0) {
    opts.formatters = { log: (obj) => scrub(obj, 0) as Record<string, unknown> }
    opts.hooks = { logMethod (args, method) { method.apply(this, args.map((a) => typeof a === 'string' ? scrub(a, 0) : a) as Parameters<typeof method>) } }
  }
  return pino(opts, options.destination)
}

/** Header names to redact for this config: the fixed list plus each source's own hmac header. */
export function configSecretHeaders (config: Config): string[] {
  return [...new Set(Object.values(config.sources).flatMap((s) => signatureHeaderNames(s.verify)))]
}
