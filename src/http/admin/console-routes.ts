import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { NotFoundError } from '../../errors.js'
import { packageRoot } from '../../package-root.js'

/**
 * The web console's static files, served without the admin token: they hold no data, and
 * every call the page makes for data carries the token the operator typed in.
 */
export function isConsoleRoute (route: string): boolean {
  return route === '/console' || route.startsWith('/console/')
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml'
}

// A flat folder of plainly named files: no slash, no dot segment, nothing else can match.
const FILE = /^[a-z0-9][a-z0-9-]*\.(html|js|css|svg)$/

const HEADERS = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}

export function consoleRoutes (app: FastifyInstance, dir = join(packageRoot(), 'console')): void {
  app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/'))

  app.get('/console/*', { schema: { hide: true } }, async (request, reply) => {
    const name = (request.params as { '*': string })['*'] || 'index.html'
    const match = FILE.exec(name)
    if (match === null) throw new NotFoundError(`No console file ${name}`)
    let content: Buffer
    try {
      content = await readFile(join(dir, name))
    } catch {
      throw new NotFoundError(`No console file ${name}`)
    }
    return reply.headers(HEADERS).type(TYPES[match[1]]).send(content)
  })
}
