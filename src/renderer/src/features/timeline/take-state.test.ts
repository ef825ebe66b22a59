import { describe, expect, it } from 'vitest'
import type { JobProgress } from '@shared/jobs'
import { takeState } from './take-state'

const live = (p: Partial<JobProgress>): JobProgress => ({
  id: 'j',
  status: 'running',
  stage: 'upload',
  elapsedSec: 1,
  ...p,
})

describe('a take on the timeline says where it is', () => {
  it('while rendering: the stage and its progress, fal queue position, fal log', () => {
    const running = { status: 'running' as const, stage: 'prepare' as const }
    expect(takeState(running, live({ stage: 'prepare', fraction: 0.4 }))).toBe('prepare 40%')
    expect(takeState(running, live({ stage: 'upload' }))).toBe('upload')
    expect(takeState(running, live({ stage: 'wait', queuePosition: 3 }))).toBe(
      "waiting: 4th in fal's queue",
    )
    expect(takeState(running, live({ stage: 'wait' }), 'step 5/8')).toBe('rendering: step 5/8')
    expect(takeState(running, live({ stage: 'wait' }))).toBe('rendering on fal')
    expect(takeState(running, live({ stage: 'download', fraction: 1 }))).toBe('download 100%')
  })

  it('when ended: done, failed with why, cancelled; before: waiting', () => {
    expect(takeState({ status: 'done', stage: 'done' })).toBe('done')
    expect(
      takeState({
        status: 'failed',
        stage: 'wait',
        error: { code: 'fal-failed', message: 'fal could not render it' },
      }),
    ).toBe('failed: fal could not render it')
    expect(takeState({ status: 'cancelled', stage: 'wait' })).toBe('cancelled')
    expect(takeState({ status: 'queued', stage: 'prepare' })).toBe('waiting')
    expect(takeState(undefined)).toBe('not in the queue')
  })
})
