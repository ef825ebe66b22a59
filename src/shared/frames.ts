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
