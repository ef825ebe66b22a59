import { describe, expect, it } from 'vitest'
import { parseRenderParams, TURBO } from '../../shared/endpoints'
import { MAX_LOG_LINES, type Job } from '../../shared/jobs'
import { applyJobRecord, diffJob } from './journal-records'

function params(prompt: string) {
  const parsed = parseRenderParams(TURBO, { prompt })
  if (!parsed.ok) throw new Error('bad params')
  return parsed.params
}

function job(overrides: Partial<Job> = {}): Job {
  return {
    id: 'j1',
    spec: {
      source: '/v/clip.mp4',
      range: { startSec: 0 },
      endpoint: TURBO,
      params: params('fox'),
      maxSide: 768,
      fps: 'result',
      output: '/v/clip.reanimate.mp4',
    },
    stage: 'prepare',
    status: 'queued',
    logs: ['t0 queued'],
    attempts: 0,
    createdAt: 't0',
    updatedAt: 't0',
    ...overrides,
  }
}

const replay = (records: (ReturnType<typeof diffJob> | null)[]) => {
  const jobs = new Map<string, Job>()
  for (const r of records) if (r) applyJobRecord(jobs, r)
  return jobs
}

describe('job records', () => {
  it('a new job is one record that rebuilds it exactly', () => {
    const j = job()
    expect(replay([diffJob(undefined, j)]).get('j1')).toEqual(j)
  })

  it('a change records only the fields that changed, and new log lines', () => {
    const a = job()
    const b: Job = {
      ...structuredClone(a),
      stage: 'upload',
      updatedAt: 't1',
      logs: [...a.logs, 't1 prepared'],
    }
    const record = diffJob(a, b)
    expect(record).toEqual({
      id: 'j1',
      set: { stage: 'upload', updatedAt: 't1' },
      logs: ['t1 prepared'],
    })
    // The spec (the biggest part) is not written again.
    expect(JSON.stringify(record)).not.toContain('fox')
    expect(replay([diffJob(undefined, a), record]).get('j1')).toEqual(b)
  })

  it('records removed fields, and nothing at all when nothing changed', () => {
    const a = job({ owner: 'p1', requestId: 'r1' })
    const b = structuredClone(a)
    delete b.owner
    const record = diffJob(a, b)
    expect(record).toEqual({ id: 'j1', unset: ['owner'] })
    expect(replay([diffJob(undefined, a), record]).get('j1')).toEqual(b)
    expect(diffJob(b, structuredClone(b))).toBeNull()
  })

  it('keeps the newest log lines when they go past the cap, on both sides alike', () => {
    let prev = job({ logs: [] })
    const records = [diffJob(undefined, prev)]
    for (let i = 0; i < MAX_LOG_LINES + 50; i += 7) {
      const next = structuredClone(prev)
      for (let k = i; k < i + 7; k++) next.logs.push(`t${k} line ${k}`)
      if (next.logs.length > MAX_LOG_LINES) next.logs.splice(0, next.logs.length - MAX_LOG_LINES)
      records.push(diffJob(prev, next))
      prev = next
    }
    const rebuilt = replay(records).get('j1')
    expect(rebuilt?.logs).toHaveLength(MAX_LOG_LINES)
    expect(rebuilt?.logs).toEqual(prev.logs)
  })

  it('ignores a record without an id (a damaged line)', () => {
    const jobs = new Map<string, Job>()
    applyJobRecord(jobs, { set: { stage: 'wait' } } as never)
    expect(jobs.size).toBe(0)
  })
})
