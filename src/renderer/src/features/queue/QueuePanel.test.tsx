import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { TURBO } from '@shared/endpoints'
import { renderRequestOf, type ClipDoc } from '@shared/project/clip'
import { learnRates, NO_HISTORY, type EtaSample, type LearnedRates } from '@shared/eta'
import type { Job, JobProgress } from '@shared/jobs'
import { setBridge } from '../../bridge'
import { bridgeFrom } from '../../test-bridge'
import { useApp } from '../../stores/app-store'
import { undo, useProject } from '../project/project-store'
import { ABANDON_CONFIRM } from './JobRow'
import { CLEARED_KEY, useJobs } from './jobs-store'
import { QueuePanel } from './QueuePanel'

const T0 = '2026-11-30T12:00:00.000Z'

function job(id: string, over: Partial<Job> = {}): Job {
  return {
    id,
    spec: {
      source: `/c/${id}.mp4`,
      range: { startSec: 0, endSec: 4 },
      endpoint: TURBO,
      params: {
        prompt: `prompt ${id}`,
        negative_prompt: 'blurry',
        num_inference_steps: 8,
        guidance_scale: 2.2,
        select_every_nth_frame: 2,
        loras: [],
      } as Job['spec']['params'],
      maxSide: 512,
      fps: 'result',
      output: `/out/${id}.mp4`,
    },
    stage: 'prepare',
    status: 'queued',
    origin: 'app',
    logs: [],
    attempts: 0,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  }
}

/** main as the queue meets it: a journal of jobs, learned rates, and a record of every call. */
function fakeMain(jobs: Job[], rates: LearnedRates = NO_HISTORY, osOpens = true) {
  const calls: { method: string; params: unknown }[] = []
  let paused = false
  const { bridge, emit } = bridgeFrom(async (method, params) => {
    calls.push({ method, params })
    switch (method) {
      case 'jobs.list':
        return structuredClone(jobs)
      case 'jobs.state':
        return { paused }
      case 'jobs.estimates':
        return rates
      case 'jobs.pause':
        paused = true
        return { paused }
      case 'jobs.resume':
        paused = false
        return { paused }
      case 'jobs.abandon':
        return { job: jobs[0], action: 'abandoned', message: 'Stopped following it.' }
      case 'jobs.open':
        return { opened: osOpens }
      case 'media.playbackUrl':
        return { url: 'http://127.0.0.1/media/out.mp4', proxied: false }
      case 'media.poster':
        return { url: 'data:image/png;base64,' }
    }
    throw new Error(`unexpected ${method}`)
  })
  return { bridge, emit, calls }
}

const progress = (p: Partial<JobProgress> & { id: string }): JobProgress => ({
  status: 'running',
  stage: 'prepare',
  elapsedSec: 0,
  ...p,
})

const rowOf = (name: string) =>
  screen.getAllByTestId('job').find((r) => r.textContent?.includes(name)) as HTMLElement

/**
 * jsdom lays nothing out: the list's scroll area gets a 400 px viewport and each row 64 px, as in
 * a browser, so the virtualiser has something to window.
 */
function layOut() {
  const size = (el: HTMLElement, scroller: number, row: number) =>
    el.dataset.testid === 'job-scroll' ? scroller : el.dataset.index ? row : 0
  vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockImplementation(function (
    this: HTMLElement,
  ) {
    return size(this, 400, 0)
  })
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockImplementation(function (
    this: HTMLElement,
  ) {
    return size(this, 800, 0)
  })
  vi.spyOn(HTMLElement.prototype, 'offsetHeight', 'get').mockImplementation(function (
    this: HTMLElement,
  ) {
    return size(this, 400, 64)
  })
}

describe('QueuePanel', () => {
  beforeEach(() => {
    layOut()
    localStorage.clear()
    useJobs.setState({
      jobs: [],
      live: {},
      liveAt: {},
      stageSince: {},
      newLogs: {},
      paused: false,
      rates: NO_HISTORY,
      clearedBefore: null,
    })
    useApp.setState({ clips: [], selected: undefined, info: undefined, notices: [] })
    useProject.setState({ clips: [] })
    useProject.temporal.getState().clear()
  })
  afterEach(() => {
    cleanup()
    setBridge(undefined)
    vi.restoreAllMocks()
  })

  it('shows a running row: its stage bar, fal queue position from 1, elapsed, ETA, and fal logs', async () => {
    const running = job('skate', {
      status: 'running',
      stage: 'wait',
      requestId: 'req-1',
      startedAt: new Date(Date.now() - 12_000).toISOString(),
      logs: ['2026-11-30T12:00:01.000Z submitted as request req-1'],
    })
    const main = fakeMain([running])
    setBridge(main.bridge)
    render(<QueuePanel />)
    await screen.findByText(/skate\.mp4 — prompt skate/)

    act(() =>
      main.emit('jobs.progress', progress({ id: 'skate', stage: 'wait', queuePosition: 2 })),
    )
    const row = rowOf('skate.mp4')
    expect(within(row).getByTestId('job-status')).toHaveTextContent("Waiting: 3rd in fal's queue")
    // The event came after the row's last clock tick: elapsed never counts back below main's 0 s.
    expect(within(row).getByTestId('job-status')).toHaveTextContent(/ · elapsed 0:00$/)
    const bar = within(row).getByRole('progressbar', { name: 'skate.mp4: Rendering at fal' })
    expect(bar).toHaveAttribute('aria-valuetext', "Waiting: 3rd in fal's queue")

    // main keeps fal's lines in the job's log too, and sends the new ones with the progress.
    running.logs.push('2026-11-30T12:00:05.000Z fal: step 1/8')
    act(() =>
      main.emit(
        'jobs.progress',
        progress({ id: 'skate', stage: 'wait', elapsedSec: 12, newLogs: ['step 1/8'] }),
      ),
    )
    expect(within(row).getByTestId('job-status')).toHaveTextContent(
      /Rendering at fal · elapsed 0:1\d · about \d+ s left/,
    )
    const logs = within(row).getByRole('button', { name: 'Log (2)' })
    expect(logs).toHaveAttribute('aria-expanded', 'false')
    await userEvent.click(logs)
    expect(within(row).getByRole('button', { name: 'Hide log' })).toHaveAttribute(
      'aria-expanded',
      'true',
    )
    expect(within(row).getByLabelText("fal's log for skate.mp4")).toHaveTextContent(
      /submitted as request req-1\s+fal: step 1\/8/,
    )

    // Abandon says what it means before doing it.
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(true)
    await userEvent.click(within(row).getByRole('button', { name: 'Abandon' }))
    expect(confirm).toHaveBeenCalledWith(ABANDON_CONFIRM)
    expect(ABANDON_CONFIRM).toMatch(/stops following it.*may still finish it and charge/i)
    await waitFor(() =>
      expect(main.calls).toContainEqual({ method: 'jobs.abandon', params: { id: 'skate' } }),
    )
  })

  it('shows a failed row with its reason and what to do next', async () => {
    const failed = job('beach', {
      status: 'failed',
      error: { code: 'not-found', message: 'beach.mp4: the source file is gone' },
    })
    setBridge(fakeMain([failed]).bridge)
    render(<QueuePanel />)
    const row = await screen.findByRole('group', { name: 'beach.mp4: failed' })
    expect(within(row).getByTestId('job-status')).toHaveTextContent('Failed')
    expect(within(row).getByRole('note')).toHaveTextContent(
      'beach.mp4: the source file is gone Put the file back where it was (or locate it in the library), then press Retry.',
    )
    expect(within(row).getByRole('button', { name: 'Retry' })).toBeInTheDocument()
    expect(within(row).queryByRole('progressbar')).toBeNull()
  })

  it('shows a finished row: thumbnail, output path, Open, Show in folder, settings on hover; Use these settings is one undo step', async () => {
    const done = job('surf', {
      status: 'done',
      stage: 'done',
      seed: 1234,
      finishedAt: T0,
    })
    const main = fakeMain([done])
    setBridge(main.bridge)
    useProject.getState().addClip('/c/surf.mp4', 4)
    const clipId = useProject.getState().clips[0]?.id as string
    useProject.getState().setParam(clipId, null, 'prompt', 'something else')
    useProject.getState().setSeedLocked(clipId, false)
    useProject.temporal.getState().clear()
    render(<QueuePanel />)

    const row = await screen.findByText(/surf\.mp4 — prompt surf/).then(() => rowOf('surf.mp4'))
    expect(await within(row).findByRole('img', { name: 'First frame of surf.mp4' })).toBeVisible()
    expect(main.calls).toContainEqual({
      method: 'media.poster',
      params: { path: '/out/surf.mp4', atSec: 0, height: 72 },
    })
    expect(within(row).getByText('/out/surf.mp4')).toBeInTheDocument()
    expect(within(row).getByRole('button', { name: 'Show in folder' })).toBeInTheDocument()
    expect(within(row).getByTestId('job-status')).toHaveTextContent('Done · seed 1234')
    expect(within(row).getByText(/surf\.mp4 — prompt surf/)).toHaveAttribute(
      'title',
      expect.stringContaining(
        'Steps: 8\nGuidance: 2.2\nUse every Nth frame: 2\nSeed: 1234 (chosen by fal)',
      ),
    )

    await userEvent.click(within(row).getByRole('button', { name: 'Open' }))
    await waitFor(() =>
      expect(main.calls).toContainEqual({ method: 'jobs.open', params: { id: 'surf' } }),
    )

    await userEvent.click(within(row).getByRole('button', { name: 'Use these settings' }))
    const clip = useProject.getState().clips[0]
    expect(clip?.params).toEqual({
      prompt: 'prompt surf',
      negative_prompt: 'blurry',
      num_inference_steps: 8,
      guidance_scale: 2.2,
      select_every_nth_frame: 2,
    })
    // Locked and without fal's seed: the next Render is this take's request, collected, not paid.
    expect(clip?.seedLocked).toBeUndefined()
    expect(renderRequestOf(clip as ClipDoc).params).toEqual(
      Object.fromEntries(Object.entries(done.spec.params).filter(([k]) => k !== 'loras')),
    )
    expect(useApp.getState().selected).toBe('/c/surf.mp4')
    undo()
    expect(useProject.getState().clips[0]?.params.prompt).toBe('something else')
    expect(useProject.getState().clips[0]?.seedLocked).toBe(false)
  })

  it('Open in a browser tab (no OS to open it): plays the output from its playback URL', async () => {
    const main = fakeMain([job('surf', { status: 'done', stage: 'done' })], NO_HISTORY, false)
    setBridge(main.bridge)
    const opened = vi.spyOn(window, 'open').mockReturnValue(null)
    render(<QueuePanel />)
    const row = await screen.findByRole('group', { name: 'surf.mp4: done' })
    await userEvent.click(within(row).getByRole('button', { name: 'Open' }))
    await waitFor(() =>
      expect(opened).toHaveBeenCalledWith('http://127.0.0.1/media/out.mp4', '_blank', 'noopener'),
    )
    expect(main.calls).toContainEqual({
      method: 'media.playbackUrl',
      params: { path: '/out/surf.mp4' },
    })
  })

  it('estimates from the recorded history: the learned fal rate, not the prior', async () => {
    // This machine's fal renders at 8 steps took 0.9 s per output frame.
    const history: EtaSample[] = [0.8, 0.9, 1.0].map((secPerFrame) => ({
      kind: 'fal',
      endpoint: TURBO,
      steps: 8,
      secPerFrame,
      at: T0,
    }))
    const running = job('ink', { status: 'running', stage: 'wait', requestId: 'r' })
    const main = fakeMain([running], learnRates(history))
    setBridge(main.bridge)
    render(<QueuePanel />)
    await screen.findByText(/ink\.mp4/)
    await waitFor(() => expect(useJobs.getState().rates.samples.fal).toBe(3))
    act(() => main.emit('jobs.progress', progress({ id: 'ink', stage: 'wait', newLogs: [] })))
    // 4 s at 25 fps, every 2nd frame: 50 frames × 0.9 s = 45 s at fal, then 3 s to finish.
    expect(within(rowOf('ink.mp4')).getByTestId('job-status')).toHaveTextContent('about 50 s left')
    // With no history, the prior (0.06 s per frame per step) says about half of that.
    act(() => useJobs.setState({ rates: NO_HISTORY }))
    expect(within(rowOf('ink.mp4')).getByTestId('job-status')).toHaveTextContent('about 25 s left')
  })

  it('Clear finished hides finished rows without asking main to remove anything', async () => {
    const jobs = [
      job('a', { status: 'done', stage: 'done', finishedAt: T0 }),
      job('b', { status: 'failed', error: { code: 'network', message: 'offline' } }),
      job('c', { status: 'abandoned', error: { code: 'abandoned', message: 'stopped' } }),
      job('d', { status: 'running', stage: 'upload' }),
    ]
    const main = fakeMain(jobs)
    setBridge(main.bridge)
    render(<QueuePanel />)
    await screen.findByText(/a\.mp4 — /)
    expect(screen.getAllByTestId('job')).toHaveLength(4)
    await userEvent.click(screen.getByRole('button', { name: 'Clear finished' }))
    const names = screen.getAllByTestId('job').map((r) => r.getAttribute('aria-label'))
    expect(names).toEqual(['d.mp4: running', 'b.mp4: failed'])
    expect(screen.getByRole('button', { name: 'Clear finished' })).toBeDisabled()
    // Only reads: the journal keeps every finished job, so an identical render is reused.
    expect(new Set(main.calls.map((c) => c.method))).toEqual(
      new Set(['jobs.list', 'jobs.state', 'jobs.estimates', 'media.poster']),
    )
    expect(localStorage.getItem(CLEARED_KEY)).not.toBeNull()
  })

  it('pauses and resumes the queue, showing which it is', async () => {
    const main = fakeMain([job('q')])
    setBridge(main.bridge)
    render(<QueuePanel />)
    await userEvent.click(await screen.findByRole('button', { name: 'Pause queue' }))
    const resume = await screen.findByRole('button', { name: 'Resume queue' })
    expect(resume).toHaveAttribute('aria-pressed', 'true')
    expect(screen.getByRole('status')).toHaveTextContent('Paused · 0 running, 1 waiting')
    await userEvent.click(resume)
    expect(await screen.findByRole('button', { name: 'Pause queue' })).toBeInTheDocument()
    expect(main.calls.map((c) => c.method)).toEqual(
      expect.arrayContaining(['jobs.pause', 'jobs.resume']),
    )
  })

  it('renders 1,000 jobs as a window of rows', async () => {
    const many = Array.from({ length: 1000 }, (_, i) =>
      job(`clip${i}`, { status: i % 3 ? 'done' : 'queued', stage: i % 3 ? 'done' : 'prepare' }),
    )
    setBridge(fakeMain(many).bridge)
    render(<QueuePanel />)
    await screen.findByText(/clip999\.mp4/)
    const rows = screen.getAllByTestId('job')
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.length).toBeLessThan(40)
    // Newest first; the list is as tall as all of them.
    expect(rows[0]).toHaveAccessibleName('clip999.mp4: queued')
    expect(screen.queryByText(/clip0\.mp4/)).toBeNull()
    const list = screen.getByRole('list', { name: 'Renders' })
    expect(parseInt(list.style.height, 10)).toBeGreaterThan(1000 * 60)
  })
})
