import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readMp4Video } from './mp4-index'
import { measureVideo } from './probe'

const run = promisify(execFile)
const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg'
const FFPROBE = process.env.FFPROBE_PATH ?? 'ffprobe'

let dir: string
const at = (name: string) => path.join(dir, name)

async function ffmpeg(...args: string[]): Promise<void> {
  await run(FFMPEG, ['-v', 'error', '-y', ...args])
}

const src = (size: string, rate: string | number, seconds: number) => [
  '-f',
  'lavfi',
  '-i',
  `testsrc=size=${size}:rate=${rate}:duration=${seconds}`,
]
const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p']
const x264b = ['-c:v', 'libx264', '-preset', 'medium', '-bf', '3', '-pix_fmt', 'yuv420p']

/** Files of the shape this app and fal write: read in process, and exactly as ffprobe counts. */
const plain: Record<string, () => Promise<void>> = {
  'audio.mp4': () =>
    ffmpeg(
      ...src('320x240', 25, 2),
      '-f',
      'lavfi',
      '-i',
      'sine=d=2',
      ...x264,
      '-shortest',
      at('audio.mp4'),
    ),
  'bframes.mp4': () => ffmpeg(...src('320x240', 25, 2), ...x264b, at('bframes.mp4')),
  'faststart.mp4': () =>
    ffmpeg(
      ...src('320x240', 25, 2),
      ...x264b,
      '-an',
      '-movflags',
      '+faststart',
      at('faststart.mp4'),
    ),
  'ntsc.mp4': () => ffmpeg(...src('320x240', '30000/1001', 2), ...x264b, at('ntsc.mp4')),
  'hevc.mp4': () =>
    ffmpeg(
      ...src('320x240', 24, 1),
      ...['-c:v', 'libx265', '-preset', 'ultrafast', '-tag:v', 'hvc1'],
      ...['-x265-params', 'log-level=error', at('hevc.mp4')],
    ),
  'mjpeg.mp4': () => ffmpeg(...src('160x120', 10, 2), '-c:v', 'mjpeg', at('mjpeg.mp4')),
  'clip.mov': () => ffmpeg(...src('320x240', 25, 2), ...x264, at('clip.mov')),
  'two-frames.mp4': () =>
    ffmpeg(...src('320x240', 25, 2), ...x264, '-frames:v', '2', at('two-frames.mp4')),
  'rotated.mp4': () =>
    ffmpeg(
      '-i',
      at('bframes.mp4'),
      '-c',
      'copy',
      '-metadata:s:v:0',
      'rotate=90',
      at('rotated.mp4'),
    ),
  'starts-late.mp4': () =>
    ffmpeg('-itsoffset', '1', '-i', at('bframes.mp4'), '-c', 'copy', at('starts-late.mp4')),
}

/** Shapes left to ffprobe: null here, whatever ffprobe then finds. */
const others: Record<string, () => Promise<void>> = {
  'fragmented.mp4': () =>
    ffmpeg(
      ...['-i', at('bframes.mp4'), '-c', 'copy'],
      ...['-movflags', 'frag_keyframe+empty_moov', at('fragmented.mp4')],
    ),
  'vfr.mp4': () =>
    ffmpeg(
      ...src('320x240', 30, 2),
      ...['-vf', "select='not(eq(mod(n,3),2))'", '-fps_mode', 'vfr', ...x264, at('vfr.mp4')],
    ),
  // Cut between keyframes: an edit list hides the first frames, which ffprobe still counts.
  'edited.mp4': () => ffmpeg('-ss', '0.5', '-i', at('bframes.mp4'), '-c', 'copy', at('edited.mp4')),
  'two-videos.mp4': () =>
    ffmpeg(
      ...['-i', at('audio.mp4'), '-i', at('bframes.mp4')],
      ...['-map', '0:v', '-map', '1:v', '-c', 'copy', at('two-videos.mp4')],
    ),
  'clip.mkv': () => ffmpeg(...src('320x240', 25, 1), ...x264, at('clip.mkv')),
  'clip.ts': () => ffmpeg(...src('320x240', 25, 1), ...x264, at('clip.ts')),
  'empty.mp4': () => fs.writeFile(at('empty.mp4'), ''),
  'text.mp4': () => fs.writeFile(at('text.mp4'), 'not a video\n'.repeat(40)),
  // Index at the end, tail cut off: no index at all.
  'tail-cut.mp4': async () => {
    const whole = await fs.readFile(at('bframes.mp4'))
    await fs.writeFile(at('tail-cut.mp4'), whole.subarray(0, whole.length / 2))
  },
  // Index first, media cut off half way: the index lists frames the file no longer holds.
  'media-cut.mp4': async () => {
    const whole = await fs.readFile(at('faststart.mp4'))
    await fs.writeFile(at('media-cut.mp4'), whole.subarray(0, Math.floor(whole.length * 0.6)))
  },
  // The index points a chunk past the end of the file, while the file's boxes all add up.
  'bad-offset.mp4': async () => {
    const whole = await fs.readFile(at('faststart.mp4'))
    const stco = whole.indexOf('stco')
    expect(stco).toBeGreaterThan(0)
    // stco: size, type, version+flags, count, then the offsets; move the last one.
    const count = whole.readUInt32BE(stco + 8)
    whole.writeUInt32BE(whole.length + 1000, stco + 12 + (count - 1) * 4)
    await fs.writeFile(at('bad-offset.mp4'), whole)
  },
  // fal's result is untrusted. One size for every sample and a count of four billion.
  'forged-count.mp4': async () => {
    const whole = await fs.readFile(at('faststart.mp4'))
    const stsz = whole.indexOf('stsz')
    whole.writeUInt32BE(1, stsz + 8)
    whole.writeUInt32BE(0xffffffff, stsz + 12)
    await fs.writeFile(at('forged-count.mp4'), whole)
  },
  // Thousands of empty boxes after the movie: valid, but not walked here.
  'many-boxes.mp4': async () => {
    const free = Buffer.alloc(8 * 5000)
    for (let i = 0; i < 5000; i++) {
      free.writeUInt32BE(8, i * 8)
      free.write('free', i * 8 + 4, 'latin1')
    }
    await fs.writeFile(
      at('many-boxes.mp4'),
      Buffer.concat([await fs.readFile(at('faststart.mp4')), free]),
    )
  },
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-mp4-index-'))
  for (const make of [...Object.values(plain), ...Object.values(others)]) await make()
}, 120_000)

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

describe('readMp4Video', () => {
  it.each(Object.keys(plain))(
    '%s: the same frames, size, length and rate as ffprobe',
    async (name) => {
      const fromIndex = await readMp4Video(at(name))
      expect(fromIndex).not.toBeNull()
      expect(fromIndex).toEqual(await measureVideo(FFPROBE, at(name)))
      expect(fromIndex?.frames).toBeGreaterThan(0)
    },
  )

  it('counts the frames a cut-short encode really wrote, not the range asked for', async () => {
    expect((await readMp4Video(at('two-frames.mp4')))?.frames).toBe(2)
  })

  it.each(Object.keys(others))('%s: left to ffprobe', async (name) => {
    expect(await readMp4Video(at(name))).toBeNull()
  })

  it('never counts frames a cut-off file has lost: ffprobe, asked instead, finds fewer', async () => {
    const whole = await readMp4Video(at('faststart.mp4'))
    const cut = await measureVideo(FFPROBE, at('media-cut.mp4'))
    expect(cut.frames).toBeLessThan(whole?.frames ?? 0)
  })

  it('a file that is not there is left to ffprobe, which says so', async () => {
    expect(await readMp4Video(at('missing.mp4'))).toBeNull()
  })
})
