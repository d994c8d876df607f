import { describeAlert, type AlertText } from './describe.js'
import type { Alert } from './types.js'

export interface EmailMessage {
  readonly subject: string
  readonly text: string
  readonly html: string
}

const FOOTER = 'Sent by Sidehook. Alert settings: GET/PUT /admin/alerts/settings on the admin API.'

export function escapeHtml (text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;')
}

function table (rows: ReadonlyArray<readonly [string, string]>): string[] {
  const width = Math.max(...rows.map(([label]) => label.length)) + 2
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`)
}

function plainText (d: AlertText): string {
  const lines: string[] = [d.title, '', d.summary, '']
  if (d.facts.length > 0) lines.push(...table(d.facts), '')
  if (d.last !== null) {
    lines.push(`${d.last.label}: ${d.last.headline} (at ${d.last.at})`, d.last.meaning)
    if (d.last.detail !== null) lines.push(`Error: ${d.last.detail}`)
    lines.push('')
    if (d.last.commonCauses.length > 0) lines.push('Common causes:', ...d.last.commonCauses.map((c) => `  - ${c}`), '')
  }
  if (d.nextSteps.length > 0) lines.push('What to do:', ...d.nextSteps.map((s) => `  - ${s}`), '')
  lines.push(...table(d.ids), '', '-- ', FOOTER)
  return lines.join('\n') + '\n'
}

const CELL = 'padding:4px 12px 4px 0;vertical-align:top'

function htmlRows (rows: ReadonlyArray<readonly [string, string]>, code: boolean): string {
  return rows.map(([label, value]) => {
    const shown = code ? `<code>${escapeHtml(value)}</code>` : escapeHtml(value)
    return `<tr><th align="left" style="${CELL};color:#555">${escapeHtml(label)}</th><td style="${CELL}">${shown}</td></tr>`
  }).join('')
}

function list (items: readonly string[]): string {
  return `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`
}

function html (d: AlertText): string {
  const parts: string[] = [`<h2 style="margin:0 0 8px">${escapeHtml(d.title)}</h2>`, `<p>${escapeHtml(d.summary)}</p>`]
  if (d.facts.length > 0) parts.push(`<table cellspacing="0">${htmlRows(d.facts, false)}</table>`)
  if (d.last !== null) {
    parts.push(`<h3 style="margin:16px 0 4px">${escapeHtml(d.last.label)}: ${escapeHtml(d.last.headline)}</h3>`,
      `<p>${escapeHtml(d.last.meaning)} <span style="color:#555">(at ${escapeHtml(d.last.at)})</span></p>`)
    if (d.last.detail !== null) parts.push(`<p><code>${escapeHtml(d.last.detail)}</code></p>`)
    if (d.last.commonCauses.length > 0) parts.push('<h3 style="margin:16px 0 4px">Common causes</h3>', list(d.last.commonCauses))
  }
  if (d.nextSteps.length > 0) parts.push('<h3 style="margin:16px 0 4px">What to do</h3>', list(d.nextSteps))
  parts.push(`<table cellspacing="0">${htmlRows(d.ids, true)}</table>`, `<p style="color:#777;font-size:12px">${escapeHtml(FOOTER)}</p>`)
  return `<!doctype html><html><body style="font-family:sans-serif;font-size:14px;color:#222">${parts.join('\n')}</body></html>\n`
}

/** The same alert as plain text and as HTML, for clients that show either. */
export function emailMessage (alert: Alert): EmailMessage {
  const d = describeAlert(alert)
  return { subject: d.subject, text: plainText(d), html: html(d) }
}
