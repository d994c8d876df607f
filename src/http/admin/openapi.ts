import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'

/** Paths served without the admin token: the API description holds no data or secrets. */
export const OPEN_DOC_PREFIXES = ['/admin/docs', '/admin/openapi.json']

/**
 * Describes the admin API from its route schemas. Must be registered before the routes so
 * that it sees them; the description is at /admin/openapi.json, a browsable page at /admin/docs.
 */
export function installOpenApi (app: FastifyInstance, version: string): void {
  void app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Sidehook admin API',
        version,
        description: 'Inspect and replay webhook deliveries, look up status codes, manage targets and alerts. ' +
          'Every route but /healthz, /readyz and this description needs `Authorization: Bearer <admin token>` when a token is set.'
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }]
    }
  })
  void app.register(swaggerUi, { routePrefix: '/admin/docs', uiConfig: { docExpansion: 'list', deepLinking: true } })
  app.get('/admin/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}

// One line per route for the API description, kept here so route files stay about behaviour.
const SUMMARIES: Record<string, [tag: string, summary: string]> = {
  'GET /admin/status-codes': ['status codes', 'List catalogued HTTP status codes (filters: class, retryable)'],
  'GET /admin/status-codes/:code': ['status codes', 'Explain one status code; unregistered codes get their class entry'],
  'GET /admin/events': ['events', 'List inbound events, newest first'],
  'GET /admin/events/:id': ['events', 'One event: headers, body (utf8 or base64) and its deliveries'],
  'GET /admin/deliveries': ['deliveries', 'List deliveries, newest first (filters: state, target, source, since, until)'],
  'GET /admin/deliveries/:id': ['deliveries', 'One delivery with every attempt and its status meaning'],
  'POST /admin/deliveries/:id/retry': ['deliveries', 'Make a delivery pending again, due now, with a fresh retry budget'],
  'POST /admin/deliveries/:id/cancel': ['deliveries', 'Cancel a pending or failed delivery'],
  'POST /admin/deliveries/retry': ['deliveries', 'Retry every delivery matching a filter (default state: failed)'],
  'GET /admin/targets': ['targets', 'Every target: health, pause state, outbox counts'],
  'POST /admin/targets/:name/pause': ['targets', 'Pause a target until resumed, or for durationMs'],
  'POST /admin/targets/:name/resume': ['targets', 'Resume a target and lift any Retry-After hold'],
  'GET /admin/alerts/settings': ['alerts', 'Alert settings (secrets masked)'],
  'PUT /admin/alerts/settings': ['alerts', 'Replace the alert settings (masked secrets keep their stored value)'],
  'POST /admin/alerts/test': ['alerts', 'Send a test alert through every configured channel'],
  'GET /admin/alerts/history': ['alerts', 'Alerts sent, per channel, with their result'],
  'GET /healthz': ['health', 'The process answers'],
  'GET /readyz': ['health', 'The database accepts writes']
}

/** An onRoute hook that adds a tag and a summary to each known route's schema. */
export function describeRoute (route: { method: string | string[], url: string, schema?: Record<string, unknown> }): void {
  const method = Array.isArray(route.method) ? route.method[0] : route.method
  const entry = SUMMARIES[`${method} ${route.url}`]
  if (entry === undefined) return
  route.schema = { ...route.schema, tags: [entry[0]], summary: entry[1] }
}
