import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CommandLog } from '../../src/main/media/command-log'
import { MediaService } from '../../src/main/media/media-service'
import { Tools } from '../../src/main/media/tools'
import type { MediaProgress } from '../../src/shared/media'
import { clips, framePsnr, inspect, tempDir } from './clips'

let dir: string
let media: MediaService

beforeAll(async () => {
  dir = await tempDir()
  media = new MediaService(
    new Tools(() => ({ ffmpegPath: null, ffprobePath: null })),
    path.join(dir, 'cache'),
    new CommandLog(),
  )
})
afterAll(() => fs.rm(dir, { recursive: true, force: true }))

const out = (name: string) => path.join(dir, `${name}.prepared.mp4`)

describe('prepare: the file that is uploaded', () => {
  it('trims frame-accurately off a keyframe: the first frame is the source frame at start', async () => {
    const src = await clips.basic(dir, 'accurate.mp4', 4)
    // Keyframes every 25 frames (1 s); 1.48 s is frame 37, far from one.
    const { facts } = await media.prepare(
      src,
      { startSec: 1.48, endSec: 2.48 },
      { maxSide: 'original' },
      out('accurate'),
    )
    expect(facts.frameCount).toBe(25)
    const right = await framePsnr(out('accurate'), 0, src, 1.48, '320x240')
    const previous = await framePsnr(out('accurate'), 0, src, 1.44, '320x240')
    const next = await framePsnr(out('accurate'), 0, src, 1.52, '320x240')
    expect(right).toBeGreaterThan(previous + 3)
    expect(right).toBeGreaterThan(next + 3)
    const o = await inspect(out('accurate'))
    expect(o.frames).toBe(25)
    expect(Math.abs(o.durationSec - 1)).toBeLessThanOrEqual(1 / 25)
    expect(o.audioStreams).toBe(0)
  })

  it('is accurate on a transport stream with a non-zero start time too', async () => {
    const src = await clips.nonZeroStart(dir)
    await media.prepare(src, { startSec: 0.6, endSec: 1.6 }, { maxSide: 'original' }, out('ts'))
    const o = await inspect(out('ts'))
    expect(o.frames).toBe(25)
    const right = await framePsnr(out('ts'), 0, src, 0.6, '320x240')
    const next = await framePsnr(out('ts'), 0, src, 0.64, '320x240')
    expect(right).toBeGreaterThan(next + 3)
  })

  it('applies rotation: a portrait phone clip comes out portrait with no rotation flag', async () => {
    const src = await clips.rotated(dir)
    const { facts } = await media.prepare(src, { startSec: 0 }, { maxSide: 768 }, out('rotated'))
    const o = await inspect(out('rotated'))
    expect([o.width, o.height]).toEqual([240, 320])
    expect([facts.width, facts.height]).toEqual([240, 320])
    expect(o.rotation).toBe(0)
  })

  it('makes a variable frame rate constant at the nominal rate', async () => {
    const src = await clips.variableFrameRate(dir)
    const probe = await media.probe(src)
    expect(probe.variableFrameRate).toBe(true)
    await media.prepare(src, { startSec: 0, endSec: 1 }, { maxSide: 768 }, out('vfr'))
    const o = await inspect(out('vfr'))
    expect(o.fps).toBe(30)
    expect(o.avgFps).toBeCloseTo(30, 3)
    expect(o.frames).toBe(30)
  })

  it.each([
    ['oddDimensions', 320, 242],
    ['hevc10bit', 320, 240],
    ['avi', 320, 240],
    ['gif', 160, 120],
    ['multiAudio', 320, 240],
  ] as const)('turns %s into even-sized 8-bit H.264 without audio', async (kind, w, h) => {
    const src = await clips[kind](dir)
    await media.prepare(src, { startSec: 0 }, { maxSide: 768 }, out(kind))
    const o = await inspect(out(kind))
    expect(o).toMatchObject({
      codec: 'h264',
      pixFmt: 'yuv420p',
      width: w,
      height: h,
      audioStreams: 0,
    })
    expect((o.width % 2) + (o.height % 2)).toBe(0)
  })

  it('scales 4K60 so the longer side fits, keeping 60 fps', async () => {
    const src = await clips.uhd60(dir)
    const { facts } = await media.prepare(
      src,
      { startSec: 0.25, endSec: 0.75 },
      { maxSide: 768 },
      out('uhd'),
    )
    const o = await inspect(out('uhd'))
    expect([o.width, o.height, o.fps, o.frames]).toEqual([768, 432, 60, 30])
    expect(facts.frameCount).toBe(30)
  })

  it('handles spaces and non-ASCII letters in names, and records a copyable command line', async () => {
    const src = await clips.unicodeName(dir)
    const target = path.join(dir, 'Résultat 東京.mp4')
    await media.prepare(src, { startSec: 0 }, { maxSide: 768 }, target)
    expect((await inspect(target)).frames).toBe(25)
    // The count of what it wrote reads the MP4's index in process: no command after the prepare.
    const line = media.log.list().at(-1)
    expect(line?.purpose).toBe('prepare for upload')
    expect(line?.outcome).toBe('ok')
    expect(line?.commandLine).toContain(`'${src}'`)
  })

  it('reports progress that ends at 100%', async () => {
    const src = await clips.basic(dir, 'progress.mp4', 3)
    const seen: MediaProgress[] = []
    await media.prepare(src, { startSec: 0 }, { maxSide: 'original' }, out('progress'), {
      onProgress: (p) => seen.push(p),
    })
    expect(seen.length).toBeGreaterThan(0)
    expect(seen.at(-1)?.fraction).toBe(1)
    const fractions = seen.map((p) => p.fraction)
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b))
  })

  it('cancels: ffmpeg is killed, no partial file is left, the target does not appear', async () => {
    const src = await clips.basic(dir, 'long.mp4', 60)
    const controller = new AbortController()
    const target = out('cancelled')
    const run = media.prepare(src, { startSec: 0 }, { maxSide: 'original' }, target, {
      signal: controller.signal,
      onProgress: () => controller.abort(),
    })
    await expect(run).rejects.toMatchObject({ code: 'cancelled' })
    const left = (await fs.readdir(dir)).filter((f) => f.includes('cancelled'))
    expect(left).toEqual([])
    expect(media.log.list().at(-1)?.outcome).toBe('cancelled')
  })

  it('refuses to write over its source and names bad ranges', async () => {
    const src = await clips.basic(dir, 'self.mp4', 1)
    const before = await fs.readFile(src)
    await expect(media.prepare(src, { startSec: 0 }, { maxSide: 768 }, src)).rejects.toMatchObject({
      code: 'invalid-params',
      field: 'out',
    })
    await expect(
      media.prepare(src, { startSec: 5 }, { maxSide: 768 }, out('late')),
    ).rejects.toMatchObject({ field: 'start' })
    expect(Buffer.compare(before, await fs.readFile(src))).toBe(0)
  })

  it.each(['empty', 'text', 'truncated', 'audioOnly'] as const)(
    'rejects a %s input with a message naming the file',
    async (kind) => {
      const src = await clips[kind](dir)
      await expect(
        media.prepare(src, { startSec: 0 }, { maxSide: 768 }, out(`bad-${kind}`)),
      ).rejects.toMatchObject({
        code: 'invalid-input',
        file: src,
        message: expect.stringContaining(path.basename(src)),
      })
    },
  )
})
