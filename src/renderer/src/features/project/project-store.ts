import { create } from 'zustand'
import { temporal } from 'zundo'
import { DEFAULT_ENDPOINT, type EndpointId } from '@shared/endpoints'
import {
  mergeBorder,
  moveBorder,
  randomSeed,
  reseed,
  setRange,
  setSegmentParam,
  splitAt,
  type ClipDoc,
  type ParamField,
  type ParamsDraft,
} from '@shared/project/clip'

/**
 * The project document: clips with their trims, segments, parameters and takes. UI state
 * (selection, playhead, zoom) lives elsewhere; only edits here are undone (200 steps).
 */
export interface ProjectDoc {
  clips: ClipDoc[]
  /** What a new clip starts with, and what the inspector edits when no clip is selected. */
  template: { endpoint: EndpointId; params: ParamsDraft; seedLocked?: boolean }
}

interface ProjectActions {
  /** Adds a clip for `path` over its whole length, from the template; nothing if it is there. */
  addClip(path: string, durationSec: number): void
  removeClip(id: string): void
  /** Takes several clips out at once: one undo step brings them all back. */
  removeClips(ids: string[]): void
  /** Points a clip at its source's new place (Locate…), keeping everything else. */
  relink(id: string, path: string): void
  trim(id: string, range: { in?: number; out?: number }, fps: number, durationSec: number): void
  split(id: string, t: number, fps: number): void
  merge(id: string, border: number): void
  moveBorder(id: string, border: number, t: number, fps: number): void
  /** "Crossfade at borders", in result frames (0: hard cuts); typing in it is one undo step. */
  setCrossfade(id: string, frames: number): void
  setEndpoint(id: string | null, endpoint: EndpointId): void
  /** One field of the clip (segment null), of one segment (its override), or of the template. */
  setParam<K extends ParamField>(
    id: string | null,
    segment: number | null,
    field: K,
    value: ParamsDraft[K] | undefined,
  ): void
  addTake(id: string, take: ClipDoc['takes'][number]): void
  /**
   * "Use these settings": a take's endpoint, parameters and seed become the clip's, as one undo
   * step. The seed is locked, so the next Render uses exactly it.
   */
  applyTakeSettings(id: string, endpoint: EndpointId, params: ParamsDraft): void
  /** Locks (the default) or unlocks the clip's seed; the template's when `id` is null. */
  setSeedLocked(id: string | null, locked: boolean): void
  /** Fresh seeds for the clip (and segments with their own), as one undo step. */
  reseed(id: string, draw?: () => number): void
}

export type ProjectState = ProjectDoc & ProjectActions

export const UNDO_LIMIT = 200
/** Typing into one field within this long is one undo step. */
const COALESCE_MS = 1000

let clipCounter = 0
let lastEdit = { key: '', at: 0 }

export const useProject = create<ProjectState>()(
  temporal(
    (set, get) => {
      const editClip = (id: string, fn: (c: ClipDoc) => ClipDoc, burst = false) => {
        // Any other kind of edit ends a typing burst.
        if (!burst) lastEdit = { key: '', at: 0 }
        set({ clips: get().clips.map((c) => (c.id === id ? fn(c) : c)) })
      }
      return {
        clips: [],
        template: { endpoint: DEFAULT_ENDPOINT, params: { prompt: '' } },

        addClip(path, durationSec) {
          if (get().clips.some((c) => c.path === path)) return
          lastEdit = { key: '', at: 0 }
          const { endpoint, params, seedLocked } = get().template
          const clip: ClipDoc = {
            id: `clip-${++clipCounter}`,
            path,
            in: 0,
            out: durationSec,
            endpoint,
            params: structuredClone(params),
            segments: [],
            takes: [],
            ...(seedLocked === false ? { seedLocked } : {}),
          }
          set({ clips: [...get().clips, clip] })
        },
        removeClip(id) {
          get().removeClips([id])
        },
        removeClips(ids) {
          const gone = new Set(ids)
          if (!get().clips.some((c) => gone.has(c.id))) return
          lastEdit = { key: '', at: 0 }
          set({ clips: get().clips.filter((c) => !gone.has(c.id)) })
        },
        relink(id, path) {
          editClip(id, (c) => ({ ...c, path }))
        },
        trim(id, range, fps, durationSec) {
          editClip(id, (c) => setRange(c, range, fps, durationSec))
        },
        split(id, t, fps) {
          editClip(id, (c) => splitAt(c, t, fps))
        },
        merge(id, border) {
          editClip(id, (c) => mergeBorder(c, border))
        },
        moveBorder(id, border, t, fps) {
          editClip(id, (c) => moveBorder(c, border, t, fps))
        },
        setCrossfade(id, frames) {
          coalesce(`${id}:crossfade`)
          editClip(
            id,
            ({ crossfadeFrames: _, ...c }) => (frames > 0 ? { ...c, crossfadeFrames: frames } : c),
            true,
          )
        },
        setEndpoint(id, endpoint) {
          if (id === null) set({ template: { ...get().template, endpoint } })
          else editClip(id, (c) => ({ ...c, endpoint }))
        },
        setParam(id, segment, field, value) {
          coalesce(`${id}:${segment}:${field}`)
          const put = (p: ParamsDraft): ParamsDraft =>
            value === undefined
              ? (Object.fromEntries(Object.entries(p).filter(([k]) => k !== field)) as ParamsDraft)
              : { ...p, [field]: value }
          if (id === null)
            set({ template: { ...get().template, params: put(get().template.params) } })
          else if (segment === null) editClip(id, (c) => ({ ...c, params: put(c.params) }), true)
          else editClip(id, (c) => setSegmentParam(c, segment, field, value), true)
        },
        setSeedLocked(id, locked) {
          const put = <T extends { seedLocked?: boolean }>(o: T): T => {
            const { seedLocked: _was, ...rest } = o
            return (locked ? rest : { ...rest, seedLocked: false }) as T
          }
          if (id === null) {
            lastEdit = { key: '', at: 0 }
            set({ template: put(get().template) })
          } else editClip(id, put)
        },
        reseed(id, draw = randomSeed) {
          editClip(id, (c) => reseed(c, draw))
        },
        applyTakeSettings(id, endpoint, params) {
          editClip(id, ({ seedLocked: _was, ...c }) => ({
            ...c,
            endpoint,
            params: structuredClone(params),
          }))
        },
        addTake(id, take) {
          editClip(id, (c) =>
            c.takes.some((t) => t.jobId === take.jobId) ? c : { ...c, takes: [...c.takes, take] },
          )
        },
      }
    },
    {
      limit: UNDO_LIMIT,
      // Only the document is history; actions are not state.
      partialize: ({ clips, template }): ProjectDoc => ({ clips, template }),
      equality: (a, b) => a.clips === b.clips && a.template === b.template,
    },
  ),
)

/**
 * Keystrokes into the same field, close together, are one undo step: the first records the state
 * before the burst; the following ones change the document without a new step.
 */
function coalesce(key: string): void {
  const now = Date.now()
  const same = key === lastEdit.key && now - lastEdit.at < COALESCE_MS
  lastEdit = { key, at: now }
  const history = useProject.temporal.getState()
  if (same && history.pastStates.length > 0) {
    history.pause()
    queueMicrotask(() => history.resume())
  }
}

export const undo = () => {
  lastEdit = { key: '', at: 0 }
  useProject.temporal.getState().undo()
}
export const redo = () => {
  lastEdit = { key: '', at: 0 }
  useProject.temporal.getState().redo()
}
