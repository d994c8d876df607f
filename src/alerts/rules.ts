import type { AlertRules } from './settings.js'
import type {
  AlertDraft, AttemptFacts, AttemptSnapshot, FailingStreak, PermanentFailures, TargetAlertState
} from './types.js'

/*
 * When to alert, as pure functions of (what we remember, what happened, the rules, now).
 * The alerter owns the clock, the storage and the sending; everything that decides lives here
 * so that it can be tested as a table.
 */

export const EMPTY_STATE: TargetAlertState = Object.freeze({ failing: null, permanent: null })

/** Delivery ids kept per grouped "needs attention" message: enough to start inspecting. */
export const MAX_GROUPED_IDS = 10

export interface Decision {
  readonly state: TargetAlertState
  readonly alerts: readonly AlertDraft[]
}

export function isEmptyState (state: TargetAlertState): boolean {
  return state.failing === null && state.permanent === null
}

function snapshot (a: AttemptFacts): AttemptSnapshot {
  return {
    deliveryId: a.deliveryId, eventId: a.eventId, source: a.source, attempt: a.attempt, at: a.at,
    status: a.status, error: a.error, errorMessage: a.errorMessage, failReason: a.failReason
  }
}

function draft (kind: AlertDraft['kind'], target: string, now: number, fields: Partial<AlertDraft>): AlertDraft {
  return {
    kind, target, at: now, threshold: null, consecutiveFailures: null, failingSince: null,
    durationMs: null, failedDeliveries: null, last: null, deliveryIds: [], ...fields
  }
}

function recovered (target: string, streak: FailingStreak, rules: AlertRules, now: number): AlertDraft[] {
  if (streak.alertedAt === null || !rules.notifyOnRecovery) return []
  return [draft('target.recovered', target, now, {
    threshold: rules.consecutiveFailures,
    consecutiveFailures: streak.failures,
    failingSince: streak.since,
    durationMs: Math.max(0, now - streak.since),
    last: streak.last,
    deliveryIds: [streak.last.deliveryId]
  })]
}

function onFailure (prev: FailingStreak | null, a: AttemptFacts, rules: AlertRules, now: number): { streak: FailingStreak, alerts: AlertDraft[] } {
  const alerts: AlertDraft[] = []
  let base = prev
  // The store's count went down without a success reaching us (another replica, or reports
  // lost in a crash): that streak ended, so close it before starting the next one.
  if (base !== null && a.consecutiveFailures < base.failures) {
    alerts.push(...recovered(a.target, base, rules, now))
    base = null
  }
  const streak: FailingStreak = {
    since: base?.since ?? now,
    failures: a.consecutiveFailures,
    last: snapshot(a),
    alertedAt: base?.alertedAt ?? null,
    notifiedAt: base?.notifiedAt ?? null
  }
  const fields = {
    threshold: rules.consecutiveFailures,
    consecutiveFailures: streak.failures,
    failingSince: streak.since,
    last: streak.last,
    deliveryIds: [a.deliveryId]
  }
  if (streak.alertedAt === null) {
    if (streak.failures < rules.consecutiveFailures) return { streak, alerts }
    alerts.push(draft('target.failing', a.target, now, fields))
    return { streak: { ...streak, alertedAt: now, notifiedAt: now }, alerts }
  }
  if (now - (streak.notifiedAt ?? streak.alertedAt) >= rules.cooldownMs) {
    alerts.push(draft('target.still_failing', a.target, now, fields))
    return { streak: { ...streak, notifiedAt: now }, alerts }
  }
  return { streak, alerts }
}

function needsAttention (target: string, count: number, ids: readonly string[], last: AttemptSnapshot | null, now: number): AlertDraft {
  return draft('deliveries.needs_attention', target, now, {
    failedDeliveries: count, last, deliveryIds: ids.slice(-MAX_GROUPED_IDS)
  })
}

function onPermanent (prev: PermanentFailures | null, a: AttemptFacts, rules: AlertRules, now: number): { permanent: PermanentFailures, alerts: AlertDraft[] } {
  const windowOpen = prev !== null && now - prev.sentAt < rules.cooldownMs
  if (windowOpen) {
    return {
      permanent: {
        sentAt: prev.sentAt,
        pending: prev.pending + 1,
        deliveryIds: [...prev.deliveryIds, a.deliveryId].slice(-MAX_GROUPED_IDS),
        last: snapshot(a)
      },
      alerts: []
    }
  }
  // The window is over: this failure and any still unreported go out now, together.
  const count = (prev?.pending ?? 0) + 1
  const ids = [...(prev?.deliveryIds ?? []), a.deliveryId]
  return {
    permanent: { sentAt: now, pending: 0, deliveryIds: [], last: null },
    alerts: [needsAttention(a.target, count, ids, snapshot(a), now)]
  }
}

/** What one recorded attempt changes, and what to send because of it. */
export function decideOnAttempt (prev: TargetAlertState, a: AttemptFacts, rules: AlertRules, now: number): Decision {
  const alerts: AlertDraft[] = []
  let failing = prev.failing
  let permanent = prev.permanent
  if (a.outcome === 'success') {
    if (failing !== null) alerts.push(...recovered(a.target, failing, rules, now))
    failing = null
  } else {
    const step = onFailure(failing, a, rules, now)
    failing = step.streak
    alerts.push(...step.alerts)
  }
  if (a.permanent && rules.notifyOnPermanentFailure) {
    const step = onPermanent(permanent, a, rules, now)
    permanent = step.permanent
    alerts.push(...step.alerts)
  }
  return { state: tidy({ failing, permanent }, rules, now), alerts }
}

/**
 * Time passing on its own: a cooldown window with unreported permanent failures has ended,
 * so they go out as one grouped message.
 */
export function decideOnTime (target: string, prev: TargetAlertState, rules: AlertRules, now: number): Decision {
  const p = prev.permanent
  if (p === null || p.pending === 0 || now - p.sentAt < rules.cooldownMs) return { state: tidy(prev, rules, now), alerts: [] }
  if (!rules.notifyOnPermanentFailure) return { state: tidy({ ...prev, permanent: null }, rules, now), alerts: [] }
  return {
    state: { ...prev, permanent: { sentAt: now, pending: 0, deliveryIds: [], last: null } },
    alerts: [needsAttention(target, p.pending, p.deliveryIds, p.last, now)]
  }
}

/** When decideOnTime has something to send, or null when nothing waits. */
export function nextDueAt (state: TargetAlertState, rules: AlertRules): number | null {
  const p = state.permanent
  return p === null || p.pending === 0 ? null : p.sentAt + rules.cooldownMs
}

// A window that ended with nothing pending remembers nothing useful; dropping it keeps the
// stored state to targets that are actually in trouble.
function tidy (state: TargetAlertState, rules: AlertRules, now: number): TargetAlertState {
  const p = state.permanent
  if (p !== null && p.pending === 0 && now - p.sentAt >= rules.cooldownMs) return { ...state, permanent: null }
  return state
}
