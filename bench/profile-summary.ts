import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { REPO } from './children.js'

interface ProfileNode { id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }
interface CpuProfile { nodes: ProfileNode[], samples: number[], timeDeltas: number[] }

export interface CostLine { readonly name: string, readonly ms: number, readonly share: number }
export interface ProfileSummary { readonly file: string, readonly totalMs: number, readonly byFunction: CostLine[], readonly byModule: CostLine[] }

/** Where a frame's code lives, in the few buckets that matter for deciding what to change. */
function moduleOf (url: string, fn: string): string {
  if (url === '') return fn.startsWith('(') ? fn : '(native)'
  const path = url.startsWith('file://') ? url.slice('file://'.length) : url
  const nm = path.lastIndexOf('/node_modules/')
  if (nm !== -1) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/')
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]
  }
  if (path.startsWith('node:')) return path.split('/').slice(0, 2).join('/')
  return relative(REPO, path)
}

/** Self time per function and per module of one V8 .cpuprofile, largest first. */
export function summariseProfile (file: string, top = 25): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0))
  const fns = new Map<string, number>()
  const mods = new Map<string, number>()
  let total = 0
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame
    if (functionName === '(idle)') continue
    total += us
    const mod = moduleOf(url, functionName)
    const name = `${functionName || '(anonymous)'} ${mod}${url === '' ? '' : `:${lineNumber + 1}`}`
    fns.set(name, (fns.get(name) ?? 0) + us)
    mods.set(mod, (mods.get(mod) ?? 0) + us)
  }
  const lines = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: total === 0 ? 0 : us / total }))
  return { file, totalMs: Math.round(total / 1000), byFunction: lines(fns), byModule: lines(mods) }
}

export function summariseProfiles (dir: string): ProfileSummary[] {
  let files: string[]
  try { files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) } catch { return [] }
  return files.map((f) => summariseProfile(join(dir, f)))
}

export function formatSummary (title: string, s: ProfileSummary, top = 15): string {
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`
  return [
    `${title}: ${s.file} (${s.totalMs} ms of CPU, idle excluded)`,
    '  by module (self time):',
    ...s.byModule.slice(0, top).map((l) => `    ${pct(l.share)} ${String(l.ms).padStart(7)} ms  ${l.name}`),
    '  by function (self time):',
    ...s.byFunction.slice(0, top).map((l) => `    ${pct(l.share)} ${String(l.ms).padStart(7)} ms  ${l.name}`)
  ].join('\n')
}

// `tsx bench/profile-summary.ts <file-or-folder>...` prints summaries of existing profiles.
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const arg of process.argv.slice(2)) {
    const list = arg.endsWith('.cpuprofile') ? [summariseProfile(arg, 40)] : summariseProfiles(arg)
    for (const s of list) console.log(formatSummary(arg, s, 30) + '\n')
  }
}
