import { create } from 'zustand'
import type { OpenedFiles, ProjectPayload } from '@shared/contract'
import type { ClipDoc } from '@shared/project/clip'
import { getBridge } from '../../bridge'
import { useApp } from '../../stores/app-store'
import { useFileBrowser } from '../library/file-browser-store'
import { useTimeline } from '../timeline/timeline-store'
import { fromPayload, toPayload } from './payload'
import { useProject } from './project-store'

/**
 * The project file behind the document: where it is saved, whether there are unsaved edits, and
 * the autosave that keeps the work through a crash or a restart.
 */
interface SessionState {
  /** The `.reanimate` file, or null for a project never saved. */
  path: string | null
  /** The clips as last saved or opened: the document differs from it when there are edits. */
  saved: ClipDoc[]
  /** Sources of the project that are not on disk. */
  missing: string[]
  /** The last session's work is back (or there was none): editing may start. */
  ready: boolean
}

export const useSession = create<SessionState>(() => ({
  path: null,
  saved: [],
  missing: [],
  ready: false,
}))

export const projectName = (p: string | null) =>
  p ? (p.split(/[\\/]/).pop() ?? p).replace(/\.reanimate$/i, '') : 'Untitled'

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err))
const inBrowser = () => useApp.getState().info?.transport === 'websocket'

/** The document and where the user is in it, as a project file holds them. */
function current(): ProjectPayload {
  const { clips } = useProject.getState()
  const selected = useApp.getState().selected
  const index = clips.findIndex((c) => c.path === selected)
  const { pxPerSec, playhead } = useTimeline.getState()
  return toPayload({ clips }, { ...(index >= 0 ? { selected: index } : {}), pxPerSec, playhead })
}

/** Puts a project in the editor: its clips (read again by ffprobe), selection, zoom, playhead. */
async function load(project: ProjectPayload, path: string | null, missing: string[]) {
  const clips = fromPayload(project)
  useProject.setState({ clips })
  useProject.temporal.getState().clear()
  useSession.setState({ path, saved: clips, missing })
  const selected = project.view?.selected !== undefined ? clips[project.view.selected] : clips[0]
  useApp.setState({ clips: [], selected: selected?.path })
  await useApp.getState().addClips(clips.map((c) => c.path))
  useApp.setState({ selected: selected?.path })
  const { pxPerSec, playhead } = project.view ?? {}
  if (pxPerSec) useTimeline.getState().setZoom(pxPerSec)
  useTimeline.setState({ playhead: playhead ?? selected?.in ?? 0, playing: false })
  if (missing.length)
    useApp
      .getState()
      .notify(
        'error',
        `${missing.length} source${missing.length > 1 ? 's are' : ' is'} missing: ${missing.map((m) => m.split(/[\\/]/).pop()).join(', ')}. They stay in the project, marked.`,
      )
}

export async function openProject(): Promise<void> {
  try {
    let path: string | undefined
    if (inBrowser()) {
      const chosen = await useFileBrowser.getState().open('project', 'Open project')
      if (!chosen?.[0]) return
      path = chosen[0]
    }
    const opened = await getBridge().project.open(path ? { path } : {})
    if (opened) await load(opened.project, opened.path, opened.missing)
  } catch (err) {
    useApp.getState().notify('error', errorText(err))
  }
}

/** A project main already knows the user chose: a recent one, or one the OS opened with the app. */
export async function openRecentProject(path: string): Promise<void> {
  try {
    const opened = await getBridge().project.open({ path })
    if (opened) await load(opened.project, opened.path, opened.missing)
  } catch (err) {
    useApp.getState().notify('error', errorText(err))
  }
}

export async function saveProject(as = false): Promise<void> {
  const { notify } = useApp.getState()
  const doc = useProject.getState().clips
  try {
    const { path } = useSession.getState()
    let saved: { path: string } | null
    if (path && !as) saved = await getBridge().project.save({ path, project: current() })
    else if (inBrowser()) {
      const chosen = await useFileBrowser
        .getState()
        .open(
          'save',
          'Save project',
          projectName(path) === 'Untitled' ? 'My edit' : projectName(path),
        )
      if (!chosen?.[0] || !chosen[1]) return
      saved = await getBridge().project.saveAs({
        project: current(),
        dir: chosen[0],
        name: chosen[1],
      })
    } else saved = await getBridge().project.saveAs({ project: current(), name: projectName(path) })
    if (!saved) return
    useSession.setState({ path: saved.path, saved: doc })
    notify('info', `Saved ${projectName(saved.path)}.`)
  } catch (err) {
    notify('error', errorText(err))
  }
}

const AUTOSAVE_MS = 1500
let timer: ReturnType<typeof setTimeout> | undefined
let started: Promise<void> | null = null

/**
 * Continues the last session's work, then keeps autosaving every edit (after a short pause) for
 * as long as the page lives. Files given on the command line are opened on top. Once per page,
 * however often it is called (React runs effects twice in development).
 */
export function startSession(): Promise<void> {
  return (started ??= begin())
}

/** Files the OS opened with the app: a project (it becomes the document), then videos on top. */
async function openFromOs(files: OpenedFiles): Promise<void> {
  if (files.project) await openRecentProject(files.project)
  if (files.paths.length) {
    await useApp.getState().addClips(files.paths)
    useApp.setState({ selected: files.paths[0] })
  }
}

async function begin(): Promise<void> {
  const api = getBridge()
  // Before `library.opened`, after which main sends files opened later as this event; they wait
  // for the last session's work to be back, which would otherwise replace them.
  api.on('library.filesOpened', (files) => void startSession().then(() => openFromOs(files)))
  try {
    const restored = await api.project.restore({})
    if (restored && restored.project.clips.length) {
      await load(restored.project, restored.path, restored.missing)
      // Restored from the autosave: edits since the last save are still unsaved.
      if (restored.path) useSession.setState({ saved: [] })
    }
  } catch (err) {
    useApp.getState().notify('error', `Could not restore the last session: ${errorText(err)}`)
  }
  await openFromOs(await api.library.opened({}).catch(() => ({ paths: [] as string[] })))
  // Only now: an edit made while the last session was being restored would be replaced by it.
  useSession.setState({ ready: true })
  useProject.subscribe((state, prev) => {
    if (state.clips === prev.clips) return
    clearTimeout(timer)
    timer = setTimeout(() => {
      void api.project
        .autosave({ project: current(), path: useSession.getState().path })
        .catch((err: unknown) =>
          useApp.getState().notify('error', `Autosave failed: ${errorText(err)}`),
        )
    }, AUTOSAVE_MS)
  })
}
