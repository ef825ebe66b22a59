import type { Dispatch } from '../../shared/contract/dispatch'
import type { JobStatus } from '../../shared/jobs'

/**
 * What the queue did, as the sleep guard hears it. A job's status comes from `jobs.progress`; a
 * batch's start and the queue's pause and resume are replies to calls (they are not bus events).
 */
export type QueueEvent =
  | { type: 'job'; id: string; status: JobStatus }
  | { type: 'batch-started'; batchId: string; jobIds: string[] }
  | { type: 'batch-finished'; batchId: string }
  | { type: 'paused' }
  | { type: 'resumed' }
  /** The journal's word on which tracked jobs are still unfinished: a missed event cannot keep the machine awake for ever. */
  | { type: 'reconcile'; unfinished: string[] }

/** What to do with the power-save blocker after an event. */
export type SleepAction = 'block' | 'release' | null

/**
 * Decides when the machine may sleep. It stays awake while a render runs (locally or waiting at
 * fal: both are `running`) and while jobs wait for a slot in a queue that is not paused; a batch
 * counts as its jobs until it finishes. Paused with nothing running, it may sleep: nothing would
 * happen until the user comes back anyway.
 */
export class SleepGuard {
  private readonly running = new Set<string>()
  private readonly waiting = new Set<string>()
  /** Each batch's jobs, so the batch's end forgets those that never reported. */
  private readonly batches = new Map<string, string[]>()
  private paused = false
  private blocking = false

  get blocked(): boolean {
    return this.blocking
  }

  /** Whether the guard is waiting for this job to end. */
  tracks(id: string): boolean {
    return this.running.has(id) || this.waiting.has(id)
  }

  /** Applies an event; says whether the blocker must now start, stop, or stay as it is. */
  feed(event: QueueEvent): SleepAction {
    switch (event.type) {
      case 'job':
        this.running.delete(event.id)
        this.waiting.delete(event.id)
        if (event.status === 'running') this.running.add(event.id)
        else if (event.status === 'queued') this.waiting.add(event.id)
        break
      case 'batch-started':
        this.batches.set(event.batchId, event.jobIds)
        // Its jobs wait for a slot before their first progress: the batch is busy from its start.
        for (const id of event.jobIds) if (!this.running.has(id)) this.waiting.add(id)
        break
      case 'batch-finished':
        for (const id of this.batches.get(event.batchId) ?? []) {
          this.running.delete(id)
          this.waiting.delete(id)
        }
        this.batches.delete(event.batchId)
        break
      case 'paused':
        this.paused = true
        break
      case 'resumed':
        this.paused = false
        break
      case 'reconcile': {
        const unfinished = new Set(event.unfinished)
        for (const set of [this.running, this.waiting])
          for (const id of set) if (!unfinished.has(id)) set.delete(id)
        break
      }
    }
    const busy = this.running.size > 0 || (!this.paused && this.waiting.size > 0)
    if (busy === this.blocking) return null
    this.blocking = busy
    return busy ? 'block' : 'release'
  }
}

/**
 * Wraps the transport's dispatch to hear what only a call says: a batch started (with its jobs),
 * a render queued, the queue paused or resumed. Replies pass through unchanged.
 */
export function watchQueueCalls(
  dispatch: Dispatch,
  onEvent: (event: QueueEvent) => void,
): Dispatch {
  return async (name, params, ctx) => {
    const reply = await dispatch(name, params, ctx)
    if (reply.ok) for (const event of queueEventsOf(name, reply.value)) onEvent(event)
    return reply
  }
}

/** The queue events in a successful call's reply (none for most calls). */
export function queueEventsOf(name: unknown, value: unknown): QueueEvent[] {
  const v = (value ?? {}) as Record<string, unknown>
  switch (name) {
    case 'jobs.pause':
      return [{ type: 'paused' }]
    case 'jobs.resume':
      return [{ type: 'resumed' }]
    case 'batch.start':
      return typeof v.batchId === 'string' && Array.isArray(v.jobIds)
        ? [{ type: 'batch-started', batchId: v.batchId, jobIds: v.jobIds.map(String) }]
        : []
    case 'render.start': {
      // A render waiting for a slot has not reported yet; a reused or finished one is terminal.
      const job = v.job as { id?: unknown; status?: unknown } | undefined
      return typeof job?.id === 'string' && typeof job.status === 'string'
        ? [{ type: 'job', id: job.id, status: job.status as JobStatus }]
        : []
    }
    default:
      return []
  }
}
