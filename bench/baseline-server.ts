import Fastify from 'fastify'

// (a), the ceiling: a bare Fastify POST route that keeps the body as bytes (as Sidehook does)
// and answers 202 with a JSON body of the same shape and size as Sidehook's acknowledgement.
// No storage, no logging: what HTTP and the framework cost on this machine.

const app = Fastify({ logger: false, bodyLimit: 1_048_576 })
app.removeAllContentTypeParsers()
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => { done(null, body) })

let n = 0
// Sidehook's ids are a 4-character prefix and 26 base32 characters.
const id = (prefix: string) => `${prefix}_${String(++n).padStart(26, '0')}`

app.post('/in/:source', async (_request, reply) => {
  return reply.code(202).send({ id: id('evt'), deliveries: [{ id: id('dlv'), target: 'app' }] })
})

process.on('disconnect', () => process.exit(0))
process.on('SIGTERM', () => process.exit(0))

const url = await app.listen({ host: '127.0.0.1', port: 0 })
process.send!({ type: 'ready', url })
