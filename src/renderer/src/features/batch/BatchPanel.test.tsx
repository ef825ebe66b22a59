import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { SavedPreset } from '@shared/contract'
import type { Job } from '@shared/jobs'
import { parsePreset } from '@shared/presets'
import { setBridge } from '../../bridge'
import { bridgeFrom } from '../../test-bridge'
import { useApp } from '../../stores/app-store'
import { useProject } from '../project/project-store'
import { validate } from '../inspector/params-store'
import { BatchPanel } from './BatchPanel'
import { CURRENT, STOP_BATCH_CONFIRM, useBatch } from './batch-store'
import { useJobs } from '../queue/jobs-store'

const TURBO = 'fal-ai/animatediff-v2v/turbo'
let saved: SavedPreset[] = []
let calls: { method: string; params: unknown }[] = []
let emit: (name: string, payload: unknown) => void
const folders = ['/clips', '/out']
/** What batch.start answers (the whole plan unless a test says otherwise), and what main does first. */
let startReply: Record<string, unknown> | undefined
let beforeStartAnswers: (() => void) | undefined
/** The journal as main lists it (`jobs.list`). */
let journal: Job[] = []

beforeEach(() => {
  saved = []
  calls = []
  startReply = undefined
  beforeStartAnswers = undefined
  journal = []
  useJobs.setState({ jobs: [], live: {} })
  folders.splice(0, folders.length, '/clips', '/out')
  useApp.setState({ notices: [], selected: undefined })
  useProject.setState({
    clips: [],
    template: { endpoint: TURBO, params: { prompt: 'ink wash', num_inference_steps: 6, seed: 3 } },
  })
  useBatch.setState({
    open: true,
    dir: null,
    outDir: null,
    preset: CURRENT,
    nameTemplate: '{stem}.reanimate',
    preview: null,
    run: null,
    summary: null,
    error: null,
  })
  const b = bridgeFrom(async (method, params) => {
    calls.push({ method, params })
    switch (method) {
      case 'presets.list':
        return { presets: saved }
      case 'presets.save': {
        const { name, preset } = params as { name: string; preset: SavedPreset['preset'] }
        // What main stores and exports: the JSON as the window sent it.
        const stored = { name, preset: JSON.parse(JSON.stringify(preset)) as SavedPreset['preset'] }
        saved.push(stored)
        return stored
      }
      case 'jobs.list':
        return journal
      case 'batch.cancel':
        return { cancelled: 3, kept: 1 }
      case 'jobs.state':
        return { paused: false }
      case 'library.pickFolder':
        return { path: folders.shift() ?? null }
      case 'batch.preview':
        return {
          items: [
            { source: '/clips/a.mp4', status: 'render', output: '/out/a.reanimate.mp4' },
            {
              source: '/clips/b.mp4',
              status: 'reuse',
              reason: 'already rendered with these settings: kept, not paid again',
            },
            {
              source: '/clips/broken.mp4',
              status: 'unreadable',
              reason: 'cannot be read as a video (no video stream)',
            },
            { source: '/clips/.DS_Store', status: 'skip', reason: 'a hidden or system file' },
          ],
        }
      case 'batch.start':
        beforeStartAnswers?.()
        return (
          startReply ?? {
            batchId: 'b1',
            total: 2,
            alreadyDone: 0,
            collecting: 0,
            skipped: 1,
            unreadable: 1,
            jobIds: ['j1', 'j2'],
            planning: false,
            files: 4,
            read: 4,
          }
        )
      default:
        throw new Error(`unexpected ${method}`)
    }
  })
  emit = b.emit
  setBridge(b.bridge)
})
afterEach(() => {
  cleanup()
  setBridge(undefined)
})

/** A batch of these jobs, planned whole by the time Start batch answers. */
const wholePlan = (batchId: string, jobIds: string[]) => ({
  batchId,
  total: jobIds.length,
  alreadyDone: 0,
  collecting: 0,
  skipped: 0,
  unreadable: 0,
  jobIds,
  planning: false,
  files: jobIds.length,
  read: jobIds.length,
})

const startParams = () =>
  calls.find((c) => c.method === 'batch.start')?.params as Record<string, unknown> | undefined

async function chooseFolders() {
  for (const button of screen.getAllByRole('button', { name: 'Choose…' }))
    await userEvent.click(button)
  await waitFor(() => expect(useBatch.getState().outDir).toBe('/out'))
}

describe('presets in the batch panel', () => {
  it('a preset saved from the current values is one the CLI reads, with the same parameters', async () => {
    render(<BatchPanel />)
    await userEvent.click(screen.getByRole('button', { name: 'Save as preset…' }))
    await userEvent.type(screen.getByLabelText('Preset name'), 'Ink')
    await userEvent.click(screen.getByRole('button', { name: 'Save preset' }))
    await waitFor(() => expect(saved).toHaveLength(1))

    // The CLI's own reader (`reanimate batch --preset`) takes the file as main stores it.
    const file = JSON.parse(JSON.stringify(saved[0]?.preset)) as unknown
    const read = parsePreset(file)
    expect(read.ok).toBe(true)
    if (!read.ok) return
    const inspector = validate(TURBO, useProject.getState().template.params)
    expect(read.preset).toEqual({
      endpoint: TURBO,
      params: inspector.valid,
      fps: 'result',
      nameTemplate: '{stem}.reanimate',
    })
    // And it is the preset chosen now.
    expect(screen.getByLabelText('Preset')).toHaveValue('Ink')
  })

  it('a preset file written for the CLI runs from the panel with exactly its values', async () => {
    const cliFile = {
      params: { prompt: 'pencil sketch', num_inference_steps: 8 },
      fps: 'source' as const,
      nameTemplate: '{stem}-sketch',
    }
    saved = [{ name: 'Sketch', preset: cliFile }]
    render(<BatchPanel />)
    await screen.findByRole('option', { name: 'Sketch' })
    await userEvent.selectOptions(screen.getByLabelText('Preset'), 'Sketch')
    // The name template follows the preset, with an example.
    expect(screen.getByLabelText('Name template')).toHaveValue('{stem}-sketch')
    expect(screen.getByText(/beach\.mp4 becomes beach-sketch\.mp4/)).toBeInTheDocument()
    await chooseFolders()
    await userEvent.click(screen.getByRole('button', { name: 'Start batch' }))
    await waitFor(() => expect(startParams()).toBeDefined())
    const sent = startParams() as Record<string, unknown>
    const viaPanel = parsePreset({
      endpoint: sent.endpoint,
      params: sent.params,
      fps: sent.fps,
      nameTemplate: sent.nameTemplate,
    })
    expect(viaPanel).toEqual(parsePreset(cliFile))
    expect(sent).toMatchObject({ dir: '/clips', outDir: '/out', recursive: true })
  })

  it('names are checked before anything is saved, in words', async () => {
    render(<BatchPanel />)
    await userEvent.click(screen.getByRole('button', { name: 'Save as preset…' }))
    await userEvent.type(screen.getByLabelText('Preset name'), 'a/b')
    await userEvent.click(screen.getByRole('button', { name: 'Save preset' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('A preset name cannot contain /')
    expect(saved).toHaveLength(0)
  })
})

describe('the batch panel', () => {
  it('previews the folder, then shows N of M with the jobs, then the summary naming the failed file', async () => {
    render(<BatchPanel />)
    await chooseFolders()
    const preview = screen.getByRole('region', { name: 'Clips found' })
    await within(preview).findByText('broken.mp4')
    expect(
      within(preview).getByText('skipped: cannot be read as a video (no video stream)'),
    ).toBeInTheDocument()
    expect(within(preview).getByText('skipped: a hidden or system file')).toBeInTheDocument()
    expect(within(preview).getByRole('status')).toHaveTextContent(
      '1 to render, 1 already rendered (not paid again), 2 skipped',
    )

    await userEvent.click(screen.getByRole('button', { name: 'Start batch' }))
    const bar = await screen.findByRole('progressbar', { name: 'Batch progress' })
    expect(screen.getByTestId('batch-count')).toHaveTextContent('0 of 2')
    act(() => emit('jobs.progress', { id: 'j1', status: 'done', stage: 'done', elapsedSec: 3 }))
    expect(screen.getByTestId('batch-count')).toHaveTextContent('1 of 2')
    expect(bar).toHaveAttribute('value', '1')
    expect(screen.getByText(/ETA \d+:\d\d/)).toBeInTheDocument()
    expect(
      within(screen.getByRole('list', { name: 'Jobs of this batch' })).getAllByRole('listitem'),
    ).toHaveLength(2)

    act(() => {
      emit('jobs.progress', { id: 'j2', status: 'done', stage: 'done', elapsedSec: 3 })
      emit('batch.finished', {
        batchId: 'b1',
        outDir: '/out',
        succeeded: 2,
        failed: 1,
        skipped: 1,
        summary: '/out/reanimate-summary.json',
        rows: [
          { source: 'a.mp4', status: 'succeeded', output: 'a.reanimate.mp4' },
          { source: 'b.mp4', status: 'succeeded', output: 'b.reanimate.mp4' },
          { source: 'broken.mp4', status: 'failed', error: 'no video stream' },
          { source: '.DS_Store', status: 'skipped', error: 'a hidden or system file' },
        ],
      })
    })
    const summary = screen.getByRole('region', { name: 'Summary' })
    expect(within(summary).getByText('2 succeeded, 1 failed, 1 skipped.')).toBeInTheDocument()
    expect(within(summary).getByText('broken.mp4')).toBeInTheDocument()
    expect(screen.getByTestId('batch-count')).toHaveTextContent('2 of 2')
  })

  it('says the folder is still being read while its first clips run, and lists clips planned later', async () => {
    // Ids of their own: the store remembers ended jobs and plans across batches.
    const plan = (read: number, jobIds: string[], planning: boolean) => ({
      batchId: 'b2',
      total: jobIds.length,
      alreadyDone: 0,
      collecting: 0,
      skipped: 0,
      unreadable: read === 3 ? 1 : 0,
      jobIds,
      planning,
      files: 3,
      read,
    })
    startReply = plan(1, ['k1'], true)
    // A chunk planned while the answer is on its way: its event reaches the window first.
    // Its clip may even be done by then.
    beforeStartAnswers = () => {
      emit('batch.planned', plan(2, ['k1', 'k2'], true))
      emit('jobs.progress', { id: 'k2', status: 'done', stage: 'done', elapsedSec: 1 })
    }
    render(<BatchPanel />)
    await chooseFolders()
    await userEvent.click(screen.getByRole('button', { name: 'Start batch' }))
    await screen.findByRole('progressbar', { name: 'Batch progress' })
    expect(screen.getByTestId('batch-count')).toHaveTextContent('1 of 2 so far')
    expect(screen.getByTestId('batch-reading')).toHaveTextContent(
      'Reading the folder: 2 of 3 files. Clips are sent as they are read.',
    )
    expect(screen.getByText('ETA once the folder is read')).toBeInTheDocument()

    act(() => emit('batch.planned', plan(3, ['k1', 'k2'], false)))
    expect(screen.getByTestId('batch-count')).toHaveTextContent(/^1 of 2$/)
    // Only what there is: no "0 skipped" or "0 already rendered".
    expect(screen.getByTestId('batch-not-rendered')).toHaveTextContent(/^1 unreadable\.$/)
    expect(screen.queryByTestId('batch-reading')).toBeNull()
    expect(screen.getByText(/ETA \d+:\d\d/)).toBeInTheDocument()
    // An older plan arriving late changes nothing.
    act(() => emit('batch.planned', plan(1, ['k1'], true)))
    expect(screen.getByTestId('batch-count')).toHaveTextContent(/^1 of 2$/)
    expect(
      within(screen.getByRole('list', { name: 'Jobs of this batch' })).getAllByRole('listitem'),
    ).toHaveLength(2)
  })

  it('lists the clips queued behind the running ones by name, not by id, each in plain words', async () => {
    // Queued jobs send no progress until they start: the panel reads the journal for them.
    journal = ['q1', 'q2'].map(
      (id) =>
        ({
          id,
          spec: { source: `/clips/${id === 'q1' ? 'dawn' : 'dusk'}.mp4` },
          status: 'queued',
          stage: 'prepare',
        }) as Job,
    )
    startReply = wholePlan('b3', ['q1', 'q2'])
    render(<BatchPanel />)
    await chooseFolders()
    await userEvent.click(screen.getByRole('button', { name: 'Start batch' }))
    const list = await screen.findByRole('list', { name: 'Jobs of this batch' })
    await waitFor(() => expect(list).toHaveTextContent('dawn.mp4'))
    expect(list).toHaveTextContent('dusk.mp4')
    expect(list).not.toHaveTextContent('q1')
    // Each in the queue's words, never the journal's.
    expect(list).toHaveTextContent('Waiting for its turn here')
    // The app's queue follows main's progress events into the jobs store; the panel reads it.
    act(() =>
      useJobs.getState().apply({ id: 'q1', status: 'running', stage: 'wait', elapsedSec: 2 }),
    )
    await waitFor(() => expect(list).toHaveTextContent('Rendering at fal'))
    expect(list).not.toHaveTextContent(/running|\(wait\)/)
  })

  it('Stop batch asks first, then has main cancel the batch and says what was kept', async () => {
    // An id of its own: the store remembers batches that finished in earlier tests.
    startReply = wholePlan('b4', ['s1', 's2'])
    render(<BatchPanel />)
    await chooseFolders()
    await userEvent.click(screen.getByRole('button', { name: 'Start batch' }))
    const stop = await screen.findByRole('button', { name: 'Stop batch' })
    const confirm = vi.spyOn(window, 'confirm').mockReturnValueOnce(false)
    await userEvent.click(stop)
    expect(confirm).toHaveBeenCalledWith(STOP_BATCH_CONFIRM)
    expect(calls.some((c) => c.method === 'batch.cancel')).toBe(false)

    confirm.mockReturnValueOnce(true)
    await userEvent.click(stop)
    await waitFor(() =>
      expect(calls.find((c) => c.method === 'batch.cancel')?.params).toEqual({ batchId: 'b4' }),
    )
    await waitFor(() =>
      expect(useApp.getState().notices.map((n) => n.text)).toContain(
        'Batch stopped: 3 clips cancelled; 1 clip fal had started is kept, and running the same batch again collects it without paying again.',
      ),
    )
    confirm.mockRestore()
  })

  it('Esc closes it; focus starts inside', async () => {
    render(<BatchPanel />)
    const dialog = screen.getByRole('dialog', { name: 'Batch a folder' })
    await waitFor(() => expect(dialog).toContainElement(document.activeElement as HTMLElement))
    await userEvent.keyboard('{Escape}')
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(useBatch.getState().open).toBe(false)
  })

  it('Tab and Shift+Tab stay inside the panel; focus goes back to what opened it', async () => {
    useBatch.setState({ open: false })
    render(
      <>
        <button onClick={() => useBatch.getState().show(true)}>Batch a folder…</button>
        <button>Behind the panel</button>
        <BatchPanel />
      </>,
    )
    await userEvent.click(screen.getByRole('button', { name: 'Batch a folder…' }))
    const dialog = await screen.findByRole('dialog', { name: 'Batch a folder' })
    await waitFor(() => expect(dialog).toContainElement(document.activeElement as HTMLElement))
    // Round the panel twice each way: never the page behind it.
    const stops = within(dialog).getAllByRole('button').length + 10
    for (let i = 0; i < stops; i++) {
      await userEvent.tab()
      expect(dialog).toContainElement(document.activeElement as HTMLElement)
    }
    for (let i = 0; i < stops; i++) {
      await userEvent.tab({ shift: true })
      expect(dialog).toContainElement(document.activeElement as HTMLElement)
    }
    await userEvent.keyboard('{Escape}')
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Batch a folder…' }))
  })
})

describe('dropping a folder on the batch panel', () => {
  /** The desktop app: each dropped item has its place on disk (the preload asks Electron). */
  function onDesktop() {
    const b = bridgeFrom(async (method) => {
      if (method === 'presets.list') return { presets: [] }
      if (method === 'batch.preview') return { items: [] }
      throw new Error(`unexpected ${method}`)
    })
    setBridge({ ...b.bridge, getPathForFile: (f: File) => `/drops/${f.name}` })
    useApp.setState({ info: undefined })
  }
  const drop = (names: string[]) =>
    fireEvent.drop(screen.getByRole('heading', { name: 'Clips' }), {
      dataTransfer: { files: names.map((n) => new File([], n)), types: ['Files'] },
    })

  it('a folder dropped on Clips becomes the batch folder', async () => {
    onDesktop()
    render(<BatchPanel />)
    expect(screen.getByText(/or drop one here/)).toBeInTheDocument()
    drop(['day 2'])
    await waitFor(() => expect(useBatch.getState().dir).toBe('/drops/day 2'))
    expect(screen.getByLabelText('Folder')).toHaveValue('/drops/day 2')
  })

  it('two folders at once: it says to drop one, and keeps the folder it had', async () => {
    onDesktop()
    useBatch.setState({ dir: '/clips' })
    render(<BatchPanel />)
    drop(['day 1', 'day 2'])
    expect(useApp.getState().notices.at(-1)?.text).toMatch(/^Drop one folder/)
    expect(useBatch.getState().dir).toBe('/clips')
  })

  it('in a browser tab, which is never told where a dropped folder is, it points to Choose…', () => {
    useApp.setState({ info: { transport: 'websocket' } as never })
    render(<BatchPanel />)
    drop(['day 2'])
    expect(useApp.getState().notices.at(-1)?.text).toMatch(/Use Choose… beside Folder/)
    expect(useBatch.getState().dir).toBe(null)
  })
})
