import { describe, expect, it } from 'vitest'
import type { CallReply } from '../../shared/contract'
import type { Dispatch } from '../../shared/contract/dispatch'
import { queueEventsOf, SleepGuard, watchQueueCalls, type QueueEvent } from './sleep-guard'

/** Feeds a sequence of events; returns the actions and whether the machine is held awake after each. */
function run(events: QueueEvent[]) {
  const guard = new SleepGuard()
  return events.map((e) => [guard.feed(e), guard.blocked] as const)
}
const job = (id: string, status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled') =>
  ({ type: 'job', id, status }) as const

describe('SleepGuard', () => {
  it('blocks while one render runs, and releases when it is done', () => {
    expect(run([job('a', 'running'), job('a', 'running'), job('a', 'done')])).toEqual([
      ['block', true],
      [null, true],
      ['release', false],
    ])
  })

  it('stays blocked over overlapping jobs until the last one ends', () => {
    expect(
      run([job('a', 'running'), job('b', 'running'), job('a', 'done'), job('b', 'done')]),
    ).toEqual([
      ['block', true],
      [null, true],
      [null, true],
      ['release', false],
    ])
  })

  it('a failed or cancelled job counts as ended', () => {
    expect(run([job('a', 'running'), job('b', 'queued'), job('a', 'failed')]).at(-1)).toEqual([
      null,
      true,
    ])
    expect(
      run([job('a', 'running'), job('b', 'queued'), job('a', 'failed'), job('b', 'cancelled')]).at(
        -1,
      ),
    ).toEqual(['release', false])
  })

  it('holds a batch from its start (jobs waiting for a slot) to its end', () => {
    const steps = run([
      { type: 'batch-started', batchId: 'B', jobIds: ['a', 'b', 'c'] },
      job('a', 'running'),
      job('a', 'done'),
      // between one clip and the next nothing runs, but the batch is not over
      job('b', 'running'),
      job('b', 'done'),
      // c was already rendered and never reports: the batch's end forgets it
      { type: 'batch-finished', batchId: 'B' },
    ])
    expect(steps.map(([, blocked]) => blocked)).toEqual([true, true, true, true, true, false])
    expect(steps.at(-1)?.[0]).toBe('release')
  })

  it('paused with nothing running lets the machine sleep; resuming blocks again', () => {
    expect(
      run([
        { type: 'batch-started', batchId: 'B', jobIds: ['a', 'b'] },
        { type: 'paused' },
        { type: 'resumed' },
        job('a', 'running'),
        { type: 'paused' },
        // a job already at fal keeps running through a pause
        job('a', 'done'),
      ]),
    ).toEqual([
      ['block', true],
      ['release', false],
      ['block', true],
      [null, true],
      [null, true],
      ['release', false],
    ])
  })

  it('a paused queue with nothing waiting stays released when a job is queued', () => {
    expect(run([{ type: 'paused' }, job('a', 'queued')])).toEqual([
      [null, false],
      [null, false],
    ])
  })

  it('reconciling with the journal forgets jobs that ended without a word', () => {
    expect(
      run([job('a', 'running'), job('b', 'queued'), { type: 'reconcile', unfinished: ['b'] }]),
    ).toEqual([
      ['block', true],
      [null, true],
      [null, true],
    ])
    expect(run([job('a', 'running'), { type: 'reconcile', unfinished: ['z'] }]).at(-1)).toEqual([
      'release',
      false,
    ])
  })

  it('a reused render (already done) never blocks', () => {
    expect(run([job('a', 'done')])).toEqual([[null, false]])
  })
})

describe('queueEventsOf', () => {
  it('reads the calls that start or pause work', () => {
    expect(queueEventsOf('jobs.pause', { paused: true })).toEqual([{ type: 'paused' }])
    expect(queueEventsOf('jobs.resume', { paused: false })).toEqual([{ type: 'resumed' }])
    expect(queueEventsOf('batch.start', { batchId: 'B', jobIds: ['a'], total: 1 })).toEqual([
      { type: 'batch-started', batchId: 'B', jobIds: ['a'] },
    ])
    expect(queueEventsOf('render.start', { job: { id: 'a', status: 'queued' } })).toEqual([
      { type: 'job', id: 'a', status: 'queued' },
    ])
    expect(queueEventsOf('settings.get', {})).toEqual([])
    expect(queueEventsOf('render.start', null)).toEqual([])
  })

  it('watchQueueCalls passes replies through and reports only successful calls', async () => {
    const replies: Record<string, CallReply> = {
      'jobs.pause': { ok: true, value: { paused: true } },
      'batch.start': { ok: false, error: { code: 'key-missing', message: 'no key' } },
    }
    const inner = (async (name: unknown) => replies[String(name)]) as unknown as Dispatch
    const heard: QueueEvent[] = []
    const dispatch = watchQueueCalls(inner, (e) => heard.push(e))
    const ctx = { transport: 'ipc', mediaBaseUrl: 'x' } as const
    expect(await dispatch('jobs.pause', {}, ctx)).toBe(replies['jobs.pause'])
    expect(await dispatch('batch.start', {}, ctx)).toBe(replies['batch.start'])
    expect(heard).toEqual([{ type: 'paused' }])
  })
})
