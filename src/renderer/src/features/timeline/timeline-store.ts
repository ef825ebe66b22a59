import { create } from 'zustand'

/** Where the user is looking on the timeline: not part of the document, never undone. */
interface TimelineState {
  /** Source seconds. */
  playhead: number
  playing: boolean
  /** Playback speed while playing, negative backwards (J/L shuttle); 1 is normal play. */
  speed: number
  /** Horizontal zoom. */
  pxPerSec: number
  /** The zoom follows the panel's width until the user zooms. */
  fitted: boolean
  /** The border selected for Delete (merge), by index. */
  selectedBorder: number | null
  /** The player: the original alone, original and result side by side, or the result wiped over it. */
  view: 'source' | 'side' | 'wipe'
  /** The take compared (its job id); null: the newest finished one. */
  take: string | null
  /** Where the wipe divides, 0 (all result) to 1 (all original). */
  wipeAt: number
  setPlayhead(t: number): void
  /** Play or pause at normal speed. */
  setPlaying(playing: boolean): void
  setZoom(pxPerSec: number): void
  /** The whole clip in view; the zoom follows the width again. */
  fit(pxPerSec: number): void
  selectBorder(b: number | null): void
}

export const MIN_PX_PER_SEC = 10
export const MAX_PX_PER_SEC = 2000

const clampZoom = (px: number) => Math.min(MAX_PX_PER_SEC, Math.max(MIN_PX_PER_SEC, px))

export const useTimeline = create<TimelineState>((set) => ({
  playhead: 0,
  playing: false,
  speed: 1,
  pxPerSec: 120,
  fitted: true,
  selectedBorder: null,
  view: 'source',
  take: null,
  wipeAt: 0.5,
  setPlayhead: (t) => set({ playhead: Math.max(0, t) }),
  setPlaying: (playing) => set({ playing, speed: 1 }),
  setZoom: (pxPerSec) => set({ pxPerSec: clampZoom(pxPerSec), fitted: false }),
  fit: (pxPerSec) => set({ pxPerSec: clampZoom(pxPerSec), fitted: true }),
  selectBorder: (selectedBorder) => set({ selectedBorder }),
}))
