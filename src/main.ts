import { serve } from './serve.js'

// `npm start` and the container run this file; `sidehook serve` does the same.
serve().catch((err: unknown) => {
  process.stderr.write(`sidehook: fatal: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
