import type { TargetState } from '../store/types.js'

/** Targets nothing may be sent to now (paused or held by a Retry-After), with when that ends. */
export function blockedTargets (states: readonly TargetState[], now: number): Map<string, number> {
  const out = new Map<string, number>()
  for (const s of states) {
    const until = blockedUntilOf(s, now)
    if (until !== null) out.set(s.name, until)
  }
  return out
}

function blockedUntilOf (state: TargetState | undefined, now: number): number | null {
  if (state === undefined) return null
  if (state.paused && (state.pausedUntil === null || state.pausedUntil > now)) {
    // An indefinite pause has no time to wake for; resume wakes the worker.
    return state.pausedUntil ?? Infinity
  }
  if (state.holdUntil !== null && state.holdUntil > now) return state.holdUntil
  return null
}
