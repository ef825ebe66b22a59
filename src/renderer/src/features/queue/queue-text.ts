import type { JobStatus, Stage } from '@shared/jobs'

/** 1 → "1st", 2 → "2nd", 11 → "11th". */
export function ordinal(n: number): string {
  const tens = n % 100
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th')
  return `${n}${suffix}`
}

/** fal's queue position counts from 0 (next to run); people count from 1. */
export const queueText = (falPosition: number) => `${ordinal(falPosition + 1)} in fal's queue`

/** Each stage in the words the queue and the batch panel use. */
export const STAGE_WORDS: Record<Stage, string> = {
  prepare: 'Preparing the clip',
  upload: 'Uploading to fal',
  submit: 'Sending to fal',
  wait: 'Rendering at fal',
  download: 'Downloading the result',
  finish: 'Writing the output',
  done: 'Done',
}

/** A job this app has not started yet (the queue is paused, or busy with other clips). */
export const WAITING_WORDS = 'Waiting for its turn here'

const ENDED_WORDS: Record<Exclude<JobStatus, 'queued' | 'running'>, string> = {
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  abandoned: 'Abandoned',
}

/** A job's state in a few words: waiting, its stage while it runs, or how it ended. */
export function jobStateWords(status: JobStatus, stage: Stage): string {
  if (status === 'queued') return WAITING_WORDS
  if (status === 'running') return STAGE_WORDS[stage]
  return ENDED_WORDS[status]
}
