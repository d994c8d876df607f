import { describeAlert } from './describe.js'
import type { Alert, AlertKind } from './types.js'

/*
 * A Slack incoming-webhook message (Block Kit). `text` is what notifications and clients
 * without blocks show; the blocks read top-down: what happened, the numbers, what the last
 * answer means and why it usually happens, what to do, and the ids to look up.
 */

export interface SlackText { readonly type: 'mrkdwn' | 'plain_text', readonly text: string, readonly emoji?: boolean }
export type SlackBlock =
  | { readonly type: 'header', readonly text: SlackText }
  | { readonly type: 'section', readonly text: SlackText }
  | { readonly type: 'section', readonly fields: readonly SlackText[] }
  | { readonly type: 'context', readonly elements: readonly SlackText[] }

export interface SlackMessage {
  readonly text: string
  readonly blocks: readonly SlackBlock[]
}

const EMOJI: Readonly<Record<AlertKind, string>> = {
  'target.failing': ':rotating_light:',
  'target.still_failing': ':rotating_light:',
  'target.recovered': ':white_check_mark:',
  'deliveries.needs_attention': ':warning:',
  test: ':wave:'
}

// Slack's limits: header text 150 characters, section text 3000, field text 2000.
function clip (text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

/** Slack reads &, < and > as markup (links, mentions), so text from outside is escaped. */
export function escapeSlack (text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}

function mrkdwn (text: string, max = 3000): SlackText {
  return { type: 'mrkdwn', text: clip(text, max) }
}

function bullets (items: readonly string[]): string {
  return items.map((i) => `• ${escapeSlack(i)}`).join('\n')
}

export function slackMessage (alert: Alert): SlackMessage {
  const d = describeAlert(alert)
  const emoji = EMOJI[alert.kind]
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`${emoji} ${d.title}`, 150), emoji: true } },
    { type: 'section', text: mrkdwn(escapeSlack(d.summary)) }
  ]
  if (d.facts.length > 0) {
    blocks.push({ type: 'section', fields: d.facts.slice(0, 10).map(([label, value]) => mrkdwn(`*${label}*\n${escapeSlack(value)}`, 2000)) })
  }
  if (d.last !== null) {
    const detail = d.last.detail === null ? '' : `\n\`${escapeSlack(d.last.detail.replaceAll('`', "'"))}\``
    blocks.push({ type: 'section', text: mrkdwn(`*${d.last.label}: ${escapeSlack(d.last.headline)}* (at ${d.last.at})\n${escapeSlack(d.last.meaning)}${detail}`) })
    if (d.last.commonCauses.length > 0) {
      blocks.push({ type: 'section', text: mrkdwn(`*Common causes*\n${bullets(d.last.commonCauses)}`) })
    }
  }
  if (d.nextSteps.length > 0) blocks.push({ type: 'section', text: mrkdwn(`*What to do*\n${bullets(d.nextSteps)}`) })
  blocks.push({
    type: 'context',
    elements: [mrkdwn(d.ids.map(([label, id]) => `${label} \`${escapeSlack(id)}\``).join('  ·  '), 2000)]
  })
  return { text: `${emoji} ${escapeSlack(d.subject.replace(/^\[Sidehook\] /, 'Sidehook: '))}`, blocks }
}
