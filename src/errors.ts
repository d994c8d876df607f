import createError from '@fastify/error'

// One catalog of the errors Sidehook answers with. The lower-cased `code` is what clients
// see in {"error": "<code>", "message": "..."}.
export const UnknownSourceError = createError('UNKNOWN_SOURCE', 'Unknown source "%s"', 404)
export const BodyTooLargeError = createError('BODY_TOO_LARGE', 'Request body is larger than the limit of %s bytes', 413)
export const StorageUnavailableError = createError('STORAGE_UNAVAILABLE', 'Storage is unavailable: %s', 503)
export const UnauthorizedError = createError('UNAUTHORIZED', 'A valid admin token is required in the Authorization header (Bearer)', 401)
export const NotFoundError = createError('NOT_FOUND', '%s', 404)
export const ConflictError = createError('CONFLICT', '%s', 409)
export const BadRequestError = createError('BAD_REQUEST', '%s', 400)
export const InvalidSignatureError = createError('INVALID_SIGNATURE', 'Signature verification failed: %s', 401)
export const RateLimitedError = createError('RATE_LIMITED', 'Too many requests (limit: %s); retry in %s s', 429)
export const TooManyHeadersError = createError('HEADERS_TOO_LARGE', 'More than %s request headers', 431)
export const ShuttingDownError = createError('SHUTTING_DOWN', 'Sidehook is shutting down', 503)

const STORAGE_CODES = /^SQLITE_(FULL|IOERR|READONLY|BUSY|LOCKED|CANTOPEN|CORRUPT|NOTADB|PROTOCOL)/

/** True for driver errors that mean "cannot write now" rather than a bug in our SQL. */
export function isStorageFault (err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && STORAGE_CODES.test(code)
}
