import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'

// Linux only: everything here reads /proc/<pid>.

let clockTicks: number | undefined
/** Clock ticks per second, the unit of utime/stime in /proc/<pid>/stat. */
export function clockTicksPerSecond (): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      clockTicks = 100
    }
  }
  return clockTicks
}

function statusField (pid: number, field: string): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m === null ? null : Number(m[1]) * 1024
  } catch {
    return null
  }
}

/** Peak resident set size in bytes since start or the last resetPeakRss (VmHWM). */
export const peakRss = (pid: number): number | null => statusField(pid, 'VmHWM')
export const currentRss = (pid: number): number | null => statusField(pid, 'VmRSS')

/** Sets VmHWM back to the current RSS, so a later peakRss covers only what follows. */
export function resetPeakRss (pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

/** CPU seconds (user + system) the process has used so far. */
export function cpuSeconds (pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name may hold spaces and parentheses: fields are counted after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // Field 3 (state) is fields[0], so utime (14) and stime (15) are fields[11] and fields[12].
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond()
  } catch {
    return null
  }
}

/** Measures a process's CPU use over a stretch of time: cores used = CPU seconds / wall seconds. */
export class CpuMeter {
  readonly #pid: number
  readonly #cpu0: number | null
  readonly #t0 = performance.now()

  constructor (pid: number) {
    this.#pid = pid
    this.#cpu0 = cpuSeconds(pid)
  }

  /** Cores used since construction (1 = one core fully busy), or null off Linux. */
  cores (): number | null {
    const cpu = cpuSeconds(this.#pid)
    if (cpu === null || this.#cpu0 === null) return null
    return (cpu - this.#cpu0) / ((performance.now() - this.#t0) / 1000)
  }
}
