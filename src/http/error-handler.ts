import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

// Fastify's own error codes, renamed to the stable codes our clients see.
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_request',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_VALIDATION: 'bad_request'
}

/** Every error answer is {"error": "<code>", "message": "..."}; 5xx details stay in the log. */
export function installErrorHandlers (app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode <= 599 ? err.statusCode : 500
    if (err.validation !== undefined) {
      return reply.code(400).send({ error: 'bad_request', message: validationMessage(err) })
    }
    if (status >= 500 && err.code !== 'STORAGE_UNAVAILABLE' && err.code !== 'SHUTTING_DOWN') {
      request.log.error({ err }, 'Request failed')
      return reply.code(status).send({ error: 'internal_error', message: 'Internal error; see the Sidehook log' })
    }
    const code = FASTIFY_CODES[err.code] ?? (/^[A-Z_]+$/.test(err.code ?? '') && !err.code.startsWith('FST_') ? err.code.toLowerCase() : 'error')
    return reply.code(status).send({ error: code, message: err.message })
  })
  app.setNotFoundHandler((request, reply) => {
    return reply.code(404).send({ error: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}` })
  })
}

// Ajv says "must NOT have additional properties" without naming the property; a typo'd
// field is the commonest mistake, so name it.
function validationMessage (err: FastifyError): string {
  const first = err.validation?.[0]
  const extra = (first?.params as { additionalProperty?: unknown } | undefined)?.additionalProperty
  if (first?.keyword === 'additionalProperties' && typeof extra === 'string') {
    return `${err.validationContext ?? 'request'} has an unknown field "${extra}"`
  }
  return err.message
}
