import type { Phase } from './options.js'

/** One line of the result table: a phase's medians over its rounds. */
export interface Row {
  readonly id: string
  readonly phase: Phase
  readonly title: string
  /** Median per second: acknowledged requests (a, b, c, f), deliveries arriving (c delivered, d, e). */
  readonly rps: number | null
  /** Median of the per-round latency percentiles, ms. */
  readonly p50: number | null
  readonly p99: number | null
  /** Peak RSS of the measured process over the phase, bytes (Sidehook, or the baseline server for a). */
  readonly peakRss: number | null
  /** Median CPU of the measured server process while measured, in cores (1 = one core busy). */
  readonly cpu: number | null
  readonly baseline: string | null
  readonly ratio: number | null
  /** The ratio the issue asks for, or null when the row is information only. */
  readonly targetRatio: number | null
  readonly pass: boolean | null
  readonly rounds: readonly unknown[]
  readonly notes?: readonly string[]
}

/** One target of the issue, judged on this run's numbers. */
export interface Check {
  readonly name: string
  readonly measured: number | null
  readonly unit: string
  readonly target: string
  readonly pass: boolean | null
}

export function withRatio (row: Omit<Row, 'ratio' | 'pass'>, base: Row | undefined): Row {
  const ratio = base?.rps != null && row.rps != null && base.rps > 0 ? row.rps / base.rps : null
  return { ...row, ratio, pass: row.targetRatio === null || ratio === null ? null : ratio >= row.targetRatio }
}

const MB = 1024 * 1024
const fmt = (v: number | null, digits = 0, suffix = '') => v === null ? 'n/a' : `${v.toFixed(digits)}${suffix}`
const verdict = (p: boolean | null) => p === null ? '—' : p ? 'PASS' : 'FAIL'

function table (headers: string[], lines: string[][], right: boolean[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)))
  const cell = (s: string, i: number) => right[i] ? s.padStart(widths[i]) : s.padEnd(widths[i])
  const out = [headers.map(cell).join(' | '), widths.map((w) => '-'.repeat(w)).join('-|-')]
  for (const l of lines) out.push(l.map(cell).join(' | '))
  return out.join('\n')
}

export function formatRows (rows: readonly Row[]): string {
  return table(
    ['phase', 'what', 'req/s (median)', 'p50 ms', 'p99 ms', 'peak RSS', 'CPU cores', 'req/s per core', 'ratio', 'target', 'result'],
    rows.map((r) => [
      r.id, r.title, fmt(r.rps), fmt(r.p50, 2), fmt(r.p99, 2), fmt(r.peakRss === null ? null : r.peakRss / MB, 0, ' MB'), fmt(r.cpu, 2),
      fmt(r.rps !== null && r.cpu !== null && r.cpu > 0 ? r.rps / r.cpu : null),
      r.ratio === null ? '—' : `${(r.ratio * 100).toFixed(1)}% of ${r.baseline}`,
      r.targetRatio === null ? '—' : `>= ${(r.targetRatio * 100).toFixed(0)}%`,
      verdict(r.pass)
    ]),
    [false, false, true, true, true, true, true, true, false, false, false]
  )
}

export function formatChecks (checks: readonly Check[]): string {
  return table(
    ['target (issue 5)', 'measured', 'wanted', 'result'],
    checks.map((c) => [c.name, c.measured === null ? 'n/a' : `${+c.measured.toFixed(c.unit === '%' ? 2 : 1)}${c.unit === '' ? '' : ' ' + c.unit}`, c.target, verdict(c.pass)]),
    [false, true, false, false]
  )
}

/** The targets, each judged on this run when its phases ran. */
export function judge (rows: readonly Row[]): Check[] {
  const by = (id: string) => rows.find((r) => r.id === id)
  const b = by('b')
  const d = by('d')
  const f = by('f')
  const h = by('h')
  const pct = (r: Row | undefined) => r?.ratio == null ? null : r.ratio * 100
  const check = (name: string, measured: number | null, unit: string, target: string, ok: (v: number) => boolean): Check =>
    ({ name, measured, unit, target, pass: measured === null ? null : ok(measured) })
  return [
    check('durable ingest (b) vs bare Fastify (a)', pct(b), '%', '>= 40% (aim 50%+)', (v) => v >= 40),
    check(`p99 ack latency of (b)`, b?.p99 ?? null, 'ms', '< 25 ms', (v) => v < 25),
    check('drain (d) vs raw undici pool (e)', pct(d), '%', '>= 25%', (v) => v >= 25),
    check('ingest with backlog (f) vs empty outbox (b*)', pct(f), '%', '>= 90%', (v) => v >= 90),
    check('peak RSS with the backlog (f)', f?.peakRss == null ? null : f.peakRss / MB, 'MB', '< 250 MB', (v) => v < 250),
    check('idle CPU (h), % of one core', h?.cpu == null ? null : h.cpu * 100, '%', '< 1%', (v) => v < 1)
  ]
}
