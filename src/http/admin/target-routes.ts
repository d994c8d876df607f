import type { FastifyInstance } from 'fastify'
import type { TargetConfig } from '../../config/types.js'
import { NotFoundError } from '../../errors.js'
import type { Store } from '../../store/store.js'
import type { StateCounts, TargetState } from '../../store/types.js'
import { iso } from './params.js'

export interface TargetRouteDeps {
  readonly store: Store
  readonly targets: Readonly<Record<string, TargetConfig>>
  readonly clock: () => number
  readonly wake: () => void
}

const ZERO: StateCounts = { pending: 0, in_flight: 0, succeeded: 0, failed: 0, cancelled: 0 }

/** Credentials in a target URL must not leak through the admin API. */
function safeUrl (url: string): string {
  const u = new URL(url)
  if (u.username !== '' || u.password !== '') {
    u.username = '***'
    u.password = ''
  }
  return u.toString()
}

function targetJson (name: string, config: TargetConfig | undefined, state: TargetState | undefined, counts: StateCounts, now: number) {
  const paused = state !== undefined && state.paused && (state.pausedUntil === null || state.pausedUntil > now)
  const held = state?.holdUntil != null && state.holdUntil > now
  return {
    name,
    url: config === undefined ? null : safeUrl(config.url),
    configured: config !== undefined,
    state: paused ? 'paused' : held ? 'held' : (state?.consecutiveFailures ?? 0) > 0 ? 'failing' : 'healthy',
    pausedUntil: paused ? iso(state.pausedUntil) : null,
    holdUntil: held ? iso(state.holdUntil) : null,
    consecutiveFailures: state?.consecutiveFailures ?? 0,
    lastSuccessAt: iso(state?.lastSuccessAt ?? null),
    lastFailureAt: iso(state?.lastFailureAt ?? null),
    lastStatus: state?.lastStatus ?? null,
    lastError: state?.lastError ?? null,
    counts
  }
}

export function targetRoutes (app: FastifyInstance, deps: TargetRouteDeps): void {
  const { store, targets, clock, wake } = deps
  const nameParams = { type: 'object', properties: { name: { type: 'string', maxLength: 64 } }, required: ['name'] } as const

  const view = async (name: string) => {
    const [states, counts] = await Promise.all([store.targetStates(), store.countsByTarget()])
    return targetJson(name, targets[name], states.find((s) => s.name === name), counts[name] ?? ZERO, clock())
  }

  app.get('/admin/targets', async () => {
    const [states, counts] = await Promise.all([store.targetStates(), store.countsByTarget()])
    const byName = new Map(states.map((s) => [s.name, s]))
    // Targets removed from the config still show while deliveries for them remain.
    const names = [...new Set([...Object.keys(targets), ...Object.keys(counts)])].sort()
    const now = clock()
    return { items: names.map((n) => targetJson(n, targets[n], byName.get(n), counts[n] ?? ZERO, now)) }
  })

  app.post('/admin/targets/:name/pause', {
    schema: {
      params: nameParams,
      body: {
        type: ['object', 'null'],
        additionalProperties: false,
        properties: { durationMs: { type: 'integer', minimum: 1, maximum: 31_536_000_000 } }
      }
    }
  }, async (request) => {
    const { name } = request.params as { name: string }
    if (!Object.hasOwn(targets, name)) throw new NotFoundError(`No target ${name}`)
    const body = (request.body ?? {}) as { durationMs?: number }
    await store.pauseTarget(name, body.durationMs === undefined ? null : clock() + body.durationMs)
    request.log.info({ target: name, durationMs: body.durationMs ?? null }, 'Target paused by an operator')
    // A timed pause ends on the worker's timer; waking lets it learn the end time.
    wake()
    return view(name)
  })

  app.post('/admin/targets/:name/resume', { schema: { params: nameParams } }, async (request) => {
    const { name } = request.params as { name: string }
    if (!Object.hasOwn(targets, name)) throw new NotFoundError(`No target ${name}`)
    await store.resumeTarget(name)
    request.log.info({ target: name }, 'Target resumed by an operator')
    wake()
    return view(name)
  })
}
