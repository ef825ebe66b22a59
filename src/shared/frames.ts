/**
 * Frame counts, one place for all: what prepare uploads, what fal gives back, what the timeline
 * shows per segment and what the output check expects.
 */

const STANDARD_RATES: [number, string][] = [
  [24000 / 1001, '24000/1001'],
  [24, '24'],
  [25, '25'],
  [30000 / 1001, '30000/1001'],
  [30, '30'],
  [50, '50'],
  [60000 / 1001, '60000/1001'],
  [60, '60'],
]

/**
 * The constant rate to encode at: the stream's nominal rate, unless that is a container time base
 * (VFR files often claim 90000 fps) — then the average, snapped to a standard rate when close.
 */
export function targetFrameRate(probe: { fpsNominal: number; fpsAverage: number }): {
  fps: number
  rational: string
} {
  const sane = (f: number) => f >= 1 && f <= 120
  const raw = sane(probe.fpsNominal)
    ? probe.fpsNominal
    : sane(probe.fpsAverage)
      ? probe.fpsAverage
      : 25
  // Snap only what is a standard rate written imprecisely (29.97 vs 30000/1001); 30 stays 30.
  for (const [rate, rational] of STANDARD_RATES) {
    if (Math.abs(rate - raw) / rate < 0.0002) return { fps: rate, rational }
  }
  const rounded = Math.round(raw * 1000) / 1000
  return { fps: rounded, rational: String(rounded) }
}

/** Frames of a span at a constant rate: what prepare encodes and uploads (at least one). */
export function framesIn(durationSec: number, fps: number): number {
  return Math.max(1, Math.round(durationSec * fps))
}

/** Frames fal renders from `sent` frames when it uses every `nth` one. */
export function resultFrames(sent: number, nth: number): number {
  return Math.ceil(sent / Math.max(1, Math.floor(nth) || 1))
}

/** AnimateDiff's motion module looks at 16 frames at once; fewer gives it too little to animate. */
export const MOTION_WINDOW_FRAMES = 16

/** "Crossfade at borders", in result frames: 0 is a hard cut; more than the motion window is a blur. */
export const CROSSFADE_FRAMES = { min: 0, max: MOTION_WINDOW_FRAMES } as const

/**
 * A crossfade of `frames` result frames at a border between segments, in source seconds: the
 * segment before renders `afterSec` past the border and the one after starts `beforeSec` ahead of
 * it, so the blend is centred on the border (within a frame) and the join keeps the source's
 * timing. Whole result frames each side, so the blend is whole frames of both renders.
 */
export function crossfadeSpan(
  frames: number,
  fps: number,
  nth: number,
): { totalSec: number; beforeSec: number; afterSec: number } {
  const frame = Math.max(1, Math.floor(nth) || 1) / fps
  const whole = Math.max(0, Math.round(frames))
  const before = Math.floor(whole / 2)
  return { totalSec: whole * frame, beforeSec: before * frame, afterSec: (whole - before) * frame }
}
