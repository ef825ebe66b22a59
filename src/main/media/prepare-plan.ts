import { AppError } from '../../shared/errors'
import type { PrepareOptions, PreparePlanFacts, ProbeResult, TimeRange } from '../../shared/media'
import { framesIn, targetFrameRate } from '../../shared/frames'

export { targetFrameRate }

/** Even dimensions with the longer side at most `maxSide`, never upscaled. */
export function targetSize(
  width: number,
  height: number,
  maxSide: number | 'original',
): { width: number; height: number } {
  const even = (n: number) => Math.max(2, Math.floor(n / 2) * 2)
  if (maxSide === 'original' || Math.max(width, height) <= maxSide)
    return { width: even(width), height: even(height) }
  const scale = maxSide / Math.max(width, height)
  return { width: even(Math.round(width * scale)), height: even(Math.round(height * scale)) }
}

/**
 * The scaler for a reduction from `fromWidth` to `toWidth`. Lanczos is sharpest, and cheap enough
 * from 1080p. From 4× on (4K to 768 px is 5×) its kernel widens with the ratio over 4× the pixels,
 * and it cost more CPU than decoding the 4K frames did (7 s of 17 s for 10 s of 4K60), where an
 * area average (a box filter: alias-free, a little softer) costs about half as much.
 */
export function scaleFlags(fromWidth: number, toWidth: number): 'lanczos' | 'area' {
  return fromWidth >= 4 * toWidth ? 'area' : 'lanczos'
}

/** Checks a trim range against the clip, naming the field that is wrong. */
export function resolveRange(
  range: TimeRange,
  durationSec: number,
  file?: string,
): { startSec: number; endSec: number } {
  const extra = (field: string) => ({ field, ...(file ? { file } : {}) })
  const { startSec } = range
  const endSec = range.endSec ?? durationSec
  if (!Number.isFinite(startSec) || startSec < 0)
    throw new AppError(
      'invalid-params',
      `start must be 0 or more (got ${startSec})`,
      extra('start'),
    )
  if (startSec >= durationSec) {
    throw new AppError(
      'invalid-params',
      `start (${startSec} s) must be before the end of the clip (${durationSec.toFixed(3)} s)`,
      extra('start'),
    )
  }
  if (!Number.isFinite(endSec) || endSec <= startSec)
    throw new AppError(
      'invalid-params',
      `end (${endSec} s) must be after start (${startSec} s)`,
      extra('end'),
    )
  return { startSec, endSec: Math.min(endSec, durationSec) }
}

const secs = (s: number) => s.toFixed(6).replace(/\.?0+$/, '') || '0'

/**
 * Containers with an index, where ffmpeg's input seek lands on the exact frame when transcoding.
 * Elsewhere (MPEG-TS/PS, raw streams, GIF) input seeking was seen to land on another frame or on
 * none, so those are decoded from the start and cut on the output side instead.
 */
export function hasAccurateInputSeek(container: string): boolean {
  const names = container.split(',')
  return ['mov', 'mp4', 'matroska', 'webm', 'avi'].some((n) => names.includes(n))
}

/** How many frames the uploaded clip of `range` holds: the range at the constant target rate. */
export function plannedFrames(probe: ProbeResult, range: TimeRange): number {
  const { startSec, endSec } = resolveRange(range, probe.durationSec, probe.path)
  return framesIn(endSec - startSec, targetFrameRate(probe).fps)
}

/**
 * ffmpeg arguments for the file that is uploaded: frame-accurate trim (a seek that re-encoding makes
 * exact even off keyframes, then exactly the frames of the range at the constant rate), rotation applied (ffmpeg's autorotate),
 * constant frame rate, scaled with even sides, H.264 yuv420p, faststart, no audio or metadata.
 */
export function planPrepare(
  probe: ProbeResult,
  range: TimeRange,
  options: PrepareOptions,
  output: string,
): { args: string[]; facts: PreparePlanFacts } {
  const { startSec } = resolveRange(range, probe.durationSec, probe.path)
  const { fps, rational } = targetFrameRate(probe)
  const { width, height } = targetSize(probe.width, probe.height, options.maxSide)
  const frameCount = plannedFrames(probe, range)
  const filters = [
    `fps=${rational}`,
    `scale=${width}:${height}:flags=${scaleFlags(probe.width, width)}`,
    'setsar=1',
    'format=yuv420p',
  ]
  const seek = startSec > 0 ? ['-ss', secs(startSec)] : []
  const inputSeek = hasAccurateInputSeek(probe.container)
  // prettier-ignore
  const args = [
    ...(inputSeek ? seek : []),
    '-i', probe.path,
    ...(inputSeek ? [] : seek),
    '-map', '0:v:0',
    '-vf', filters.join(','),
    '-frames:v', String(frameCount),
    '-c:v', 'libx264',
    '-preset', 'fast',
    '-crf', '17',
    '-pix_fmt', 'yuv420p',
    '-movflags', '+faststart',
    '-map_metadata', '-1',
    '-an', '-sn', '-dn',
    '-f', 'mp4',
    output,
  ]
  return {
    args,
    facts: {
      width,
      height,
      fps,
      fpsRational: rational,
      startSec,
      durationSec: frameCount / fps,
      frameCount,
    },
  }
}
