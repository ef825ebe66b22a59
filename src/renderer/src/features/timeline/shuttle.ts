/** The fastest shuttle, either way: 8× is as fast as a decoder keeps up with on a laptop. */
export const MAX_SHUTTLE = 8

export interface Transport {
  playing: boolean
  /** Playback speed, negative backwards: 1 is normal play. */
  speed: number
}

/**
 * J, K and L as in every NLE: L plays forward and each further L doubles the speed; J does the
 * same backwards; K stops and the next play is at normal speed again.
 */
export function shuttle(t: Transport, key: 'j' | 'k' | 'l'): Transport {
  if (key === 'k') return { playing: false, speed: 1 }
  const dir = key === 'l' ? 1 : -1
  if (t.playing && Math.sign(t.speed) === dir)
    return { playing: true, speed: dir * Math.min(MAX_SHUTTLE, Math.abs(t.speed) * 2) }
  return { playing: true, speed: dir }
}

/** Space: play at normal speed, or pause. */
export function playPause(t: Transport): Transport {
  return t.playing ? { playing: false, speed: 1 } : { playing: true, speed: 1 }
}

/**
 * Backwards play moves the playhead by seeking: the time `dt` seconds of `speed` earlier, wrapping
 * from the in point to the last frame before out, as forward play loops. Kept exact (a display
 * tick is less than a frame at 1×); the player shows the frame it falls in.
 */
export function reverseStep(
  t: number,
  dt: number,
  speed: number,
  range: { in: number; out: number },
  fps: number,
): number {
  const next = Math.min(t, range.out) - dt * Math.abs(speed)
  if (next >= range.in) return next
  return Math.max(range.in, (Math.ceil(range.out * fps - 1e-6) - 1) / fps)
}

/** The start of the frame `t` falls in. */
export const frameStart = (t: number, fps: number) => Math.floor(t * fps + 1e-6) / fps
