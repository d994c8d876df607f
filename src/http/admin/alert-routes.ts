import type { FastifyInstance } from 'fastify'
import type { Alerter } from '../../alerts/alerter.js'
import { AlertSettingsError, type AlertSettingsInput } from '../../alerts/settings.js'
import { CHANNEL_NAMES, type AlertHistoryEntry, type ChannelName, type HistoryStatus } from '../../alerts/types.js'
import { alertPayload } from '../../alerts/webhook-payload.js'
import { BadRequestError, ConflictError } from '../../errors.js'
import { iso } from './params.js'

/** What the routes need of the alerter. */
export type AlertAdmin = Pick<Alerter, 'publicSettings' | 'updateSettings' | 'sendTest' | 'history'>

export interface AlertRouteDeps {
  readonly alerter: AlertAdmin
}

const rules = {
  consecutiveFailures: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  cooldownMs: { type: 'integer', minimum: 0, maximum: 31_536_000_000 },
  notifyOnRecovery: { type: 'boolean' },
  notifyOnPermanentFailure: { type: 'boolean' }
} as const

const httpUrl = { type: 'string', minLength: 1, maxLength: 2048, pattern: '^https?://' } as const

// The same shape as GET answers, so an operator can edit that and PUT it back. Absent keys
// take their defaults; an absent channel is switched off.
const settingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...rules,
    channels: {
      type: 'object',
      additionalProperties: false,
      properties: {
        webhook: {
          type: 'object',
          additionalProperties: false,
          required: ['url'],
          properties: { url: httpUrl, secret: { type: 'string', maxLength: 1024 } }
        },
        slack: { type: 'object', additionalProperties: false, required: ['webhookUrl'], properties: { webhookUrl: httpUrl } },
        email: {
          type: 'object',
          additionalProperties: false,
          required: ['to'],
          properties: {
            to: { type: 'array', minItems: 1, maxItems: 50, items: { type: 'string', format: 'email', maxLength: 320 } },
            from: { type: 'string', minLength: 1, maxLength: 320 }
          }
        }
      }
    },
    targets: {
      type: 'object',
      propertyNames: { maxLength: 64 },
      additionalProperties: { type: 'object', additionalProperties: false, properties: rules }
    }
  }
} as const

const HISTORY_ID = /^alh_[0-9a-z]{26}$/

function decodeHistoryCursor (cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined
  const id = Buffer.from(cursor, 'base64url').toString()
  if (!HISTORY_ID.test(id)) throw new BadRequestError('cursor is not one this list gave out')
  return id
}

function historyJson (h: AlertHistoryEntry) {
  return {
    id: h.id,
    alertId: h.alert.id,
    type: h.alert.kind,
    target: h.alert.target,
    channel: h.channel,
    status: h.status,
    attempts: h.attempts,
    result: h.result,
    createdAt: iso(h.createdAt),
    updatedAt: iso(h.updatedAt),
    alert: alertPayload(h.alert)
  }
}

export function alertRoutes (app: FastifyInstance, deps: AlertRouteDeps): void {
  const { alerter } = deps

  app.get('/admin/alerts/settings', async () => alerter.publicSettings())

  app.put('/admin/alerts/settings', { schema: { body: settingsSchema } }, async (request) => {
    if (request.body === null || request.body === undefined) throw new BadRequestError('body must be the alert settings object')
    try {
      return await alerter.updateSettings(request.body as AlertSettingsInput)
    } catch (err) {
      if (err instanceof AlertSettingsError) throw new BadRequestError(`body/${err.path.replaceAll('.', '/')} ${err.reason}`)
      throw err
    }
  })

  app.post('/admin/alerts/test', async (request) => {
    const { alertId, results } = await alerter.sendTest()
    if (results.length === 0) throw new ConflictError('No alert channel is configured; set one with PUT /admin/alerts/settings')
    request.log.info({ alertId, results: results.map((r) => ({ channel: r.channel, ok: r.ok })) }, 'Test alert sent by an operator')
    return { alertId, ok: results.every((r) => r.ok), results }
  })

  app.get('/admin/alerts/history', {
    schema: {
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          cursor: { type: 'string', maxLength: 200 },
          target: { type: 'string', maxLength: 64 },
          channel: { type: 'string', enum: [...CHANNEL_NAMES] },
          status: { type: 'string', enum: ['sending', 'sent', 'failed'] }
        }
      }
    }
  }, async (request) => {
    const q = request.query as { limit: number, cursor?: string, target?: string, channel?: ChannelName, status?: HistoryStatus }
    const page = await alerter.history(
      { target: q.target, channel: q.channel, status: q.status },
      { limit: q.limit, before: decodeHistoryCursor(q.cursor) }
    )
    return { items: page.items.map(historyJson), nextCursor: page.next === null ? null : Buffer.from(page.next).toString('base64url') }
  })
}
