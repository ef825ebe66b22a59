import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { probeFile } from '../../src/main/media/probe'
import { clips, FFPROBE, tempDir } from './clips'

let dir: string
beforeAll(async () => {
  dir = await tempDir()
})
afterAll(() => fs.rm(dir, { recursive: true, force: true }))

const probe = (file: string) => probeFile(FFPROBE, file)

describe('probe on every kind of clip', () => {
  it('reads rotation and reports the displayed size', async () => {
    const p = await probe(await clips.rotated(dir))
    expect([p.codedWidth, p.codedHeight]).toEqual([320, 240])
    expect([p.width, p.height]).toEqual([240, 320])
    expect([90, 270]).toContain(p.rotation)
  })

  it('flags a variable frame rate and keeps nominal and average apart', async () => {
    const p = await probe(await clips.variableFrameRate(dir))
    expect(p.variableFrameRate).toBe(true)
    expect(p.fpsNominal).toBe(30)
    expect(p.fpsAverage).toBeLessThan(25)
    expect(p.frameCount).toBe(40)
  })

  it('reads odd dimensions as they are', async () => {
    const p = await probe(await clips.oddDimensions(dir))
    expect([p.width, p.height, p.pixelFormat]).toEqual([321, 243, 'yuv444p'])
  })

  it('reads HEVC 10-bit', async () => {
    const p = await probe(await clips.hevc10bit(dir))
    expect([p.codec, p.pixelFormat, p.bitDepth, p.fpsNominal]).toEqual([
      'hevc',
      'yuv420p10le',
      10,
      24,
    ])
  })

  it('lists several audio tracks with their languages, and none for a silent clip', async () => {
    const p = await probe(await clips.multiAudio(dir))
    expect(p.audio.map((a) => [a.codec, a.language, a.sampleRate])).toEqual([
      ['aac', 'eng', 48000],
      ['aac', 'deu', 48000],
    ])
    expect((await probe(await clips.noAudio(dir))).audio).toEqual([])
  })

  it('reports a non-zero start time and the video stream duration', async () => {
    const p = await probe(await clips.nonZeroStart(dir))
    expect(p.startTimeSec).toBeGreaterThan(1)
    expect(p.durationSec).toBeCloseTo(2, 1)
    expect(p.container).toBe('mpegts')
  })

  it('reads names with spaces and non-ASCII letters', async () => {
    const file = await clips.unicodeName(dir)
    const p = await probe(file)
    expect(p.path).toBe(file)
    expect(p.durationSec).toBe(1)
  })

  it('reads AVI (MPEG-4 Part 2), animated GIF and 4K60', async () => {
    expect(await probe(await clips.avi(dir))).toMatchObject({
      codec: 'mpeg4',
      container: 'avi',
      frameCount: 25,
    })
    expect(await probe(await clips.gif(dir))).toMatchObject({
      codec: 'gif',
      width: 160,
      height: 120,
      fpsNominal: 10,
    })
    expect(await probe(await clips.uhd60(dir))).toMatchObject({
      width: 3840,
      height: 2160,
      fpsNominal: 60,
      frameCount: 60,
    })
  })

  it.each([
    ['empty', /empty/],
    [
      'text',
      /: not a video file, or one too damaged to read\. Check that it plays in another player/,
    ],
    ['truncated', /: the file is cut off: its index is missing/],
    ['audioOnly', /audio only/],
  ] as const)('names the file and the reason for a %s file', async (kind, reason) => {
    const file = await clips[kind](dir)
    await expect(probe(file)).rejects.toMatchObject({
      code: 'invalid-input',
      file,
      message: expect.stringMatching(reason),
    })
    await expect(probe(file)).rejects.toThrow(path.basename(file))
  })

  it('kills an ffprobe that hangs and says so', async () => {
    const hang = path.join(dir, 'hanging-ffprobe')
    await fs.writeFile(hang, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 })
    const file = await clips.basic(dir, 'hang.mp4', 1)
    const started = Date.now()
    await expect(probeFile(hang, file, { timeoutMs: 300 })).rejects.toMatchObject({
      code: 'timeout',
      file,
    })
    // Returned promptly: the child was killed, not waited for.
    expect(Date.now() - started).toBeLessThan(10_000)
  })
})
