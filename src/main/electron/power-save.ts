import type { PowerSaveBlocker } from 'electron'
import type { Dispatch } from '../../shared/contract/dispatch'
import { isTerminal, type Job, type JobOrigin, type JobProgress } from '../../shared/jobs'
import type { EventBus } from '../events'
import { SleepGuard, watchQueueCalls, type QueueEvent } from './sleep-guard'

/** How often, while blocking, the journal is asked which jobs are really unfinished. */
const RECONCILE_MS = 60_000

export interface SleepGuardDeps {
  blocker: Pick<PowerSaveBlocker, 'start' | 'stop'>
  bus: Pick<EventBus, 'subscribe'>
  dispatch: Dispatch
  /** Every job the journal knows, uncopied (services.render.runner.view). */
  jobs: () => Iterable<Readonly<Pick<Job, 'id' | 'status'>>>
  /** Which front end queued a job (services.render.get). */
  origin: (id: string) => JobOrigin | undefined
}

/**
 * Keeps the machine from suspending while renders or a batch run (see SleepGuard). Hears the bus
 * and the calls that start or pause work; returns the dispatch the transport must use.
 */
export function installSleepGuard(deps: SleepGuardDeps): Dispatch {
  const guard = new SleepGuard()
  let blockerId: number | null = null
  let timer: NodeJS.Timeout | null = null
  const unfinished = () => {
    const ids: string[] = []
    for (const j of deps.jobs()) if (!isTerminal(j.status)) ids.push(j.id)
    return ids
  }

  const feed = (event: QueueEvent) => {
    const action = guard.feed(event)
    if (action === 'block' && blockerId === null) {
      // Lets the screen sleep; only the system's suspension is held off.
      blockerId = deps.blocker.start('prevent-app-suspension')
      timer = setInterval(() => feed({ type: 'reconcile', unfinished: unfinished() }), RECONCILE_MS)
      timer.unref()
    } else if (action === 'release' && blockerId !== null) {
      deps.blocker.stop(blockerId)
      blockerId = null
      if (timer) clearInterval(timer)
      timer = null
    }
  }

  deps.bus.subscribe((name, payload) => {
    if (name === 'jobs.progress') {
      const p = payload as JobProgress
      // Another process's render (the CLI), followed in the journal, is that process's to guard: a
      // dead one would otherwise leave it "running" and keep this machine awake. Ours, or one the
      // user started here (render.start, batch.start), is tracked.
      if (!isTerminal(p.status) && !guard.tracks(p.id) && (deps.origin(p.id) ?? 'app') !== 'app')
        return
      feed({ type: 'job', id: p.id, status: p.status })
      if (isTerminal(p.status) && guard.blocked)
        feed({ type: 'reconcile', unfinished: unfinished() })
    } else if (name === 'batch.planned') {
      // Jobs planned after batch.start answered: the batch holds them as it does its first ones.
      const { batchId, jobIds } = payload as { batchId: string; jobIds: string[] }
      feed({ type: 'batch-started', batchId, jobIds })
    } else if (name === 'batch.finished') {
      feed({ type: 'batch-finished', batchId: (payload as { batchId: string }).batchId })
    }
  })
  return watchQueueCalls(deps.dispatch, feed)
}
