import { describe, expect, it } from 'vitest'
import type { Dispatch } from '../../shared/contract/dispatch'
import type { Job, JobProgress } from '../../shared/jobs'
import { EventBus } from '../events'
import { installSleepGuard } from './power-save'

function setup(batchJobs = ['a', 'b']) {
  const calls: string[] = []
  let next = 7
  const blocker = {
    start: (type: 'prevent-app-suspension' | 'prevent-display-sleep') => {
      calls.push(`start ${type}`)
      return next++
    },
    stop: (id: number) => {
      calls.push(`stop ${id}`)
      return true
    },
  }
  const bus = new EventBus()
  const journal: Pick<Job, 'id' | 'status' | 'origin'>[] = []
  const inner = (async (name: unknown) =>
    name === 'batch.start'
      ? { ok: true, value: { batchId: 'B', jobIds: batchJobs } }
      : { ok: true, value: {} }) as unknown as Dispatch
  const dispatch = installSleepGuard({
    blocker,
    bus,
    dispatch: inner,
    jobs: () => journal,
    origin: (id) => journal.find((j) => j.id === id)?.origin,
  })
  const progress = (id: string, status: JobProgress['status']) =>
    bus.emit('jobs.progress', { id, status, stage: 'wait', elapsedSec: 1 })
  return { calls, bus, journal, dispatch, progress }
}
const ctx = { transport: 'ipc', mediaBaseUrl: 'x' } as const

describe('installSleepGuard', () => {
  it('starts one prevent-app-suspension blocker for overlapping renders and stops it at the end', () => {
    const { calls, progress } = setup()
    progress('a', 'running')
    progress('b', 'running')
    progress('a', 'done')
    progress('b', 'failed')
    expect(calls).toEqual(['start prevent-app-suspension', 'stop 7'])
  })

  it('holds a batch started through dispatch until batch.finished; pause releases it', async () => {
    const { calls, bus, journal, dispatch, progress } = setup()
    journal.push({ id: 'a', status: 'queued' }, { id: 'b', status: 'queued' })
    await dispatch('batch.start', {}, ctx)
    expect(calls).toEqual(['start prevent-app-suspension'])
    await dispatch('jobs.pause', {}, ctx)
    expect(calls).toEqual(['start prevent-app-suspension', 'stop 7'])
    await dispatch('jobs.resume', {}, ctx)
    progress('a', 'running')
    journal[0] = { id: 'a', status: 'done' }
    progress('a', 'done')
    expect(calls).toHaveLength(3)
    bus.emit('batch.finished', {
      batchId: 'B',
      outDir: '/o',
      succeeded: 1,
      failed: 0,
      skipped: 1,
      summary: '/o/s.json',
      rows: [],
    })
    expect(calls).toEqual([
      'start prevent-app-suspension',
      'stop 7',
      'start prevent-app-suspension',
      'stop 8',
    ])
  })

  it('holds the jobs a batch plans after batch.start answered, until batch.finished', async () => {
    // The answer lists the first clip; the next one is planned while it runs.
    const { calls, bus, journal, dispatch, progress } = setup(['a'])
    journal.push({ id: 'a', status: 'queued' })
    await dispatch('batch.start', {}, ctx)
    journal.push({ id: 'b', status: 'queued' })
    bus.emit('batch.planned', {
      batchId: 'B',
      total: 2,
      alreadyDone: 0,
      collecting: 0,
      skipped: 0,
      unreadable: 0,
      jobIds: ['a', 'b'],
      planning: false,
      files: 2,
      read: 2,
    })
    progress('a', 'running')
    journal[0] = { id: 'a', status: 'done' }
    progress('a', 'done')
    expect(calls).toEqual(['start prevent-app-suspension'])
    bus.emit('batch.finished', {
      batchId: 'B',
      outDir: '/o',
      succeeded: 2,
      failed: 0,
      skipped: 0,
      summary: '/o/s.json',
      rows: [],
    })
    expect(calls).toEqual(['start prevent-app-suspension', 'stop 7'])
  })

  it('a job that ended without a word is forgotten when another ends (the journal says so)', () => {
    const { calls, journal, progress } = setup()
    progress('a', 'running')
    progress('b', 'running')
    journal.push({ id: 'a', status: 'cancelled' }, { id: 'b', status: 'done' })
    progress('b', 'done')
    expect(calls).toEqual(['start prevent-app-suspension', 'stop 7'])
  })

  it('a render another process runs (the CLI) does not hold this machine awake', () => {
    const { calls, journal, progress } = setup()
    journal.push({ id: 'cli', status: 'running', origin: 'run' })
    progress('cli', 'running')
    expect(calls).toEqual([])
  })
})
