import { parseArgs } from 'node:util'
import { CliError } from '../admin-client.js'
import type { Command } from '../context.js'

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

export const retry: Command = {
  summary: 'Retry one delivery, or every delivery matching filters (default: failed ones)',
  usage: 'sidehook retry <id>\nsidehook retry --state failed [--target app] [--source stripe] [--since 1h] [--until <time>]',
  async run ({ args, json, client, out, err }) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { state: { type: 'string' }, target: { type: 'string' }, source: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' } }
    })
    const filters = Object.keys(values).length > 0
    if (positionals.length > 1 || (positionals.length === 1 && filters) || (positionals.length === 0 && !filters)) {
      throw new CliError('retry takes one delivery id, or filters such as --state failed --target app', 2)
    }
    if (positionals.length === 1) {
      const d = await client().post(`/admin/deliveries/${encodeURIComponent(positionals[0])}/retry`)
      out(json ? JSON.stringify(d, null, 2) + '\n' : `${d.id} is pending again, due now\n`)
      return 0
    }
    const described = Object.entries(values).map(([k, v]) => `${k}=${String(v)}`).join(' ')
    if (!json) err(`Retrying deliveries (${described})...\n`)
    const res = await client().post('/admin/deliveries/retry', values)
    out(json ? JSON.stringify(res, null, 2) + '\n' : `${res.retried} ${res.state} deliveries are pending again\n`)
    return 0
  }
}

export const pause: Command = {
  summary: 'Stop sending to a target (until resumed, or for a while)',
  usage: 'sidehook pause <target> [--for 30m]',
  async run ({ args, json, client, out }) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { for: { type: 'string' } } })
    if (positionals.length !== 1) throw new CliError('pause takes one target name', 2)
    let durationMs: number | undefined
    if (values.for !== undefined) {
      const m = /^(\d+)([smhd])$/.exec(values.for)
      if (m === null) throw new CliError('--for takes a duration such as 90s, 30m, 2h or 1d', 2)
      durationMs = Number(m[1]) * UNITS[m[2]]
    }
    const t = await client().post(`/admin/targets/${encodeURIComponent(positionals[0])}/pause`, durationMs === undefined ? {} : { durationMs })
    out(json ? JSON.stringify(t, null, 2) + '\n' : `${t.name} is paused${t.pausedUntil !== null ? ` until ${t.pausedUntil}` : ' until resumed'}\n`)
    return 0
  }
}

export const resume: Command = {
  summary: 'Start sending to a paused or held target again',
  usage: 'sidehook resume <target>',
  async run ({ args, json, client, out }) {
    const { positionals } = parseArgs({ args, allowPositionals: true, strict: true })
    if (positionals.length !== 1) throw new CliError('resume takes one target name', 2)
    const t = await client().post(`/admin/targets/${encodeURIComponent(positionals[0])}/resume`)
    out(json ? JSON.stringify(t, null, 2) + '\n' : `${t.name} is ${t.state}\n`)
    return 0
  }
}
