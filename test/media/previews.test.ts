import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CommandLog } from '../../src/main/media/command-log'
import { MediaService } from '../../src/main/media/media-service'
import { Tools } from '../../src/main/media/tools'
import { clips, inspect, tempDir, tileTimes } from './clips'

let dir: string
let media: MediaService
let log: CommandLog

beforeAll(async () => {
  dir = await tempDir()
  log = new CommandLog()
  media = new MediaService(
    new Tools(() => ({ ffmpegPath: null, ffprobePath: null })),
    path.join(dir, 'cache'),
    log,
  )
})
afterAll(() => fs.rm(dir, { recursive: true, force: true }))

/** Width and height of a JPEG, read by ffprobe. */
async function imageSize(file: string) {
  const o = await inspect(file)
  return [o.width, o.height]
}

describe('previews', () => {
  it('makes a poster frame and serves the cached one the second time', async () => {
    const src = await clips.basic(dir, 'poster.mp4', 2)
    const a = await media.poster(src, 0.5, 120)
    expect(await imageSize(a)).toEqual([160, 120])
    const runs = log.list().filter((r) => r.purpose === 'poster frame').length
    const b = await media.poster(src, 0.5, 120)
    expect(b).toBe(a)
    expect(log.list().filter((r) => r.purpose === 'poster frame').length).toBe(runs)
  })

  it('invalidates the cache when the file changes', async () => {
    const src = await clips.basic(dir, 'changing.mp4', 1)
    const a = await media.poster(src, 0, 60)
    await clips.basic(dir, 'changing.mp4', 2)
    // mtime resolution: make sure the identity sees a different file.
    await fs.utimes(src, new Date(), new Date(Date.now() + 5000))
    const b = await media.poster(src, 0, 60)
    expect(b).not.toBe(a)
  })

  it('builds a filmstrip of N thumbnails over a range in one image', async () => {
    const src = await clips.rotated(dir)
    const strip = await media.filmstrip(src, { startSec: 0, endSec: 1 }, 5, 64)
    expect(strip.times).toHaveLength(5)
    expect(strip.tileHeight).toBe(64)
    // Rotated 90°: portrait tiles.
    expect(strip.tileWidth).toBe(48)
    expect(await imageSize(strip.path)).toEqual([5 * 48, 64])
    const cmd = log.list().find((r) => r.purpose === 'filmstrip')
    // One seek per thumbnail before its input: never a full decode.
    expect(cmd?.commandLine.match(/-ss [\d.]+ -protocol_whitelist file -i/g)).toHaveLength(5)
  })

  describe('a long clip: keyframes only, each tile from its own slice', () => {
    const h264 = (gop: number) => ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', `${gop}`]
    const lastCommand = () =>
      log
        .list()
        .filter((r) => r.purpose === 'filmstrip')
        .at(-1)
    /** Four 10 s slices of a 40 s clip: keyframe mode, tile i is from [10 i, 10 i + 10). */
    async function strip(src: string) {
      const s = await media.filmstrip(src, { startSec: 0, endSec: 40 }, 4, 48)
      expect(s.times).toEqual([5, 15, 25, 35])
      expect(await imageSize(s.path)).toEqual([4 * 64, 48])
      return tileTimes(s.path, 4)
    }

    it('H.264 with a keyframe a second: the keyframe at or before each middle, through one list', async () => {
      const shown = await strip(await clips.timeLuma(dir, 'luma-1s.mp4', 40, h264(10)))
      // One input (the list), never a full decode.
      expect(lastCommand()?.commandLine).toMatch(/-skip_frame nokey -f concat .* -i \S+\.ffconcat/)
      expect(lastCommand()?.commandLine.match(/ -i /g)).toHaveLength(1)
      shown.forEach((t, i) => {
        expect(t).toBeGreaterThan(10 * i + 4)
        expect(t).toBeLessThan(10 * i + 5.5)
      })
    })

    it('MJPEG, every frame a keyframe: still one frame a tile, from its middle', async () => {
      const shown = await strip(
        await clips.timeLuma(dir, 'luma-intra.mov', 40, ['-c:v', 'mjpeg', '-q:v', '3']),
      )
      shown.forEach((t, i) => expect(Math.abs(t - (10 * i + 5))).toBeLessThan(0.6))
    })

    it('fewer keyframes than tiles (one every 25 s): the nearest keyframe before, no tile shifted', async () => {
      const shown = await strip(await clips.timeLuma(dir, 'luma-25s.mp4', 40, h264(250)))
      // Keyframes at 0 and 25 s: tiles at 5, 15 show 0; 25, 35 show 25.
      ;[0, 0, 25, 25].forEach((k, i) => expect(Math.abs((shown[i] ?? -1) - k)).toBeLessThan(0.6))
    })

    it('an MPEG-TS with timestamps from 11 s: one input per tile, tiles still in place', async () => {
      const src = await clips.timeLuma(dir, 'luma.ts', 40, [...h264(10), '-output_ts_offset', '10'])
      const shown = await strip(src)
      expect(lastCommand()?.commandLine.match(/ -i /g)).toHaveLength(4)
      shown.forEach((t, i) => {
        expect(t).toBeGreaterThan(10 * i + 3.9)
        expect(t).toBeLessThan(10 * i + 5.5)
      })
    })
  })

  it('asks for the same filmstrip twice at once and runs ffmpeg once', async () => {
    const src = await clips.basic(dir, 'twice.mp4', 2)
    const before = log.list().filter((r) => r.purpose === 'filmstrip').length
    const [a, b] = await Promise.all([
      media.filmstrip(src, { startSec: 0, endSec: 2 }, 4, 48),
      media.filmstrip(src, { startSec: 0, endSec: 2 }, 4, 48),
    ])
    expect(a.path).toBe(b.path)
    expect(log.list().filter((r) => r.purpose === 'filmstrip').length).toBe(before + 1)
  })

  it('plays H.264 MP4 directly and proxies what Chromium cannot play', async () => {
    const mp4 = await clips.basic(dir, 'direct.mp4', 1)
    expect(await media.playable(mp4)).toEqual({ path: mp4, proxied: false })

    for (const kind of ['hevc10bit', 'avi', 'oddDimensions'] as const) {
      const src = await clips[kind](dir)
      const p = await media.playable(src)
      expect(p.proxied).toBe(true)
      const o = await inspect(p.path)
      expect(o).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p' })
      expect(o.width % 2).toBe(0)
      const again = await media.playable(src)
      expect(again.path).toBe(p.path)
    }
  })

  it('keeps the audio in a playback proxy', async () => {
    const src = path.join(dir, 'with-audio.mkv')
    await fs.copyFile(await clips.multiAudio(dir), src)
    const p = await media.playable(src)
    expect(p.proxied).toBe(true)
    expect((await inspect(p.path)).audioStreams).toBe(1)
  })

  it('draws the waveform from the real audio: loud where the sine is, flat without audio, read once', async () => {
    const src = await clips.basic(dir, 'wave.mp4', 2)
    const peaks = await media.waveform(src, { startSec: 0, endSec: 2 }, 20)
    expect(peaks).toHaveLength(20)
    // A steady sine at a sane level: every bucket well above silence, none clipped.
    for (const p of peaks) expect(p).toBeGreaterThan(0.05)
    expect(Math.max(...peaks)).toBeLessThanOrEqual(1)
    const runs = log.list().filter((r) => r.purpose === 'waveform').length
    // Another range of the same clip: from the cached read, no new ffmpeg run.
    const half = await media.waveform(src, { startSec: 1, endSec: 2 }, 10)
    expect(half).toHaveLength(10)
    expect(log.list().filter((r) => r.purpose === 'waveform').length).toBe(runs)
    expect(await media.waveform(await clips.noAudio(dir), { startSec: 0, endSec: 1 }, 10)).toEqual(
      [],
    )
  })
})
