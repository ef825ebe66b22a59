import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Listeners } from '@shared/contract/client'
import type { Job, JobProgress } from '@shared/jobs'
import { askToNotify, notifyWhenFinished } from './browser-notifications'

/** The page's Notification API as a browser offers it: a permission and a constructor. */
class FakeNotification {
  static permission: NotificationPermission = 'granted'
  static shown: { title: string; body?: string }[] = []
  static asked = 0
  static requestPermission = async () => {
    FakeNotification.asked += 1
    return FakeNotification.permission
  }
  readonly title: string
  constructor(title: string, options?: { body?: string }) {
    this.title = title
    FakeNotification.shown.push({ title, body: options?.body })
  }
}

let hidden = true
const job = (id: string, extra: Partial<Job> = {}) =>
  ({
    id,
    status: 'running',
    spec: { source: '/clips/beach.mp4', output: '/out/beach.reanimate.mp4' },
    ...extra,
  }) as Job

function bridge() {
  const listeners = new Listeners()
  return {
    on: (n: string, l: (p: unknown) => void) => listeners.add(n, l),
    emit: (n: string, p: unknown) => listeners.emit(n, p),
  }
}
const progress = (id: string, status: JobProgress['status'], extra: Partial<JobProgress> = {}) =>
  ({ id, status, stage: 'done', elapsedSec: 1, ...extra }) as JobProgress

describe('browser notifications', () => {
  beforeEach(() => {
    vi.stubGlobal('Notification', FakeNotification)
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden })
    FakeNotification.permission = 'granted'
    FakeNotification.shown = []
    FakeNotification.asked = 0
    hidden = true
  })
  afterEach(() => vi.unstubAllGlobals())

  it('tells a user looking elsewhere that a render finished or failed, once each', () => {
    const b = bridge()
    const jobs = [job('a'), job('b', { spec: { source: '/c/surf.mp4' } as Job['spec'] })]
    notifyWhenFinished(b as never, () => jobs)
    b.emit('jobs.progress', progress('a', 'running'))
    b.emit('jobs.progress', progress('a', 'done'))
    b.emit('jobs.progress', progress('a', 'done'))
    b.emit(
      'jobs.progress',
      progress('b', 'failed', {
        error: { code: 'fal-failed', message: 'fal could not render it' },
      }),
    )
    expect(FakeNotification.shown).toEqual([
      { title: 'Reanimate: render finished', body: 'beach.mp4 → beach.reanimate.mp4' },
      { title: 'Reanimate: render failed', body: 'surf.mp4: fal could not render it' },
    ])
  })

  it('stays quiet while the tab is in view, without permission, and for segments and batch clips', () => {
    const b = bridge()
    const jobs = [job('a'), job('seg', { parentId: 'a' }), job('c'), job('d')]
    notifyWhenFinished(b as never, () => jobs)
    hidden = false
    b.emit('jobs.progress', progress('a', 'done'))
    hidden = true
    b.emit('jobs.progress', progress('seg', 'done'))
    b.emit('jobs.progress', progress('c', 'done', { batchId: 'b1' }))
    FakeNotification.permission = 'denied'
    b.emit('jobs.progress', progress('d', 'done'))
    expect(FakeNotification.shown).toEqual([])
  })

  it('a batch gets one notice with its counts', () => {
    const b = bridge()
    const off = notifyWhenFinished(b as never, () => [])
    b.emit('batch.finished', {
      batchId: 'b1',
      outDir: '/out',
      succeeded: 2,
      failed: 0,
      skipped: 0,
      summary: '',
    })
    off()
    b.emit('batch.finished', {
      batchId: 'b2',
      outDir: '/out',
      succeeded: 1,
      failed: 0,
      skipped: 0,
      summary: '',
    })
    expect(FakeNotification.shown).toEqual([
      { title: 'Reanimate: batch finished', body: '2 done, 0 failed — /out' },
    ])
  })

  it('asks for permission only in a browser tab, and only while undecided', () => {
    FakeNotification.permission = 'default'
    askToNotify(false)
    expect(FakeNotification.asked).toBe(0)
    askToNotify(true)
    expect(FakeNotification.asked).toBe(1)
    FakeNotification.permission = 'denied'
    askToNotify(true)
    expect(FakeNotification.asked).toBe(1)
  })
})
