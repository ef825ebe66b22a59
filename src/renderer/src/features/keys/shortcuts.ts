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

interface Shortcut {
  /** As shown in the list. */
  keys: string
  /** tinykeys bindings (`$mod` is Cmd on macOS, Ctrl elsewhere). */
  bind: string[]
  label: string
  run: () => void
  /** Also while typing in a text field. */
  inText?: boolean
}

/** Every shortcut, once: bound here and listed by "?". */
export const SHORTCUTS: Shortcut[] = [
  {
    keys: 'Space',
    bind: ['Space'],
    label: 'play / pause',
    run: () => useTimeline.setState(playPause(useTimeline.getState())),
  },
  {
    keys: 'J / K / L',
    bind: ['j'],
    label: 'shuttle: play backwards / stop / play; J or L again: twice as fast',
    run: () => useTimeline.setState(shuttle(useTimeline.getState(), 'j')),
  },
  {
    keys: '',
    bind: ['k'],
    label: 'stop',
    run: () => useTimeline.setState(shuttle(useTimeline.getState(), 'k')),
  },
  {
    keys: '',
    bind: ['l'],
    label: 'play forward, faster',
    run: () => useTimeline.setState(shuttle(useTimeline.getState(), 'l')),
  },
  {
    keys: '← / →',
    bind: ['ArrowLeft'],
    label: 'one frame back / on',
    run: () => seekBy((f) => -1 / f),
  },
  { keys: '', bind: ['ArrowRight'], label: 'one frame on', run: () => seekBy((f) => 1 / f) },
  {
    keys: 'Shift+← / →',
    bind: ['Shift+ArrowLeft'],
    label: 'one second back / on',
    run: () => seekBy(() => -1),
  },
  { keys: '', bind: ['Shift+ArrowRight'], label: 'one second on', run: () => seekBy(() => 1) },
  {
    keys: 'Home / End',
    bind: ['Home'],
    label: 'go to in / out',
    run: withClip(({ clip }) => useTimeline.getState().setPlayhead(clip.in)),
  },
  {
    keys: '',
    bind: ['End'],
    label: 'go to out',
    run: withClip(({ clip }) => useTimeline.getState().setPlayhead(clip.out)),
  },
  {
    keys: 'I',
    bind: ['i'],
    label: 'set in at the playhead',
    run: withClip(({ clip, fps, duration }) =>
      useProject.getState().trim(clip.id, { in: useTimeline.getState().playhead }, fps, duration),
    ),
  },
  {
    keys: 'O',
    bind: ['o'],
    label: 'set out at the playhead',
    run: withClip(({ clip, fps, duration }) =>
      useProject.getState().trim(clip.id, { out: useTimeline.getState().playhead }, fps, duration),
    ),
  },
  {
    keys: 'S',
    bind: ['s'],
    label: 'split at the playhead',
    run: withClip(({ clip, fps }) =>
      useProject.getState().split(clip.id, useTimeline.getState().playhead, fps),
    ),
  },
  {
    keys: 'Delete',
    bind: ['Delete', 'Backspace'],
    label: 'merge at the selected border',
    run: withClip(({ clip }) => {
      const { selectedBorder, selectBorder } = useTimeline.getState()
      if (selectedBorder === null || selectedBorder >= segmentsOf(clip).length - 1) return
      useProject.getState().merge(clip.id, selectedBorder)
      selectBorder(null)
    }),
  },
  {
    keys: 'W',
    bind: ['w'],
    label: 'wipe the result over the original',
    run: () => {
      const t = useTimeline.getState()
      useTimeline.setState({ view: t.view === 'wipe' ? 'side' : 'wipe' })
    },
  },
  {
    keys: 'T',
    bind: ['t'],
    label: 'next take',
    run: withClip(({ clip }) => {
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
  },
  {
    keys: 'Ctrl/Cmd+Enter',
    bind: ['$mod+Enter'],
    label: 'render the clip',
    run: () => void renderSelected(false),
    inText: true,
  },
  {
    keys: 'Ctrl/Cmd+S',
    bind: ['$mod+s'],
    label: 'save the project',
    run: () => void saveProject(),
    inText: true,
  },
  {
    keys: 'Ctrl/Cmd+Shift+S',
    bind: ['$mod+Shift+s', '$mod+Shift+S'],
    label: 'save the project as…',
    run: () => void saveProject(true),
    inText: true,
  },
  {
    keys: 'Ctrl/Cmd+O',
    bind: ['$mod+o'],
    label: 'open a project',
    run: () => void openProject(),
    inText: true,
  },
  { keys: 'Ctrl/Cmd+Z', bind: ['$mod+z'], label: 'undo', run: undo },
  { keys: 'Ctrl/Cmd+Shift+Z', bind: ['$mod+Shift+z', '$mod+Shift+Z'], label: 'redo', run: redo },
  {
    keys: '+ / −',
    bind: ['+', '=', 'Shift+='],
    label: 'zoom in / out',
    run: () => useTimeline.getState().setZoom(useTimeline.getState().pxPerSec * 1.5),
  },
  {
    keys: '',
    bind: ['-'],
    label: 'zoom out',
    run: () => useTimeline.getState().setZoom(useTimeline.getState().pxPerSec / 1.5),
  },
  {
    keys: '?',
    bind: ['Shift+?', '?'],
    label: 'list the shortcuts',
    run: () => useShortcutsHelp.setState({ open: !useShortcutsHelp.getState().open }),
  },
]

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
