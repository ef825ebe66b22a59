import { execFile } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
export const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg'
export const FFPROBE = process.env.FFPROBE_PATH ?? 'ffprobe'

/** Runs ffmpeg quietly; throws with its stderr when it fails. */
export async function ffmpeg(args: string[]): Promise<void> {
  await run(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], {
    maxBuffer: 16 * 1024 * 1024,
  })
}

export async function tempDir(prefix = 'reanimate-test-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix))
}

const video = (size: string, rate: number | string, seconds: number) => [
  '-f',
  'lavfi',
  '-i',
  `testsrc2=size=${size}:rate=${rate}:duration=${seconds}`,
]
const tone = (seconds: number, freq = 440) => [
  '-f',
  'lavfi',
  '-i',
  `sine=frequency=${freq}:sample_rate=48000:duration=${seconds}`,
]
const h264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p']

/**
 * Every kind of clip the media tests need, made from ffmpeg's lavfi sources (no binary fixtures).
 * Each returns the file's path inside `dir`.
 */
export const clips = {
  /**
   * `count` distinct 0.2 s 64x48 clips (noise makes every frame differ) from one ffmpeg run, named
   * by `pattern` (an ffmpeg segment pattern such as `c%04d.mp4`): a big folder in seconds.
   */
  async many(dir: string, count: number, pattern: string): Promise<void> {
    await fs.mkdir(dir, { recursive: true })
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      `testsrc=size=64x48:rate=10:duration=${(count * 0.2).toFixed(1)},noise=alls=60:allf=t`,
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-force_key_frames',
      'expr:gte(t,n_forced*0.2)',
      '-f',
      'segment',
      '-segment_time',
      '0.2',
      '-reset_timestamps',
      '1',
      path.join(dir, pattern),
    ])
  },
  /** 2 s 320x240 25 fps H.264 + AAC stereo, keyframe every 25 frames. */
  async basic(dir: string, name = 'basic.mp4', seconds = 2): Promise<string> {
    const out = path.join(dir, name)
    await ffmpeg([
      ...video('320x240', 25, seconds),
      ...tone(seconds),
      ...h264,
      '-g',
      '25',
      '-c:a',
      'aac',
      '-ac',
      '2',
      '-shortest',
      out,
    ])
    return out
  },
  /** 320x240 stored, tagged as rotated 90° (a portrait phone clip). */
  async rotated(dir: string): Promise<string> {
    const plain = path.join(dir, 'rot-src.mp4')
    await ffmpeg([...video('320x240', 30, 1), ...h264, plain])
    const out = path.join(dir, 'rotated.mp4')
    // ffmpeg 5.1 turns the legacy rotate tag into a display matrix (6.0 has -display_rotation).
    await ffmpeg(['-i', plain, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', out])
    return out
  },
  /** Frames at irregular intervals: nominally 30 fps, average lower. */
  async variableFrameRate(dir: string): Promise<string> {
    const out = path.join(dir, 'vfr.mp4')
    // Drop every third frame of a 30 fps source and keep the timestamps: gaps make it VFR.
    await ffmpeg([
      ...video('320x240', 30, 2),
      '-vf',
      "select='not(eq(mod(n,3),2))'",
      '-fps_mode',
      'vfr',
      ...h264,
      out,
    ])
    return out
  },
  async oddDimensions(dir: string): Promise<string> {
    const out = path.join(dir, 'odd.mkv')
    await ffmpeg([
      ...video('320x240', 25, 1),
      '-vf',
      'scale=321:243',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv444p',
      out,
    ])
    return out
  },
  async hevc10bit(dir: string): Promise<string> {
    const out = path.join(dir, 'hevc10.mp4')
    await ffmpeg([
      ...video('320x240', 24, 1),
      '-c:v',
      'libx265',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p10le',
      '-tag:v',
      'hvc1',
      '-x265-params',
      'log-level=error',
      out,
    ])
    return out
  },
  async multiAudio(dir: string): Promise<string> {
    const out = path.join(dir, 'two-audio.mkv')
    await ffmpeg([
      ...video('320x240', 25, 1),
      ...tone(1, 440),
      ...tone(1, 880),
      '-map',
      '0',
      '-map',
      '1',
      '-map',
      '2',
      ...h264,
      '-c:a',
      'aac',
      '-metadata:s:a:0',
      'language=eng',
      '-metadata:s:a:1',
      'language=deu',
      out,
    ])
    return out
  },
  async noAudio(dir: string): Promise<string> {
    const out = path.join(dir, 'silent.mp4')
    await ffmpeg([...video('320x240', 25, 1), ...h264, out])
    return out
  },
  /** An MPEG transport stream: timestamps start past 11 s, as camcorder and broadcast files do. */
  async nonZeroStart(dir: string): Promise<string> {
    const out = path.join(dir, 'offset.ts')
    await ffmpeg([
      ...video('320x240', 25, 2),
      ...tone(2),
      ...h264,
      '-c:a',
      'aac',
      '-output_ts_offset',
      '10',
      '-shortest',
      out,
    ])
    return out
  },
  async unicodeName(dir: string): Promise<string> {
    return clips.basic(dir, 'Mi vídeo ünïcödé 東京.mp4', 1)
  },
  async avi(dir: string): Promise<string> {
    const out = path.join(dir, 'legacy.avi')
    await ffmpeg([...video('320x240', 25, 1), '-c:v', 'mpeg4', '-q:v', '5', out])
    return out
  },
  async gif(dir: string): Promise<string> {
    const out = path.join(dir, 'anim.gif')
    await ffmpeg([...video('160x120', 10, 1), out])
    return out
  },
  /** 4K at 60 fps, short. */
  async uhd60(dir: string, seconds = 1): Promise<string> {
    const out = path.join(dir, 'uhd60.mp4')
    await ffmpeg([...video('3840x2160', 60, seconds), ...h264, '-g', '60', out])
    return out
  },
  /**
   * A clip whose brightness tells its time: luma 16 + 5 per second (limited range), 10 fps, no
   * other detail. `codec` picks the encoding, e.g. H.264 with a keyframe every `-g` frames, or MJPEG
   * (every frame a keyframe).
   */
  async timeLuma(dir: string, name: string, seconds: number, codec: string[]): Promise<string> {
    const out = path.join(dir, name)
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      `color=c=black:s=160x120:r=10:d=${seconds},geq=lum='16+5*T':cb=128:cr=128`,
      ...tone(seconds),
      ...codec,
      '-c:a',
      'aac',
      '-shortest',
      out,
    ])
    return out
  },
  async empty(dir: string): Promise<string> {
    const out = path.join(dir, 'empty.mp4')
    await fs.writeFile(out, '')
    return out
  },
  async text(dir: string): Promise<string> {
    const out = path.join(dir, 'notes.mp4')
    await fs.writeFile(out, 'this is not a video\n'.repeat(50))
    return out
  },
  async truncated(dir: string): Promise<string> {
    const src = await clips.basic(dir, 'whole.mp4')
    const data = await fs.readFile(src)
    const out = path.join(dir, 'truncated.mp4')
    // Without faststart the moov atom is at the end: cutting the tail leaves no index.
    await fs.writeFile(out, data.subarray(0, Math.floor(data.length / 2)))
    return out
  },
  async audioOnly(dir: string): Promise<string> {
    const out = path.join(dir, 'voice.m4a')
    await ffmpeg([...tone(1), '-c:a', 'aac', out])
    return out
  },
}

export interface StreamFacts {
  width: number
  height: number
  fps: number
  avgFps: number
  frames: number
  durationSec: number
  codec: string
  pixFmt: string
  audioStreams: number
  rotation: number
  tags: Record<string, string>
}

/** Independent check of an output with ffprobe, counting frames by decoding (not trusting headers). */
export async function inspect(file: string): Promise<StreamFacts> {
  const { stdout } = await run(
    FFPROBE,
    [
      '-v',
      'error',
      '-count_frames',
      '-print_format',
      'json',
      '-show_streams',
      '-show_format',
      file,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  )
  const json = JSON.parse(stdout) as {
    streams: {
      codec_type: string
      codec_name: string
      width: number
      height: number
      r_frame_rate: string
      avg_frame_rate: string
      nb_read_frames?: string
      pix_fmt: string
      side_data_list?: { rotation?: number }[]
    }[]
    format: { duration: string; tags?: Record<string, string> }
  }
  const v = json.streams.find((s) => s.codec_type === 'video')
  if (!v) throw new Error(`${file}: no video stream`)
  const rate = (r: string) => {
    const [n, d] = r.split('/').map(Number)
    return d ? (n ?? 0) / d : (n ?? 0)
  }
  return {
    width: v.width,
    height: v.height,
    fps: rate(v.r_frame_rate),
    avgFps: rate(v.avg_frame_rate),
    frames: Number(v.nb_read_frames ?? 0),
    durationSec: Number(json.format.duration),
    codec: v.codec_name,
    pixFmt: v.pix_fmt,
    audioStreams: json.streams.filter((s) => s.codec_type === 'audio').length,
    rotation: v.side_data_list?.find((s) => typeof s.rotation === 'number')?.rotation ?? 0,
    tags: json.format.tags ?? {},
  }
}

/**
 * Similarity of frame `aSec` of `a` and frame `bSec` of `b` (PSNR in dB, higher = more alike),
 * both scaled to `size`. Frames are picked by decoding from the start, so this is the reference.
 */
export async function framePsnr(
  a: string,
  aSec: number,
  b: string,
  bSec: number,
  size: string,
): Promise<number> {
  const { stderr } = await run(
    FFMPEG,
    // prettier-ignore
    [
      '-hide_banner', '-nostdin',
      '-i', a, '-i', b,
      '-filter_complex',
      `[0:v]trim=start=${aSec},setpts=PTS-STARTPTS,scale=${size},format=yuv420p[a];[1:v]trim=start=${bSec},setpts=PTS-STARTPTS,scale=${size},format=yuv420p[b];[a][b]psnr`,
      '-frames:v', '1', '-f', 'null', '-',
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  )
  const m = /average:(\S+)/.exec(stderr)
  if (!m) throw new Error(`no PSNR in ffmpeg output: ${stderr.slice(-500)}`)
  return m[1] === 'inf' ? Infinity : Number(m[1])
}

/** The time (seconds) each of `count` side-by-side tiles of a timeLuma clip's filmstrip shows. */
export async function tileTimes(image: string, count: number): Promise<number[]> {
  const { stdout } = await run(
    FFMPEG,
    // prettier-ignore
    ['-hide_banner', '-v', 'error', '-i', image, '-vf', 'format=gray', '-f', 'rawvideo', '-'],
    { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 },
  )
  const { width, height } = await inspect(image)
  const tile = Math.floor(width / count)
  return Array.from({ length: count }, (_, i) => {
    let sum = 0
    // The middle half of each tile, away from the edges JPEG blurs into the neighbours.
    const x0 = i * tile + Math.floor(tile / 4)
    const x1 = (i + 1) * tile - Math.floor(tile / 4)
    for (let y = 0; y < height; y++) for (let x = x0; x < x1; x++) sum += stdout[y * width + x] ?? 0
    const gray = sum / ((x1 - x0) * height)
    // JPEG gray is full range: back to limited-range luma above 16, 5 a second.
    return (gray * 219) / 255 / 5
  })
}
