import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

// `npm run bench -- --smoke`: every phase for a moment, to prove the harness runs and writes a
// well-formed result. Numbers from a smoke run mean nothing, so nothing here judges them.

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const MAIN = join(REPO, 'dist', 'src', 'main.js')
if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first (npm test does)`)

// a* and b* are the bare route and an empty outbox measured again beside (f), after its fill.
const PHASES = ['a', 'b', 'a*', 'b*', 'c', 'c.out', 'd', 'e', 'f', 'h']

function runBench (args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(REPO, 'bench', 'run.ts'), ...args],
      { cwd: REPO, timeout: 100_000, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => resolve({ code: err === null ? 0 : (err as { code?: number }).code ?? null, stdout, stderr }))
  })
}

const isNumberOrNull = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v))

t.test('a smoke run of every phase writes a table and a well-formed JSON result', async (t) => {
  const out = t.testdir()
  const { code, stdout, stderr } = await runBench(['--smoke', '--out', out])
  t.equal(code, 0, code === 0 ? 'bench exits 0' : `bench exits 0; stderr: ${stderr.slice(-2000)}`)

  const files = readdirSync(out).filter((f) => f.endsWith('.json'))
  t.equal(files.length, 1, 'one JSON result')
  t.match(files[0], /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z\.json$/, 'named by its ISO start time')
  const result = JSON.parse(readFileSync(join(out, files[0]), 'utf8'))

  t.match(result, { version: 1, options: { smoke: true, connections: Number }, machine: { cpus: Number, node: String } }, 'options and machine recorded')
  t.same(result.rows.map((r: { id: string }) => r.id).sort(), [...PHASES].sort(), 'a row for every phase')
  for (const row of result.rows) {
    t.test(`row ${row.id}`, async (t) => {
      for (const key of ['rps', 'p50', 'p99', 'peakRss', 'cpu', 'ratio', 'targetRatio']) t.ok(isNumberOrNull(row[key]), `${key} is a number or null`)
      t.type(row.title, 'string')
      t.ok(Array.isArray(row.rounds))
      t.ok(row.pass === null || typeof row.pass === 'boolean')
    })
  }
  const row = (id: string) => result.rows.find((r: { id: string }) => r.id === id)
  for (const id of ['a', 'b', 'a*', 'b*', 'c', 'c.out', 'd', 'e', 'f']) t.ok(row(id).rps > 0, `${id} measured some throughput`)
  for (const id of ['a', 'b', 'a*', 'b*', 'c', 'f']) {
    t.ok(row(id).p99 >= row(id).p50, `${id}: p99 >= p50`)
    t.equal(row(id).rounds.length, 1, `${id}: one round in smoke mode`)
  }
  if (process.platform === 'linux') {
    for (const id of ['b', 'b*', 'c', 'd', 'f', 'h']) t.ok(row(id).peakRss > 10 * 1024 * 1024, `${id}: Sidehook peak RSS read from /proc`)
    t.ok(row('h').cpu >= 0, 'idle CPU read from /proc')
  }
  for (const [id, base] of [['b', 'a'], ['f', 'b*'], ['d', 'e']]) {
    t.equal(row(id).baseline, base)
    t.ok(row(id).ratio > 0, `${id} has a ratio to ${base}`)
    t.type(row(id).pass, 'boolean', `${id} is judged against its target ratio`)
  }
  t.equal(row('b*').baseline, 'a*')
  t.ok(row('b*').ratio > 0, 'b* has a ratio to a* (information, not a target)')
  t.equal(row('b*').pass, null)
  // Every delivery of the drain reached the target and was recorded as succeeded.
  t.match(row('d').rounds[0], { complete: true, delivered: result.options.backlog, counts: { succeeded: result.options.backlog } })
  t.match(row('e').rounds[0], { sent: result.options.backlog, ok: result.options.backlog })
  for (const id of ['a', 'b', 'a*', 'b*', 'c', 'f']) t.equal(row(id).rounds[0].non2xx + row(id).rounds[0].errors, 0, `${id}: every request acknowledged`)

  t.equal(result.checks.length, 6, 'one check per target of the issue')
  for (const c of result.checks) t.ok(c.pass === null || typeof c.pass === 'boolean', c.name)

  t.match(stdout, /phase \| what/, 'the table is printed')
  t.match(stdout, /durable ingest \(b\) vs bare Fastify \(a\)/, 'the checks are printed')
  t.match(stdout, new RegExp(`Result written to .*${files[0].replace(/\./g, '\\.')}`))
})

t.test('--only runs just the named phases; bad options exit 2 with the usage', async (t) => {
  const out = t.testdir()
  const only = await runBench(['--smoke', '--only', 'e', '--out', out])
  t.equal(only.code, 0, only.code === 0 ? '--only e runs' : only.stderr)
  const [file] = readdirSync(out).filter((f) => f.endsWith('.json'))
  const result = JSON.parse(readFileSync(join(out, file), 'utf8'))
  t.same(result.rows.map((r: { id: string }) => r.id), ['e'])
  t.equal(result.checks.find((c: { name: string }) => /drain/.test(c.name)).pass, null, 'no verdict without its phase')

  const bad = await runBench(['--only', 'x'])
  t.equal(bad.code, 2)
  t.match(bad.stderr, /unknown phase "x"/)
  t.match(bad.stderr, /Usage: npm run bench/)
})
