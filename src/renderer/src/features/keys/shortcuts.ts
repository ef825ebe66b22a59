import { tinykeys } from 'tinykeys'
import { create } from 'zustand'
import { targetFrameRate } from '@shared/frames'
import { segmentsOf } from '@shared/project/clip'
import { useApp } from '../../stores/app-store'
import { redo, undo, useProject } from '../project/project-store'
import { renderSelected } from '../inspector/render-clip'
import { finishedTakes } from '../player/EditorPlayer'
import { useJobs } from '../queue/jobs-store'
import { openProject, saveProject } from '../project/project-session'
import { playPause, shuttle } from '../timeline/shuttle'
import { useTimeline } from '../timeline/timeline-store'
import { useBatch } from '../batch/batch-store'
import { pickClips } from '../library/pick-clips'
import { isShortcutId, SHORTCUT_TABLE, type ShortcutDef, type ShortcutId } from '@shared/shortcuts'

/** The selected clip with what editing it needs: its frame rate and length. */
function current() {
  const { selected, clips } = useApp.getState()
  const probe = clips.find((c) => c.path === selected)?.probe
  const clip = useProject.getState().clips.find((c) => c.path === selected)
  if (!clip || !probe) return null
  return { clip, fps: targetFrameRate(probe).fps, duration: probe.durationSec }
}

function seekBy(seconds: (fps: number) => number) {
  const c = current()
  if (!c) return
  const t = useTimeline.getState()
  t.setPlaying(false)
  const to = Math.round((t.playhead + seconds(c.fps)) * c.fps) / c.fps
  t.setPlayhead(Math.min(c.duration, Math.max(0, to)))
}

function withClip(fn: (c: NonNullable<ReturnType<typeof current>>) => void) {
  return () => {
    const c = current()
    if (c) fn(c)
  }
}

export const useShortcutsHelp = create<{ open: boolean }>(() => ({ open: false }))

/** Collapses or expands a panel of the window; App registers them once its panels exist. */
export const panelToggles: Partial<Record<'library' | 'queue' | 'inspector', () => void>> = {}

/** What each command of the shared table does (the table holds its keys, label and menu item). */
const RUN: Record<ShortcutId, () => void> = {
  play: () => useTimeline.setState(playPause(useTimeline.getState())),
  'shuttle-back': () => useTimeline.setState(shuttle(useTimeline.getState(), 'j')),
  'shuttle-stop': () => useTimeline.setState(shuttle(useTimeline.getState(), 'k')),
  'shuttle-on': () => useTimeline.setState(shuttle(useTimeline.getState(), 'l')),
  'frame-back': () => seekBy((f) => -1 / f),
  'frame-on': () => seekBy((f) => 1 / f),
  'second-back': () => seekBy(() => -1),
  'second-on': () => seekBy(() => 1),
  'go-in': withClip(({ clip }) => useTimeline.getState().setPlayhead(clip.in)),
  'go-out': withClip(({ clip }) => useTimeline.getState().setPlayhead(clip.out)),
  'set-in': withClip(({ clip, fps, duration }) =>
    useProject.getState().trim(clip.id, { in: useTimeline.getState().playhead }, fps, duration),
  ),
  'set-out': withClip(({ clip, fps, duration }) =>
    useProject.getState().trim(clip.id, { out: useTimeline.getState().playhead }, fps, duration),
  ),
  split: withClip(({ clip, fps }) =>
    useProject.getState().split(clip.id, useTimeline.getState().playhead, fps),
  ),
  merge: withClip(({ clip }) => {
    const { selectedBorder, selectBorder } = useTimeline.getState()
    if (selectedBorder === null || selectedBorder >= segmentsOf(clip).length - 1) return
    useProject.getState().merge(clip.id, selectedBorder)
    selectBorder(null)
  }),
  wipe: () => {
    const t = useTimeline.getState()
    useTimeline.setState({ view: t.view === 'wipe' ? 'side' : 'wipe' })
  },
  'next-take': withClip(({ clip }) => {
    const takes = finishedTakes(clip, useJobs.getState().jobs)
    if (!takes.length) return
    const t = useTimeline.getState()
    const at = takes.findIndex((k) => k.jobId === t.take)
    const next = takes[(at === -1 ? takes.length - 1 : at + 1) % takes.length]
    useTimeline.setState({
      take: next?.jobId ?? null,
      view: t.view === 'source' ? 'side' : t.view,
    })
  }),
  render: () => void renderSelected(false),
  'open-clips': () => void pickClips(),
  batch: () => useBatch.getState().show(true),
  'open-project': () => void openProject(),
  save: () => void saveProject(),
  'save-as': () => void saveProject(true),
  'import-preset': () => void useBatch.getState().importPreset(),
  // The preset chosen in the batch panel.
  'export-preset': () => void useBatch.getState().exportPreset(),
  undo,
  redo,
  settings: () => useApp.getState().openSettings(true),
  'zoom-in': () => useTimeline.getState().setZoom(useTimeline.getState().pxPerSec * 1.5),
  'zoom-out': () => useTimeline.getState().setZoom(useTimeline.getState().pxPerSec / 1.5),
  'toggle-library': () => panelToggles.library?.(),
  'toggle-queue': () => panelToggles.queue?.(),
  'toggle-inspector': () => panelToggles.inspector?.(),
  'shortcuts-help': () => useShortcutsHelp.setState({ open: !useShortcutsHelp.getState().open }),
}

interface Shortcut extends ShortcutDef {
  run: () => void
}

/** Every shortcut, once: bound here, listed by "?", and run by the application menu. */
export const SHORTCUTS: Shortcut[] = SHORTCUT_TABLE.map((s) => ({ ...s, run: RUN[s.id] }))

function inTextField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  if (!el || !el.tagName) return false
  if (el.isContentEditable) return true
  if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true
  return (
    el.tagName === 'INPUT' &&
    !['range', 'checkbox', 'radio', 'button'].includes((el as HTMLInputElement).type)
  )
}

/** Binds every shortcut on `target`; Escape leaves a text field. Returns the unbind. */
export function installShortcuts(target: Window | HTMLElement = window): () => void {
  const map: Record<string, (e: KeyboardEvent) => void> = {
    Escape: (e) => {
      if (useShortcutsHelp.getState().open) useShortcutsHelp.setState({ open: false })
      else if (inTextField(e.target)) (e.target as HTMLElement).blur()
    },
  }
  for (const s of SHORTCUTS)
    for (const b of s.bind)
      map[b] = (e) => {
        if (!s.inText && inTextField(e.target)) return
        // A focused button would also take Space or Enter.
        e.preventDefault()
        s.run()
      }
  return tinykeys(target, map)
}

/**
 * A command chosen in the application menu (the `app.command` event from main). Undo and Redo are
 * app commands there, not Electron's `undo`/`redo` roles, so that Cmd/Ctrl+Z reaches the project's
 * history when no text field has the focus (macOS sends Cmd+Z to the menu, not to the page); in a
 * text field they undo the typing, as the roles would.
 */
export function runCommand(id: unknown, focused: Element | null = document.activeElement): void {
  if (!isShortcutId(id)) return
  if ((id === 'undo' || id === 'redo') && inTextField(focused)) {
    // The only way for a page to undo a text field's typing; the roles call the same thing.
    document.execCommand(id)
    return
  }
  RUN[id]()
}
