import { describe, expect, it } from 'vitest'
import { TURBO, parseRenderParams } from '../../shared/endpoints'
import type { Job } from '../../shared/jobs'
import { jobsTable } from './jobs'

const params = (() => {
  const r = parseRenderParams(TURBO, { prompt: 'x' })
  if (!r.ok) throw new Error('bad')
  return r.params
})()

const job = (over: Partial<Job>): Job => ({
  id: '1f3a9c00-0000-4000-8000-000000000000',
  spec: {
    source: '/clips/long name here.mp4',
    range: { startSec: 0 },
    endpoint: TURBO,
    params,
    maxSide: 768,
    fps: 'result',
    output: '/clips/long name here.reanimate.mp4',
  },
  stage: 'done',
  status: 'done',
  logs: [],
  attempts: 1,
  createdAt: '',
  updatedAt: '',
  ...over,
})

describe('jobs list', () => {
  it('has a header row and columns that line up, with the output or the error last', () => {
    const lines = jobsTable([
      job({ requestId: 'req-1' }),
      job({
        id: 'aa00',
        status: 'failed',
        stage: 'wait',
        spec: { ...job({}).spec, source: '/a.mp4' },
        error: { code: 'fal-failed', message: 'fal could not render it' },
      }),
    ])
    expect(lines).toEqual([
      'ID        STATUS  STAGE  SOURCE              REQUEST  OUTPUT / ERROR',
      '1f3a9c00  done    done   long name here.mp4  req-1    /clips/long name here.reanimate.mp4',
      'aa00      failed  wait   a.mp4               -        fal could not render it',
    ])
  })
})
