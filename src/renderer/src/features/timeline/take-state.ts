import { queueText } from '../queue/queue-text'
import type { Job, JobProgress } from '@shared/jobs'

/**
 * What a take's bar on the timeline says: its stage while rendering (with the fraction, the
 * position in fal's queue or fal's newest log line), else how it ended. Pure.
 */
export function takeState(
  job: Pick<Job, 'status' | 'stage' | 'error'> | undefined,
  live?: JobProgress,
  lastLog?: string,
): string {
  if (!job) return 'not in the queue'
  if (job.status === 'done') return 'done'
  if (job.status === 'failed') return `failed: ${job.error?.message ?? 'see the queue'}`
  if (job.status === 'cancelled' || job.status === 'abandoned') return job.status
  if (job.status === 'queued') return 'waiting'
  const stage = live?.stage ?? job.stage
  if (stage === 'wait') {
    if (live?.queuePosition !== undefined) return `waiting: ${queueText(live.queuePosition)}`
    return lastLog ? `rendering: ${lastLog}` : 'rendering on fal'
  }
  const pct = live?.fraction !== undefined ? ` ${Math.round(live.fraction * 100)}%` : ''
  return `${stage}${pct}`
}
