import { parseArgs } from 'node:util'
import { lookupStatus } from '../../core/status-codes/index.js'
import { CliError } from '../admin-client.js'
import type { Command } from '../context.js'
import { table, when, wrap } from '../format.js'

export const statusCode: Command = {
  summary: 'Explain an HTTP status code: meaning, retryability, common causes',
  usage: 'sidehook status-code <code> [--json]\n\nWorks offline: the catalog is built in.',
  async run ({ args, json, out }) {
    const { positionals } = parseArgs({ args, allowPositionals: true, strict: true })
    if (positionals.length !== 1) throw new CliError('status-code takes one code, e.g. sidehook status-code 503', 2)
    const code = positionals[0]
    const info = /^\d{3}$/.test(code) ? lookupStatus(Number(code)) : undefined
    if (info === undefined) throw new CliError(`"${code}" is not an HTTP status code from 100 to 599`, 2)
    if (json) {
      out(JSON.stringify(info, null, 2) + '\n')
      return 0
    }
    const tag = info.registered ? '' : info.vendor !== undefined ? ` (${info.vendor}, not IANA-registered)` : ' (unregistered)'
    out(`${info.code} ${info.name}${tag}\n`)
    out(`Class: ${info.class}    Retried by default: ${info.retryable ? 'yes' : 'no'}\n\n`)
    out(`Meaning\n${wrap(info.meaning)}\n\nWhen to retry\n${wrap(info.whenToRetry)}\n\nCommon causes\n`)
    for (const c of info.commonCauses) out(`${wrap(c, 78, '  - ').replace(/\n {4}/g, '\n    ')}\n`)
    out(`\nReference: ${info.reference}\n`)
    return 0
  }
}

export const deliveries: Command = {
  summary: 'List deliveries, newest first, with filters',
  usage: 'sidehook deliveries [--state failed] [--target app] [--source stripe] [--since 1h] [--until <time>] [--limit 50] [--json]\n\nTimes: ISO 8601, epoch milliseconds, or a duration ago (30s, 15m, 2h, 7d).',
  async run ({ args, json, client, out }) {
    const { values } = parseArgs({
      args,
      strict: true,
      options: {
        state: { type: 'string' }, target: { type: 'string' }, source: { type: 'string' },
        since: { type: 'string' }, until: { type: 'string' }, limit: { type: 'string' }, cursor: { type: 'string' }
      }
    })
    const page = await client().get('/admin/deliveries', { ...values, limit: values.limit ?? 50 })
    if (json) {
      out(JSON.stringify(page, null, 2) + '\n')
      return 0
    }
    const items = page.items as Array<Record<string, any>>
    out(table(['ID', 'STATE', 'TARGET', 'SOURCE', 'TRIES', 'LAST', 'NEXT / CREATED'], items.map((d) => [
      d.id, d.state, d.target, d.source, d.attemptCount,
      d.lastStatus !== null ? `${d.lastStatus} ${d.lastStatusInfo?.name ?? ''}`.trim() : d.lastError,
      d.state === 'pending' ? `next ${when(d.nextAttemptAt)}` : when(d.createdAt)
    ])))
    if (page.nextCursor !== null) out(`More: add --cursor ${page.nextCursor}\n`)
    return 0
  }
}

export const delivery: Command = {
  summary: 'Show one delivery with every attempt and what its status means',
  usage: 'sidehook delivery <id> [--json]',
  async run ({ args, json, client, out }) {
    const { positionals } = parseArgs({ args, allowPositionals: true, strict: true })
    if (positionals.length !== 1) throw new CliError('delivery takes one id, e.g. sidehook delivery dlv_01...', 2)
    const d = await client().get(`/admin/deliveries/${encodeURIComponent(positionals[0])}`)
    if (json) {
      out(JSON.stringify(d, null, 2) + '\n')
      return 0
    }
    out(`${d.id}  ${d.state}${d.failReason !== null ? ` (${d.failReason})` : ''}\n`)
    out(`event ${d.eventId}  source ${d.source} -> target ${d.target}\n`)
    out(`created ${when(d.createdAt)}  attempts ${d.attemptCount}${d.nextAttemptAt !== null ? `  next attempt ${when(d.nextAttemptAt)}` : ''}\n\n`)
    const attempts = d.attempts as Array<Record<string, any>>
    out(table(['#', 'STARTED', 'MS', 'RESULT', 'OUTCOME', 'MEANING'], attempts.map((a) => [
      a.n, when(a.startedAt), a.durationMs,
      a.status !== null ? `${a.status} ${a.statusInfo?.name ?? ''}`.trim() : a.error,
      a.outcome + (a.retryAfterMs !== null ? ` (Retry-After ${Math.round(a.retryAfterMs / 1000)} s)` : ''),
      a.statusInfo !== null ? a.statusInfo.meaning.split('. ')[0] : a.errorMessage
    ])))
    return 0
  }
}

export const targets: Command = {
  summary: 'Show each target\'s health, pause state and outbox counts',
  usage: 'sidehook targets [--json]',
  async run ({ args, json, client, out }) {
    parseArgs({ args, strict: true })
    const res = await client().get('/admin/targets')
    if (json) {
      out(JSON.stringify(res, null, 2) + '\n')
      return 0
    }
    const items = res.items as Array<Record<string, any>>
    out(table(['TARGET', 'STATE', 'FAILS IN A ROW', 'PENDING', 'IN FLIGHT', 'FAILED', 'LAST SUCCESS', 'UNTIL'], items.map((t) => [
      t.name, t.state, t.consecutiveFailures, t.counts.pending, t.counts.in_flight, t.counts.failed, when(t.lastSuccessAt),
      t.pausedUntil ?? t.holdUntil ?? (t.state === 'paused' ? 'resumed' : '-')
    ])))
    return 0
  }
}
