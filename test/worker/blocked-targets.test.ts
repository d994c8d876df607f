import t from 'tap'
import type { TargetState } from '../../src/store/types.js'
import { blockedTargets } from '../../src/worker/blocked-targets.js'

const NOW = 1_700_000_000_000
function state (name: string, over: Partial<TargetState>): TargetState {
  return { name, paused: false, pausedUntil: null, holdUntil: null, consecutiveFailures: 0, lastSuccessAt: null, lastFailureAt: null, lastStatus: null, lastError: null, ...over }
}

t.test('which targets are blocked, and until when', async (t) => {
  const got = blockedTargets([
    state('free', {}),
    state('paused', { paused: true }),
    state('paused-until', { paused: true, pausedUntil: NOW + 500 }),
    state('pause-over', { paused: true, pausedUntil: NOW }),
    state('held', { holdUntil: NOW + 700 }),
    state('hold-over', { holdUntil: NOW - 1 }),
    state('paused-and-held', { paused: true, pausedUntil: NOW + 100, holdUntil: NOW + 900 })
  ], NOW)
  t.same([...got], [['paused', Infinity], ['paused-until', NOW + 500], ['held', NOW + 700], ['paused-and-held', NOW + 100]])
})
