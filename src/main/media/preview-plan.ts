import type { ProbeResult } from '../../shared/media'

/**
 * What Chromium (and so Electron) plays, 8-bit 4:2:0 only. ffprobe names MKV and WebM alike
 * ("matroska,webm"), so the codecs decide: WebM allows only VP8/VP9/AV1 with Opus/Vorbis.
 */
const PLAYABLE = {
  mp4: { video: new Set(['h264', 'vp9', 'av1']), audio: new Set(['aac', 'mp3', 'opus', 'flac']) },
  webm: { video: new Set(['vp8', 'vp9', 'av1']), audio: new Set(['opus', 'vorbis']) },
}
const PLAYABLE_PIXEL_FORMATS = new Set(['yuv420p', 'yuvj420p'])

export function needsPlaybackProxy(
  probe: Pick<ProbeResult, 'codec' | 'pixelFormat' | 'container'> & { audio?: { codec: string }[] },
): boolean {
  const names = probe.container.split(',')
  const family =
    names.includes('mp4') || names.includes('mov')
      ? PLAYABLE.mp4
      : names.includes('webm')
        ? PLAYABLE.webm
        : null
  if (!family || !PLAYABLE_PIXEL_FORMATS.has(probe.pixelFormat) || !family.video.has(probe.codec))
    return true
  const firstAudio = probe.audio?.[0]
  return firstAudio !== undefined && !family.audio.has(firstAudio.codec)
}

/** `count` times spread evenly over [start, end): the middle of each equal slice. */
export function filmstripTimes(startSec: number, endSec: number, count: number): number[] {
  const span = Math.max(0, endSec - startSec)
  return Array.from({ length: count }, (_, i) => startSec + (span * (i + 0.5)) / count)
}

const secs = (s: number) => s.toFixed(3)

/**
 * Thumbnails this far apart (seconds) or more are taken from the keyframe at or before each time:
 * with typical keyframe intervals of 1-10 s the picture still belongs to its slice, and decoding
 * only keyframes is an order of magnitude faster on long clips. Closer spacing decodes exactly.
 */
export const KEYFRAME_THUMBNAIL_SPACING_SEC = 10

/**
 * One ffmpeg run for the whole strip: each thumbnail is its own input with `-ss` *before* `-i`, so
 * ffmpeg seeks to the nearest keyframe instead of decoding the whole file; on long ranges it decodes
 * keyframes only. The frames are scaled and stacked side by side into one JPEG.
 */
export function planFilmstrip(
  file: string,
  times: number[],
  height: number,
  output: string,
): string[] {
  const spacing = times.length > 1 ? (times[1] ?? 0) - (times[0] ?? 0) : Infinity
  const keyframesOnly = spacing >= KEYFRAME_THUMBNAIL_SPACING_SEC
  const seekFlags = keyframesOnly ? ['-skip_frame', 'nokey', '-noaccurate_seek'] : []
  const inputs = times.flatMap((t) => [...seekFlags, '-ss', secs(t), '-i', file])
  const scaled = times.map((_, i) => `[${i}:v:0]scale=-2:${height},setsar=1,format=yuvj420p[t${i}]`)
  const stack =
    times.length > 1
      ? `${times.map((_, i) => `[t${i}]`).join('')}hstack=inputs=${times.length}[out]`
      : '[t0]null[out]'
  return [
    ...inputs,
    '-filter_complex',
    [...scaled, stack].join(';'),
    '-map',
    '[out]',
    '-frames:v',
    '1',
    '-q:v',
    '4',
    '-f',
    'image2',
    output,
  ]
}

export function planPoster(file: string, atSec: number, height: number, output: string): string[] {
  return [
    '-ss',
    secs(atSec),
    '-i',
    file,
    '-map',
    '0:v:0',
    '-vf',
    `scale=-2:${height},setsar=1`,
    '-frames:v',
    '1',
    '-q:v',
    '3',
    '-f',
    'image2',
    output,
  ]
}

/** A light H.264 proxy for the player: 8-bit 4:2:0, at most 1280 px, audio kept for playback. */
export function planPlaybackProxy(file: string, output: string): string[] {
  // prettier-ignore
  return [
    '-i', file,
    '-map', '0:v:0', '-map', '0:a:0?',
    '-vf', "scale='min(1280,iw)':'min(1280,ih)':force_original_aspect_ratio=decrease:force_divisible_by=2,setsar=1,format=yuv420p",
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23',
    '-c:a', 'aac', '-b:a', '128k',
    '-movflags', '+faststart',
    '-f', 'mp4',
    output,
  ]
}
