import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TURBO } from '../../shared/endpoints'
import type { Job, JobProgress } from '../../shared/jobs'
import { ETA_HISTORY_FILE, EtaHistory, StageClock } from './eta-history'

let dir: string
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'eta-'))
})
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

const job = (over: Partial<Job> = {}): Job =>
  ({
    id: 'j1',
    spec: {
      source: '/c/a.mp4',
      range: { startSec: 0, endSec: 4 },
      endpoint: TURBO,
      params: { num_inference_steps: 8 },
      output: '/o.mp4',
    },
    stage: 'prepare',
    status: 'running',
    preparedPath: '/prep.mp4',
    logs: [],
    attempts: 0,
    createdAt: '',
    updatedAt: '',
    ...over,
  }) as Job

describe('the machine timing history', () => {
  it('records each stage as it ends, and learns rates from them; survives a restart', async () => {
    const history = new EtaHistory(dir)
    let now = 0
    const current = job()
    const clock = new StageClock({
      history,
      job: () => current,
      measure: async () => ({ sourceSec: 4, outputFrames: 48 }),
      fileSize: async () => 2_000_000,
      now: () => now,
    })
    const ev = (p: Partial<JobProgress>) =>
      clock.observe({ id: 'j1', status: 'running', stage: 'prepare', elapsedSec: 0, ...p })
    await ev({ stage: 'prepare' })
    now = 500
    await ev({ stage: 'prepare', fraction: 0.5 })
    now = 1000
    await ev({ stage: 'upload' }) // prepare: 1 s for 4 s of source
    now = 3000
    await ev({ stage: 'submit' }) // upload: 2 MB in 2 s
    await ev({ stage: 'wait' })
    now = 13_000
    await ev({ stage: 'wait', queuePosition: 0 }) // queued at fal: not fal's working time
    await ev({ stage: 'wait', newLogs: ['step 1'] })
    now = 37_000
    await ev({ stage: 'download' }) // fal worked 24 s for 48 frames

    const rates = await history.rates()
    expect(rates.prepareSecPerSourceSec).toBeCloseTo(0.25)
    expect(rates.uploadBytesPerSec).toBeCloseTo(1_000_000)
    expect(rates.bytesPerSourceSec).toBeCloseTo(500_000)
    expect(rates.falSecPerFrame[`${TURBO}|8`]).toBeCloseTo(0.5)

    const reread = await new EtaHistory(dir).rates()
    expect(reread).toEqual(rates)
  })

  it('learns nothing from a reused prepare, a cached upload or a failed stage', async () => {
    const history = new EtaHistory(dir)
    let now = 0
    const current = job({ uploadCached: true })
    const clock = new StageClock({
      history,
      job: () => current,
      measure: async () => ({ sourceSec: 4, outputFrames: 48 }),
      fileSize: async () => 1,
      now: () => now,
    })
    await clock.observe({ id: 'j1', status: 'running', stage: 'prepare', elapsedSec: 0 })
    now = 100
    await clock.observe({ id: 'j1', status: 'running', stage: 'upload', elapsedSec: 0 })
    now = 200
    await clock.observe({ id: 'j1', status: 'running', stage: 'submit', elapsedSec: 0 })
    expect(history.list()).toEqual([])
  })

  it('reads a damaged file as no history', async () => {
    await fs.writeFile(path.join(dir, ETA_HISTORY_FILE), '{not json')
    expect((await new EtaHistory(dir).rates()).samples).toEqual({ prepare: 0, upload: 0, fal: 0 })
  })
})
