/**
 * A step's output checked against its plan: real files lie in their headers, and ffmpeg can exit 0
 * after writing one frame of a five-second range. Pure, so the wording and the tolerances are
 * tested on their own; `measureVideo` in probe.ts supplies the measurements.
 */

export interface WrittenVideo {
  /** Video packets actually in the file (one per frame in what ffmpeg writes). */
  frames: number
  width: number
  height: number
  durationSec: number
  /** The stream's nominal frame rate (0 when ffprobe gives none). */
  fps: number
}

export interface PlannedVideo {
  frames: number
  /** Frames per second of the written file, to turn frames into seconds in the message. */
  fps: number
  width?: number
  height?: number
  /** Frames the file may be short by without loss (default 1: rounding at the range end). */
  slack?: number
}

const secs = (s: number) => `${s.toFixed(2)} s`

/**
 * Null when the file holds what was planned (at most `slack` frames short); else what is wrong, with
 * the numbers: "wrote 1 of 162 frames (0.03 s of 5.40 s)".
 */
export function writtenShortfall(
  planned: PlannedVideo,
  written: Omit<WrittenVideo, 'fps'>,
): string | null {
  if (planned.frames - written.frames > Math.max(1, planned.slack ?? 1)) {
    const plannedSec = planned.fps > 0 ? planned.frames / planned.fps : 0
    const writtenSec =
      planned.fps > 0 ? written.frames / planned.fps : Math.max(0, written.durationSec)
    return `wrote ${written.frames} of ${planned.frames} frames (${secs(writtenSec)} of ${secs(plannedSec)})`
  }
  if (
    planned.width !== undefined &&
    planned.height !== undefined &&
    (planned.width !== written.width || planned.height !== written.height)
  )
    return `wrote ${written.width}×${written.height} frames, not ${planned.width}×${planned.height}`
  return null
}
