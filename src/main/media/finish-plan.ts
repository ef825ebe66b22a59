export interface FinishSegment {
  file: string
  durationSec: number
  /** Its frame rate when already measured (at download); otherwise finishing probes it. */
  fps?: number
}

export interface FinishPlanInput {
  segments: FinishSegment[]
  /** The original clip, for its audio; omitted or without audio = silent result. */
  source?: { path: string; hasAudio: boolean }
  /** The range of the source the result covers, to trim the audio to match. */
  range: { startSec: number; endSec: number }
  /** Crossfade at each seam between segments, in seconds (0 = hard cut). */
  crossfadeSec: number
  /** Result fps (as returned by fal, source fps / nth), unless converted to the source's. */
  fps: { mode: 'result' } | { mode: 'source'; rational: string }
  /** Written into the file's `comment` tag as JSON (and by the caller into a sidecar). */
  metadata: Record<string, unknown>
  title?: string
  output: string
}

const secs = (s: number) => s.toFixed(6).replace(/\.?0+$/, '') || '0'

/** Start of each crossfade: where segment k+1 begins to overlap the output so far. */
export function xfadeOffsets(durations: number[], fadeSec: number): number[] {
  const offsets: number[] = []
  let total = durations[0] ?? 0
  for (let k = 1; k < durations.length; k++) {
    offsets.push(Math.max(0, total - fadeSec))
    total = total - fadeSec + (durations[k] ?? 0)
  }
  return offsets
}

/** Output length after joining with crossfades. */
export function joinedDuration(durations: number[], fadeSec: number): number {
  const sum = durations.reduce((a, b) => a + b, 0)
  return sum - fadeSec * Math.max(0, durations.length - 1)
}

/**
 * One ffmpeg run that turns fal's result(s) into the final file: segments joined in order (hard cut
 * or crossfade), optionally converted to the source frame rate, the source's own audio trimmed to
 * the same range laid under it, and the render parameters written into the metadata.
 */
export function planFinish(input: FinishPlanInput): string[] {
  const { segments } = input
  if (segments.length === 0) throw new Error('planFinish: no segments')
  const inputs = segments.flatMap((s) => ['-i', s.file])
  const withAudio = Boolean(input.source?.hasAudio)
  const audioIndex = segments.length
  if (withAudio && input.source) {
    const { startSec, endSec } = input.range
    inputs.push('-ss', secs(startSec), '-t', secs(endSec - startSec), '-i', input.source.path)
  }

  const fade = segments.length > 1 ? Math.max(0, input.crossfadeSec) : 0
  const copyVideo = segments.length === 1 && input.fps.mode === 'result'
  const videoArgs: string[] = []
  if (copyVideo) {
    videoArgs.push('-map', '0:v:0', '-c:v', 'copy')
  } else {
    const graph: string[] = []
    segments.forEach((_, i) =>
      graph.push(`[${i}:v:0]setpts=PTS-STARTPTS,settb=AVTB,format=yuv420p[s${i}]`),
    )
    let last = 's0'
    if (segments.length > 1 && fade > 0) {
      const offsets = xfadeOffsets(
        segments.map((s) => s.durationSec),
        fade,
      )
      offsets.forEach((offset, k) => {
        const out = `x${k + 1}`
        graph.push(
          `[${last}][s${k + 1}]xfade=transition=fade:duration=${secs(fade)}:offset=${secs(offset)}[${out}]`,
        )
        last = out
      })
    } else if (segments.length > 1) {
      graph.push(
        `${segments.map((_, i) => `[s${i}]`).join('')}concat=n=${segments.length}:v=1:a=0[joined]`,
      )
      last = 'joined'
    }
    if (input.fps.mode === 'source') {
      graph.push(`[${last}]fps=${input.fps.rational}[vout]`)
    } else {
      graph.push(`[${last}]null[vout]`)
    }
    videoArgs.push(
      '-filter_complex',
      graph.join(';'),
      '-map',
      '[vout]',
      '-c:v',
      'libx264',
      '-preset',
      'medium',
      '-crf',
      '16',
      '-pix_fmt',
      'yuv420p',
    )
  }
  const audioArgs = withAudio
    ? ['-map', `${audioIndex}:a:0`, '-c:a', 'aac', '-b:a', '192k', '-shortest']
    : ['-an']
  const meta = ['-map_metadata', '-1', '-metadata', `comment=${JSON.stringify(input.metadata)}`]
  if (input.title) meta.push('-metadata', `title=${input.title}`)
  return [
    ...inputs,
    ...videoArgs,
    ...audioArgs,
    ...meta,
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    input.output,
  ]
}
