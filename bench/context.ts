import { join } from 'node:path'
import type { HelperProcess } from './children.js'
import type { BenchOptions, Phase } from './options.js'

/** What every phase needs: the options, the body, the shared target and scratch space. */
export interface Context {
  readonly options: BenchOptions
  readonly body: string
  readonly bodyBuffer: Buffer
  /** The fast local target process (c, d, e, h); null when none of those phases run. */
  readonly target: HelperProcess | null
  readonly targetUrl: string
  /** A scratch folder for outbox files, removed at the end. */
  readonly workDir: string
  /** Where CPU profiles go when --cpu-prof is set. */
  readonly profileDir: string
  readonly runs: (phase: Phase) => boolean
}

export const profileDirOf = (ctx: Context, phase: Phase): string | undefined =>
  ctx.options.cpuProf ? join(ctx.profileDir, phase) : undefined

/** Count of requests the target has seen since its last reset. */
export async function targetCount (ctx: Context): Promise<number> {
  return (await ctx.target!.ask({ type: 'count' })).count as number
}

export async function resetTarget (ctx: Context): Promise<void> {
  await ctx.target!.ask({ type: 'reset' })
}

/** Resolves once the target has seen `n` requests since its last reset; false on timeout. */
export async function targetReached (ctx: Context, n: number, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs) })
  const reached = ctx.target!.ask({ type: 'waitFor', n }).then(() => true as const)
  const r = await Promise.race([reached, timeout])
  clearTimeout(timer)
  return r
}
