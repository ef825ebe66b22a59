/** Timeline maths: source seconds ↔ pixels at a zoom, ruler ticks, timecode. Pure. */

export const timeToX = (t: number, pxPerSec: number, originSec = 0) => (t - originSec) * pxPerSec
export const xToTime = (x: number, pxPerSec: number, originSec = 0) => originSec + x / pxPerSec

/** Ruler steps of a second or more. */
const SECOND_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600]
export const MIN_TICK_PX = 80

/**
 * The finest tick step at least MIN_TICK_PX apart. Under a second it is a whole number of frames
 * (1, 2, 5, 10 or half a second's worth), so every tick lands on a frame.
 */
export function tickStep(pxPerSec: number, fps: number): number {
  const frameSteps = [...new Set([1, 2, 5, 10, Math.floor(fps / 2)])]
    .filter((n) => n < fps)
    .sort((a, b) => a - b)
    .map((n) => n / fps)
  const candidates = [...frameSteps, ...SECOND_STEPS]
  return candidates.find((s) => s * pxPerSec >= MIN_TICK_PX) ?? (SECOND_STEPS.at(-1) as number)
}

/** Tick times from `start` to `end` inclusive, on multiples of the step. */
export function ticks(startSec: number, endSec: number, step: number): number[] {
  const out: number[] = []
  for (let i = Math.ceil(startSec / step - 1e-9); i * step <= endSec + 1e-9; i++)
    out.push(Math.round(i * step * 1e6) / 1e6 || 0)
  return out
}

const pad = (n: number) => String(n).padStart(2, '0')

function parts(t: number, fps: number) {
  const frames = Math.round(t * fps)
  const totalSec = Math.floor(frames / fps + 1e-9)
  const ff = Math.min(Math.round(fps) - 1, frames - Math.round(totalSec * fps))
  return {
    h: Math.floor(totalSec / 3600),
    m: Math.floor((totalSec % 3600) / 60),
    s: totalSec % 60,
    ff: Math.max(0, ff),
  }
}

/** `hh:mm:ss:ff`, frames last, as editors show timecode. */
export function timecode(t: number, fps: number): string {
  const { h, m, s, ff } = parts(t, fps)
  return `${pad(h)}:${pad(m)}:${pad(s)}:${pad(ff)}`
}

/** A ruler label: `m:ss` on whole seconds, with `:ff` when ticks are finer than a second. */
export function rulerLabel(t: number, step: number, fps: number): string {
  const { h, m, s, ff } = parts(t, fps)
  const base = `${h ? `${h}:${pad(m)}` : m}:${pad(s)}`
  return step >= 1 ? base : `${base}:${pad(ff)}`
}

/** The zoom at which `durationSec` fills `widthPx`. */
export const fitPxPerSec = (durationSec: number, widthPx: number) =>
  durationSec > 0 ? widthPx / durationSec : 100
