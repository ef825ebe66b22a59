import { create } from 'zustand'
import type { BatchFinished, BatchPreviewItem, Result, SavedPreset } from '@shared/contract'
import type { ReanimateBridge } from '@shared/contract/client'
import { isTerminal, type JobStatus } from '@shared/jobs'
import {
  DEFAULT_NAME_TEMPLATE,
  nameTemplateProblem,
  outputName,
  type PresetFile,
} from '@shared/presets'
import { DEFAULT_ENDPOINT } from '@shared/endpoints'
import { getBridge } from '../../bridge'
import { inspectorNow } from '../inspector/params-store'
import { useApp } from '../../stores/app-store'
import { useFileBrowser } from '../library/file-browser-store'

export const CURRENT = 'current'

export interface BatchRun extends Result<'batch.start'> {
  dir: string
  outDir: string
  /** "preset Ink wash" or "the current inspector values". */
  presetLabel: string
  startedAt: number
  /** Jobs of this batch that ended, with how and when. */
  ended: Record<string, { status: JobStatus; at: number }>
  finishedAt?: number
}

interface BatchState {
  open: boolean
  dir: string | null
  recursive: boolean
  outDir: string | null
  nameTemplate: string
  /** `current` (the inspector's values) or a saved preset's name. */
  preset: string
  presets: SavedPreset[]
  preview: BatchPreviewItem[] | null
  previewing: boolean
  previewError: string | null
  starting: boolean
  run: BatchRun | null
  summary: BatchFinished | null
  error: string | null
  show(open: boolean): void
  set(patch: Partial<Pick<BatchState, 'dir' | 'recursive' | 'outDir' | 'nameTemplate'>>): void
  choosePreset(name: string): void
  loadPresets(): Promise<void>
  /** Exports the chosen saved preset (the panel's Export…, the File menu); else says to choose one. */
  exportPreset(): Promise<void>
  /** Imports a preset file and chooses it (the panel's Import…, the File menu). */
  importPreset(): Promise<void>
  refreshPreview(): Promise<void>
  start(): Promise<void>
  /** Stop batch is on its way to main. */
  stopping: boolean
  /** Stop batch: main cancels what is left of it; the summary follows as usual. */
  stop(): Promise<void>
  /** Back to the settings after a batch (its summary stays on disk). */
  reset(): void
}

/** What Stop batch asks before it cancels anything. */
export const STOP_BATCH_CONFIRM =
  "Stop this batch? Clips not sent to fal yet are cancelled, and so are those waiting in fal's queue (not billed). A clip fal has already started cannot be stopped: it is kept, and running the same batch again collects it without paying again."

/** What Stop batch did, in a notice. */
export function stoppedText(cancelled: number, kept: number): string {
  const n = (count: number) => `${count} clip${count === 1 ? '' : 's'}`
  return kept === 0
    ? `Batch stopped: ${n(cancelled)} cancelled, nothing more is sent to fal.`
    : `Batch stopped: ${n(cancelled)} cancelled; ${n(kept)} fal had started ${kept === 1 ? 'is' : 'are'} kept, and running the same batch again collects ${kept === 1 ? 'it' : 'them'} without paying again.`
}

/** What the batch would use: the inspector's values, or a saved preset, with the panel's template. */
export function presetInUse(
  s: Pick<BatchState, 'preset' | 'presets' | 'nameTemplate'>,
): { ok: true; preset: PresetFile } | { ok: false; message: string } {
  const nameTemplate = s.nameTemplate.trim() || DEFAULT_NAME_TEMPLATE
  const problem = nameTemplateProblem(nameTemplate)
  if (problem) return { ok: false, message: `The name template ${problem}.` }
  if (s.preset === CURRENT) {
    const { valid, endpoint } = inspectorNow()
    if (!valid)
      return {
        ok: false,
        message:
          'The current parameters are not complete (at least a prompt): set them in Parameters, or choose a saved preset.',
      }
    return { ok: true, preset: { endpoint, params: { ...valid }, fps: 'result', nameTemplate } }
  }
  const saved = s.presets.find((p) => p.name === s.preset)
  if (!saved?.preset)
    return {
      ok: false,
      message: saved?.problem ?? `The preset “${s.preset}” is gone: choose another.`,
    }
  return { ok: true, preset: { ...saved.preset, nameTemplate } }
}

/** The name template applied to a clip name, as the batch will name its output. */
export function exampleOutput(template: string, clip = 'beach.mp4'): string {
  const stem = clip.replace(/\.[^.]*$/, '')
  return outputName(template.trim() || DEFAULT_NAME_TEMPLATE, stem)
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err))

/** Terminal job events seen lately: a batch's first jobs can end before its start call answers. */
const endedSeen = new Map<string, { status: JobStatus; at: number }>()
const finishedSeen = new Map<string, BatchFinished>()
/** The latest plan of each batch: its last chunks can be read before its start call answers. */
const plannedSeen = new Map<string, Result<'batch.start'>>()

/** The later of two plans of one batch: a finished plan, else the one that read more files. */
const later = <P extends Result<'batch.start'>>(a: P, b: Result<'batch.start'> | undefined): P =>
  b && (!b.planning || (a.planning && b.read > a.read)) ? { ...a, ...b } : a

let asked = 0

export const useBatch = create<BatchState>((set, get) => ({
  open: false,
  dir: null,
  recursive: true,
  outDir: null,
  nameTemplate: DEFAULT_NAME_TEMPLATE,
  preset: CURRENT,
  presets: [],
  preview: null,
  previewing: false,
  previewError: null,
  starting: false,
  stopping: false,
  run: null,
  summary: null,
  error: null,
  show(open) {
    set({ open })
  },
  set(patch) {
    set({ ...patch, error: null })
    if ('dir' in patch || 'recursive' in patch || 'outDir' in patch) void get().refreshPreview()
  },
  choosePreset(name) {
    const saved = get().presets.find((p) => p.name === name)
    set({
      preset: name,
      error: null,
      ...(saved?.preset?.nameTemplate ? { nameTemplate: saved.preset.nameTemplate } : {}),
    })
    void get().refreshPreview()
  },
  async exportPreset() {
    const { notify, info } = useApp.getState()
    const { preset, presets } = get()
    if (!presets.find((p) => p.name === preset)?.preset) {
      set({ open: true })
      notify('info', 'Choose a saved preset to export, under Preset.')
      return
    }
    try {
      let done: { path: string } | null
      if (info?.transport === 'websocket') {
        const dir = (
          await useFileBrowser.getState().open('folder', `Export “${preset}”: choose a folder`)
        )?.[0]
        if (!dir) return
        done = await getBridge().presets.export({ name: preset, dir })
      } else done = await getBridge().presets.export({ name: preset })
      if (done) notify('info', `Exported the preset to ${done.path}.`)
    } catch (err) {
      notify('error', errorText(err))
    }
  },
  async importPreset() {
    const { notify, info } = useApp.getState()
    try {
      let imported
      if (info?.transport === 'websocket') {
        const file = (await useFileBrowser.getState().open('preset', 'Import a preset'))?.[0]
        if (!file) return
        imported = await getBridge().presets.import({ path: file })
      } else imported = await getBridge().presets.import({})
      if (!imported) return
      await get().loadPresets()
      get().choosePreset(imported.name)
      notify('info', `Imported the preset “${imported.name}”.`)
    } catch (err) {
      notify('error', errorText(err))
    }
  },
  async loadPresets() {
    try {
      const { presets } = await getBridge().presets.list({})
      const chosen = get().preset
      set({
        presets,
        ...(chosen !== CURRENT && !presets.some((p) => p.name === chosen)
          ? { preset: CURRENT }
          : {}),
      })
    } catch (err) {
      set({ error: errorText(err) })
    }
  },
  async refreshPreview() {
    const { dir, recursive, outDir } = get()
    if (!dir) return set({ preview: null, previewError: null })
    const mine = ++asked
    set({ previewing: true, previewError: null })
    const using = presetInUse(get())
    try {
      const { items } = await getBridge().batch.preview({
        dir,
        recursive,
        ...(outDir ? { outDir } : {}),
        ...(using.ok
          ? {
              endpoint: using.preset.endpoint ?? DEFAULT_ENDPOINT,
              params: using.preset.params,
              ...(using.preset.nameTemplate ? { nameTemplate: using.preset.nameTemplate } : {}),
              ...(using.preset.maxSide !== undefined ? { maxSide: using.preset.maxSide } : {}),
              ...(using.preset.fps ? { fps: using.preset.fps } : {}),
            }
          : {}),
      })
      if (mine === asked) set({ preview: items, previewing: false })
    } catch (err) {
      if (mine === asked) set({ preview: null, previewing: false, previewError: errorText(err) })
    }
  },
  async start() {
    const { dir, outDir, recursive } = get()
    if (!dir) return set({ error: 'Choose the folder of clips first (Folder, Choose…).' })
    if (!outDir)
      return set({ error: 'Choose where the results go first (Output folder, Choose…).' })
    const using = presetInUse(get())
    if (!using.ok) return set({ error: using.message })
    const p = using.preset
    set({ starting: true, error: null, summary: null })
    try {
      const answer = await getBridge().batch.start({
        dir,
        outDir,
        recursive,
        endpoint: p.endpoint ?? DEFAULT_ENDPOINT,
        params: p.params,
        ...(p.nameTemplate ? { nameTemplate: p.nameTemplate } : {}),
        ...(p.maxSide !== undefined ? { maxSide: p.maxSide } : {}),
        ...(p.fps ? { fps: p.fps } : {}),
      })
      // Chunks planned after the answer was sent may have reached the window before it.
      const started = later(answer, plannedSeen.get(answer.batchId))
      const ended: BatchRun['ended'] = {}
      for (const id of started.jobIds) {
        const seen = endedSeen.get(id)
        if (seen) ended[id] = seen
      }
      const early = finishedSeen.get(started.batchId)
      set({
        starting: false,
        run: {
          ...started,
          dir,
          outDir,
          presetLabel:
            get().preset === CURRENT ? 'the current inspector values' : `preset “${get().preset}”`,
          startedAt: Date.now(),
          ended,
          ...(early ? { finishedAt: Date.now() } : {}),
        },
        summary: early ?? null,
      })
    } catch (err) {
      set({ starting: false, error: errorText(err) })
    }
  },
  async stop() {
    const { run, summary } = get()
    if (!run || summary) return
    set({ stopping: true, error: null })
    try {
      const { cancelled, kept } = await getBridge().batch.cancel({ batchId: run.batchId })
      useApp.getState().notify('info', stoppedText(cancelled, kept))
    } catch (err) {
      set({ error: errorText(err) })
    } finally {
      set({ stopping: false })
    }
  },
  reset() {
    set({ run: null, summary: null, error: null })
    void get().refreshPreview()
  },
}))

/** Follows the batch's jobs and its end; returns the unsubscribe. */
export function followBatches(bridge: Pick<ReanimateBridge, 'on'>): () => void {
  const offProgress = bridge.on('jobs.progress', (p) => {
    if (!isTerminal(p.status)) return
    const end = { status: p.status, at: Date.now() }
    endedSeen.set(p.id, end)
    if (endedSeen.size > 2000) endedSeen.delete(endedSeen.keys().next().value as string)
    const { run } = useBatch.getState()
    if (run && run.jobIds.includes(p.id) && !run.ended[p.id])
      useBatch.setState({ run: { ...run, ended: { ...run.ended, [p.id]: end } } })
  })
  const offPlanned = bridge.on('batch.planned', (p) => {
    plannedSeen.set(p.batchId, later(p, plannedSeen.get(p.batchId)))
    if (plannedSeen.size > 50) plannedSeen.delete(plannedSeen.keys().next().value as string)
    const { run } = useBatch.getState()
    if (run?.batchId !== p.batchId) return
    const next = later(run, p)
    if (next === run) return
    // Jobs of the new chunks that ended before this event are marked as they are listed.
    const ended = { ...next.ended }
    for (const id of p.jobIds) {
      const seen = endedSeen.get(id)
      if (seen && !ended[id]) ended[id] = seen
    }
    useBatch.setState({ run: { ...next, ended } })
  })
  const offFinished = bridge.on('batch.finished', (b) => {
    finishedSeen.set(b.batchId, b)
    const { run } = useBatch.getState()
    if (run?.batchId === b.batchId)
      useBatch.setState({ run: { ...run, finishedAt: Date.now() }, summary: b })
  })
  return () => {
    offProgress()
    offPlanned()
    offFinished()
  }
}
