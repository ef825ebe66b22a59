import { describe, expect, it } from 'vitest'
import type { Job, JobStatus, Stage } from '../../shared/jobs'
import { quitPlan } from './quit-plan'

let n = 0
function job(stage: Stage, status: JobStatus = 'running', more: Partial<Job> = {}): Job {
  return {
    id: `j${++n}`,
    stage,
    status,
    spec: {
      source: '/clips/a.mp4',
      range: { startSec: 0 },
      endpoint: 'fal-ai/animatediff-v2v/turbo',
      params: { prompt: 'x' },
      maxSide: 512,
      fps: 'result',
      output: '/out/a.mp4',
    },
    ...more,
  } as Job
}
const here = () => true

describe('quitPlan', () => {
  it('does not ask with nothing running', () => {
    const plan = quitPlan([job('done', 'done'), job('wait', 'failed')], here)
    expect(plan).toMatchObject({ ask: false, local: 0, atFal: 0, queued: 0, message: '' })
  })

  it('does not ask when renders only wait at fal, and says they are collected next time', () => {
    const plan = quitPlan([job('wait'), job('wait')], here)
    expect(plan).toMatchObject({ ask: false, atFal: 2 })
    expect(plan.detail).toContain('2 renders at fal are collected the next time you open Reanimate')
  })

  it.each(['prepare', 'upload', 'submit', 'download', 'finish'] as const)(
    'asks when a render is at the local step %s',
    (stage) => {
      const plan = quitPlan([job(stage), job('wait')], here)
      expect(plan).toMatchObject({ ask: true, local: 1, atFal: 1 })
      expect(plan.message).toBe(
        '1 render is being prepared, uploaded or saved on this computer. Quit anyway?',
      )
      expect(plan.detail).toContain('1 render at fal is collected')
    },
  )

  it('counts a segmented render once, as local when any segment is local', () => {
    const parent = job('finish', 'queued')
    const jobs = [
      parent,
      job('wait', 'running', { parentId: parent.id }),
      job('download', 'running', { parentId: parent.id }),
    ]
    expect(quitPlan(jobs, here)).toMatchObject({ ask: true, local: 1, atFal: 0, queued: 0 })
  })

  it("leaves out other processes' jobs: quitting the app does not stop them", () => {
    const cli = job('upload')
    const plan = quitPlan([cli, job('wait')], (id) => id !== cli.id)
    expect(plan).toMatchObject({ ask: false, local: 0, atFal: 1 })
  })

  it('mentions queued renders without asking', () => {
    const plan = quitPlan([job('prepare', 'queued')], here)
    expect(plan).toMatchObject({ ask: false, queued: 1 })
    expect(plan.detail).toContain('1 render waiting in the queue starts the next time')
  })
})
