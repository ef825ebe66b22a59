import { execFile } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { CommandLog } from '../src/main/media/command-log'
import { MediaService } from '../src/main/media/media-service'
import { Tools } from '../src/main/media/tools'
import { DEFAULT_PREPARE_MAX_SIDE } from '../src/shared/media'
import { ffmpeg, FFMPEG, inspect } from '../test/media/clips'
import { benchDir, report } from './report'
import { recordBench } from './results'

const run = promisify(execFile)

/** Generated media is kept in .tmp/bench between runs; only the measured work is timed. */
async function ensure(file: string, make: () => Promise<void>): Promise<string> {
  try {
    await fs.access(file)
  } catch {
    await make()
  }
  return file
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now()
  const value = await fn()
  return [value, (performance.now() - t0) / 1000]
}

describe('media benchmarks', () => {
  it('prepare a 4K60 clip', async () => {
    const dir = await benchDir()
    const seconds = 5
    const src = await ensure(path.join(dir, 'uhd60-5s.mp4'), () =>
      ffmpeg([
        '-f',
        'lavfi',
        '-i',
        `testsrc2=size=3840x2160:rate=60:duration=${seconds}`,
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-crf',
        '20',
        '-g',
        '60',
        '-pix_fmt',
        'yuv420p',
        path.join(dir, 'uhd60-5s.mp4'),
      ]),
    )
    const media = new MediaService(
      new Tools(() => ({ ffmpegPath: null, ffprobePath: null })),
      path.join(dir, 'cache'),
      new CommandLog(),
    )
    const out = path.join(dir, 'uhd60-prepared.mp4')
    const [, sec] = await timed(() =>
      media.prepare(src, { startSec: 0 }, { maxSide: DEFAULT_PREPARE_MAX_SIDE }, out),
    )
    const [srcSize, outSize] = await Promise.all([fs.stat(src), fs.stat(out)])
    const o = await inspect(out)
    expect(o.frames).toBe(seconds * 60)
    report('prepare 4K60 → 768 px H.264', [
      ['clip', `${seconds} s 3840x2160 60 fps, ${(srcSize.size / 1e6).toFixed(1)} MB`],
      ['wall time', `${sec.toFixed(2)} s`],
      ['speed', `${(seconds / sec).toFixed(2)}x real time`],
      ['prepared', `${o.width}x${o.height} ${o.fps} fps, ${(outSize.size / 1e6).toFixed(2)} MB`],
      ['bytes prepared / source', `${((outSize.size / srcSize.size) * 100).toFixed(1)} %`],
    ])
  })

  it('filmstrip of 20 thumbnails on a 10-minute 1080p clip vs decoding every frame', async () => {
    const dir = await benchDir()
    /**
     * A real 10-minute 1080p30 file in seconds: a 30 s piece stream-copied 20 times. `gopSec` is the
     * keyframe interval: phones and cameras write 0.5-2 s, x264's default (250 frames) is 8.3 s.
     */
    const tenMinutes = async (gopSec: number) => {
      const piece = await ensure(path.join(dir, `1080p-30s-gop${gopSec}.mp4`), () =>
        // prettier-ignore
        ffmpeg([
          '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30:duration=30',
          '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '26', '-g', `${Math.round(gopSec * 30)}`,
          '-pix_fmt', 'yuv420p', path.join(dir, `1080p-30s-gop${gopSec}.mp4`),
        ]),
      )
      const file = path.join(dir, `1080p-10min-gop${gopSec}.mp4`)
      return ensure(file, () => ffmpeg(['-stream_loop', '19', '-i', piece, '-c', 'copy', file]))
    }
    const media = new MediaService(
      new Tools(() => ({ ffmpegPath: null, ffprobePath: null })),
      path.join(dir, `cache-${Date.now()}`),
      new CommandLog(),
    )
    const stripOf = async (file: string) => {
      const probe = await media.probe(file)
      const range = { startSec: 0, endSec: probe.durationSec }
      const [strip, sec] = await timed(() => media.filmstrip(file, range, 20, 72))
      expect(strip.times).toHaveLength(20)
      const [, cachedSec] = await timed(() => media.filmstrip(file, range, 20, 72))
      return { probe, sec, cachedSec }
    }
    // The realistic clip (1 s keyframes, as a phone writes) is the figure; the long GOP is noted.
    const phone = await stripOf(await tenMinutes(1))
    const longGop = await stripOf(await tenMinutes(250 / 30))
    const [, decodeSec] = await timed(() =>
      // prettier-ignore
      run(FFMPEG, ['-hide_banner', '-v', 'error', '-i', phone.probe.path, '-map', '0:v:0', '-f', 'null', '-']),
    )
    const { probe } = phone
    const method =
      'one concat list of the file, an entry per thumbnail seeking to its keyframe, keyframes only decoded'
    report('filmstrip, 20 thumbnails', [
      [
        'clip',
        `${(probe.durationSec / 60).toFixed(1)} min ${probe.width}x${probe.height} ${probe.fpsNominal} fps (${probe.frameCount} frames)`,
      ],
      ['method', method],
      ['filmstrip, keyframe every 1 s', `${phone.sec.toFixed(2)} s`],
      ['filmstrip, keyframe every 8.3 s', `${longGop.sec.toFixed(2)} s`],
      ['filmstrip again (cached)', `${(phone.cachedSec * 1000).toFixed(1)} ms`],
      ['decode every frame (1 s GOP)', `${decodeSec.toFixed(2)} s`],
      ['ratio', `${(decodeSec / phone.sec).toFixed(1)}x faster than a full decode`],
    ])
    await recordBench([
      {
        name: 'filmstrip_ms',
        value: phone.sec * 1000,
        unit: 'ms',
        baseline: { what: 'decode every frame (ffmpeg -f null)', value: decodeSec * 1000 },
        target: { max: 2000, text: '< 2000 ms' },
        notes:
          `20 thumbnails of a ${(probe.durationSec / 60).toFixed(0)}-minute ${probe.width}x${probe.height} H.264 clip ` +
          `with a keyframe every 1 s (as phones write); ${method}. ` +
          `With a keyframe every 8.3 s: ${(longGop.sec * 1000).toFixed(0)} ms. ` +
          `Cached again in ${(phone.cachedSec * 1000).toFixed(1)} ms.`,
      },
    ])
  })
})
