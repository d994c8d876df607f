import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { HelperProcess, REPO, killAll } from './children.js'
import type { Context } from './context.js'
import { jsonBody } from './load.js'
import { HELP, parseOptions, type BenchOptions } from './options.js'
import { deliverPhase } from './phases/deliver.js'
import { drainPhases } from './phases/drain.js'
import { idlePhase } from './phases/idle.js'
import { ingestPhases } from './phases/ingest.js'
import { formatSummary, summariseProfiles, type ProfileSummary } from './profile-summary.js'
import { formatChecks, formatRows, judge, type Row } from './report.js'
import { MAIN } from './sidehook-process.js'
import { log } from './stats.js'

// `npm run bench`: every phase of issue 5 in one run, one process tree, medians and ratios.
// See bench/README.md for what each phase measures.

export interface BenchResult {
  readonly version: 1
  readonly startedAt: string
  readonly finishedAt: string
  readonly seconds: number
  readonly machine: { readonly node: string, readonly platform: string, readonly cpus: number, readonly cpuModel: string, readonly memoryBytes: number }
  readonly options: Omit<BenchOptions, 'only'> & { readonly only: string[] }
  readonly rows: Row[]
  readonly checks: ReturnType<typeof judge>
  readonly profiles: Record<string, ProfileSummary[]>
}

async function bench (options: BenchOptions): Promise<{ result: BenchResult, file: string }> {
  const started = new Date()
  const stamp = started.toISOString().replace(/:/g, '-')
  const workDir = mkdtempSync(join(tmpdir(), 'sidehook-bench-'))
  const runs = (p: string) => options.only.has(p as never)
  const needsTarget = ['c', 'd', 'e', 'h'].some(runs)
  let target: HelperProcess | null = null
  const rows: Row[] = []
  const profileDir = join(options.out, `${stamp}-profiles`)
  try {
    let targetUrl = ''
    if (needsTarget) {
      target = new HelperProcess('./target-server.ts')
      targetUrl = await target.ready()
    }
    const body = jsonBody(options.bodySize)
    const ctx: Context = { options, body, bodyBuffer: Buffer.from(body), target, targetUrl, workDir, profileDir, runs }
    if (runs('a') || runs('b') || runs('f')) rows.push(...await ingestPhases(ctx))
    if (runs('c')) rows.push(...await deliverPhase(ctx, rows))
    if (runs('d') || runs('e')) rows.push(...await drainPhases(ctx))
    if (runs('h')) rows.push(...await idlePhase(ctx))
  } finally {
    await target?.stop()
    rmSync(workDir, { recursive: true, force: true })
  }
  const profiles: Record<string, ProfileSummary[]> = {}
  if (options.cpuProf) for (const p of ['b', 'd']) profiles[p] = summariseProfiles(join(profileDir, p))
  const finished = new Date()
  const result: BenchResult = {
    version: 1,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    seconds: (finished.getTime() - started.getTime()) / 1000,
    machine: { node: process.version, platform: `${process.platform} ${process.arch}`, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '', memoryBytes: totalmem() },
    options: { ...options, only: [...options.only] },
    rows,
    checks: judge(rows),
    profiles
  }
  mkdirSync(options.out, { recursive: true })
  const file = join(options.out, `${stamp}.json`)
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n')
  return { result, file }
}

function print (result: BenchResult, file: string): void {
  const o = result.options
  const out = [
    '',
    `Sidehook bench${o.smoke ? ' (SMOKE: numbers mean nothing)' : ''}${o.cpuProf ? ' (CPU-PROFILED: slower than normal)' : ''}: ` +
      `${o.duration} s x ${o.repeats} rounds, ${o.connections} connections, ${o.bodySize} B JSON bodies, ` +
      `backlog ${o.backlog}, pending ${o.pending}, delivery concurrency ${o.deliveryConcurrency}, durability ${o.durability}; ` +
      `${result.machine.cpus} CPUs, Node ${result.machine.node}; took ${result.seconds.toFixed(0)} s`,
    '',
    formatRows(result.rows),
    '',
    formatChecks(result.checks)
  ]
  const notes = result.rows.flatMap((r) => (r.notes ?? []).map((n) => `  (${r.id}) ${n}`))
  if (notes.length > 0) out.push('', 'Notes:', ...notes)
  for (const [phase, list] of Object.entries(result.profiles)) {
    for (const s of list) out.push('', formatSummary(`CPU profile (${phase})`, s))
  }
  out.push('', `Result written to ${file}`, '')
  process.stdout.write(out.join('\n'))
}

async function main (): Promise<void> {
  let options
  try {
    options = parseOptions(process.argv.slice(2), join(REPO, 'bench', 'results'))
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n\n${HELP}`)
    process.exit(2)
  }
  if (options === 'help') {
    process.stdout.write(HELP)
    return
  }
  if (process.platform !== 'linux') log('warning: RSS and CPU are read from /proc; they will be n/a on this platform')
  log(`using the built server ${MAIN}`)
  const stop = () => { killAll(); process.exit(130) }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  const { result, file } = await bench(options)
  print(result, file)
}

main().catch((err: unknown) => {
  killAll()
  process.stderr.write(`bench: failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
