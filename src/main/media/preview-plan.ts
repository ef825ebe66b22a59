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
 * Containers whose index lets a seek land straight on a keyframe (MP4/MOV, Matroska/WebM): the
 * filmstrip reads them through one concat list. Others (MPEG-TS, raw streams) seek by searching
 * and keep one input per thumbnail.
 */
const INDEXED_CONTAINERS = new Set(['mov', 'mp4', 'matroska', 'webm'])

/** Timestamp spacing between the list's entries: far more than any keyframe interval. */
const ENTRY_SPACING_SEC = 100_000

/**
 * The environment the filmstrip's ffmpeg gets on Linux. Each list entry opens the file anew and
 * frees its decoder's multi-megabyte frame buffers; glibc hands such blocks back to the kernel
 * (mmap/munmap, heap trimming), so every entry pays again to map and zero fresh pages. Keeping them
 * in the heap (no mmap below 32 MB, no trim below 256 MB) halved the filmstrip's CPU time on the
 * bench machine (a 2-core VM). Other C libraries ignore the variable.
 */
export const FILMSTRIP_LINUX_ENV = {
  GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456',
}

export interface FilmstripPlan {
  args: string[]
  /** A concat list to write to `listFile` before running, or null when the plan needs none. */
  list: string | null
}

export interface FilmstripSource {
  file: string
  /** ffprobe's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  container: string
  /** The file's first timestamp: concat list in/out points are in file time, not clip time. */
  startTimeSec: number
}

/** A path as a concat list's quoted string; null when a line break makes it unwritable there. */
export function concatQuoted(file: string): string | null {
  if (/[\r\n]/.test(file)) return null
  return `'${file.replaceAll("'", "'\\''")}'`
}

/**
 * One ffmpeg run for the whole strip, never a full decode.
 *
 * - Far-apart thumbnails in an indexed container: one concat list naming the file once per
 *   thumbnail, each entry from the slice's middle to 1 ms after it. Each entry seeks to the keyframe
 *   at or before that time and only keyframes are decoded, so each yields that one keyframe; one
 *   decoder serves them all, opened files are closed before the next (about half the CPU of one
 *   input per thumbnail). Entries are ENTRY_SPACING_SEC apart in the output's timestamps and `fps`
 *   takes one frame per entry: a stray second keyframe is dropped, an entry without a frame repeats
 *   its neighbour, so tiles never shift. A last, repeated entry lets `fps` flush the real last one.
 * - Otherwise each thumbnail is its own input with `-ss` before `-i` (keyframes only when far
 *   apart, exact frames when close).
 *
 * Either way each tile is the frame at (or, far apart, the keyframe at or before) its time, scaled
 * and laid side by side into one JPEG.
 */
export function planFilmstrip(
  source: FilmstripSource,
  times: number[],
  height: number,
  output: string,
  listFile: string,
): FilmstripPlan {
  const spacing = times.length > 1 ? (times[1] ?? 0) - (times[0] ?? 0) : Infinity
  const keyframesOnly = spacing >= KEYFRAME_THUMBNAIL_SPACING_SEC
  const quoted = concatQuoted(source.file)
  const indexed = source.container.split(',').some((n) => INDEXED_CONTAINERS.has(n))
  const encode = ['-frames:v', '1', '-q:v', '4', '-f', 'image2', output]
  if (keyframesOnly && indexed && quoted !== null && times.length > 0) {
    const entry = (t: number) => {
      const at = source.startTimeSec + t
      return `file ${quoted}\ninpoint ${at.toFixed(6)}\noutpoint ${(at + 0.001).toFixed(6)}\nduration ${ENTRY_SPACING_SEC}\n`
    }
    const list = ['ffconcat version 1.0\n', ...times.map(entry), entry(times.at(-1) ?? 0)].join('')
    return {
      list,
      // prettier-ignore
      args: [
        '-threads', '1', '-skip_frame', 'nokey',
        '-f', 'concat', '-safe', '0', '-i', listFile,
        '-map', '0:v:0',
        '-vf', `fps=fps=1/${ENTRY_SPACING_SEC}:start_time=0,scale=-2:${height},setsar=1,format=yuvj420p,tile=${times.length}x1`,
        ...encode,
      ],
    }
  }
  const seekFlags = keyframesOnly ? ['-skip_frame', 'nokey', '-noaccurate_seek'] : []
  const inputs = times.flatMap((t) => [...seekFlags, '-ss', secs(t), '-i', source.file])
  const scaled = times.map((_, i) => `[${i}:v:0]scale=-2:${height},setsar=1,format=yuvj420p[t${i}]`)
  const stack =
    times.length > 1
      ? `${times.map((_, i) => `[t${i}]`).join('')}hstack=inputs=${times.length}[out]`
      : '[t0]null[out]'
  return {
    list: null,
    args: [...inputs, '-filter_complex', [...scaled, stack].join(';'), '-map', '[out]', ...encode],
  }
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
