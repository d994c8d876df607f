import { parseArgs } from 'node:util'

// (g), peak RSS, is not a phase of its own: it is measured in every phase that runs Sidehook.
export const PHASES = ['a', 'b', 'c', 'd', 'e', 'f', 'h'] as const
export type Phase = typeof PHASES[number]

export interface BenchOptions {
  readonly smoke: boolean
  /** Seconds of measured load per round (a, b, c, f). */
  readonly duration: number
  /** Seconds of unmeasured load before the first round against each server. */
  readonly warmup: number
  readonly repeats: number
  /** autocannon connections for the ingest phases. */
  readonly connections: number
  /** Deliveries in the drain backlog (d) and requests sent by the raw pool (e). */
  readonly backlog: number
  /** Pending deliveries in the outbox for (f). */
  readonly pending: number
  /** The target's `concurrency` in Sidehook, and the raw pool's connections and requests in flight. */
  readonly deliveryConcurrency: number
  /** Seconds over which idle CPU (h) is measured. */
  readonly idleSeconds: number
  /** Bytes of each JSON webhook body. */
  readonly bodySize: number
  readonly only: ReadonlySet<Phase>
  /** Folder for the JSON result (and profiles). */
  readonly out: string
  /** Write V8 CPU profiles of the Sidehook process in (b) and (d). */
  readonly cpuProf: boolean
  /** Drop the (f) outbox from the page cache once it is written, instead of leaving it there (see bench/README.md). */
  readonly dropFillCache: boolean
  /** Give up on a drain after this many seconds and report the partial rate. */
  readonly drainTimeout: number
  /** storage.durability of every Sidehook in the run (the phases use full). */
  readonly durability: 'full' | 'normal'
}

const HELP = `Usage: npm run bench -- [options]

  --smoke                 tiny durations and counts (whole run well under 20 s)
  --duration <s>          measured seconds per round of load (default 10; smoke 0.5)
  --warmup <s>            warm-up seconds before the first round per server (default 3)
  --repeats <n>           rounds per phase; the table shows medians (default 3; smoke 1)
  --connections <n>       autocannon connections (default 50)
  --backlog <n>           deliveries drained in (d) and sent raw in (e) (default 100000)
  --pending <n>           pending deliveries in the outbox for (f) (default 1000000)
  --delivery-concurrency <n>  Sidehook target concurrency and raw pool size (default 16)
  --idle <s>              seconds of idle CPU measurement (h) (default 10)
  --body-size <bytes>     webhook body size (default 1024)
  --only a,b,...          run only these phases (ratios need their baselines: b needs a, d needs e;
                          f brings its own empty-outbox baseline b*)
  --out <dir>             where the JSON result goes (default bench/results)
  --cpu-prof              write V8 CPU profiles of Sidehook during (b) and (d) next to the result
  --drop-fill-cache       drop the 1.7 GB outbox of (f) from the page cache once written (it is left there by default)
  --drain-timeout <s>     stop waiting for a drain and report the rate so far (default 120)
  --durability <mode>     storage.durability of Sidehook: full (default, what the targets assume) or normal, for experiments
`

export function parseOptions (argv: readonly string[], defaultOut: string): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      smoke: { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      repeats: { type: 'string' },
      connections: { type: 'string' },
      backlog: { type: 'string' },
      pending: { type: 'string' },
      'delivery-concurrency': { type: 'string' },
      idle: { type: 'string' },
      'body-size': { type: 'string' },
      only: { type: 'string' },
      out: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      'drop-fill-cache': { type: 'boolean', default: false },
      'drain-timeout': { type: 'string' },
      durability: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false }
    },
    strict: true
  })
  if (values.help === true) return 'help'
  const smoke = values.smoke === true
  const num = (name: string, raw: string | undefined, fallback: number, min: number): number => {
    if (raw === undefined) return fallback
    const n = Number(raw)
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}, got ${raw}`)
    return n
  }
  const int = (name: string, raw: string | undefined, fallback: number, min: number): number => {
    const n = num(name, raw, fallback, min)
    if (!Number.isInteger(n)) throw new Error(`--${name} must be a whole number, got ${raw}`)
    return n
  }
  let only: Set<Phase> = new Set(PHASES)
  if (values.only !== undefined) {
    only = new Set()
    for (const p of values.only.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '')) {
      if (!(PHASES as readonly string[]).includes(p)) throw new Error(`--only: unknown phase "${p}" (phases: ${PHASES.join(',')})`)
      only.add(p as Phase)
    }
  }
  return {
    smoke,
    duration: num('duration', values.duration, smoke ? 0.5 : 10, 0.25),
    warmup: num('warmup', values.warmup, smoke ? 0.25 : 3, 0),
    repeats: int('repeats', values.repeats, smoke ? 1 : 3, 1),
    connections: int('connections', values.connections, smoke ? 10 : 50, 1),
    backlog: int('backlog', values.backlog, smoke ? 500 : 100_000, 1),
    pending: int('pending', values.pending, smoke ? 1000 : 1_000_000, 0),
    deliveryConcurrency: int('delivery-concurrency', values['delivery-concurrency'], 16, 1),
    idleSeconds: num('idle', values.idle, smoke ? 0.5 : 10, 0.1),
    bodySize: int('body-size', values['body-size'], 1024, 64),
    only,
    out: values.out ?? defaultOut,
    cpuProf: values['cpu-prof'] === true,
    dropFillCache: values['drop-fill-cache'] === true,
    drainTimeout: num('drain-timeout', values['drain-timeout'], smoke ? 30 : 120, 1),
    durability: durability(values.durability)
  }
}

function durability (raw: string | undefined): 'full' | 'normal' {
  if (raw === undefined || raw === 'full' || raw === 'normal') return raw ?? 'full'
  throw new Error(`--durability must be full or normal, got ${raw}`)
}

export { HELP }
