/** Linux /proc readings for the load tests: resident memory, open descriptors, descriptor limit. */
import { readdirSync, readFileSync } from 'node:fs'

/** Resident set size of a process in MiB (VmRSS). */
export function rssMiB (pid: number | 'self'): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (m === null) throw new Error(`no VmRSS in /proc/${pid}/status`)
  return Number(m[1]) / 1024
}

/** Number of open file descriptors of a process. */
export function openFds (pid: number | 'self'): number {
  return readdirSync(`/proc/${pid}/fd`).length
}

/** The soft limit on open files of a process ("Max open files"), Infinity when unlimited. */
export function maxOpenFiles (pid: number | 'self'): number {
  const m = /^Max open files\s+(\S+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'))
  if (m === null || m[1] === 'unlimited') return Infinity
  return Number(m[1])
}
