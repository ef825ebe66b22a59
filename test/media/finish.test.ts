import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CommandLog } from '../../src/main/media/command-log'
import { MediaService } from '../../src/main/media/media-service'
import { Tools } from '../../src/main/media/tools'
import { clips, ffmpeg, inspect, tempDir } from './clips'

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

/** What fal returns for a prepared segment: every nth frame, at source fps / nth, no audio. */
async function fakeResult(
  src: string,
  startSec: number,
  endSec: number,
  nth: number,
  name: string,
): Promise<string> {
  const out = path.join(dir, name)
  await ffmpeg([
    '-ss',
    String(startSec),
    '-i',
    src,
    '-t',
    String(endSec - startSec),
    '-vf',
    `select='not(mod(n,${nth}))',setpts=N/(25/${nth})/TB,negate`,
    '-r',
    String(25 / nth),
    '-an',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    out,
  ])
  return out
}

const metadata = {
  endpoint: 'fal-ai/animatediff-v2v/turbo',
  prompt: 'a watercolor fox',
  negative_prompt: 'ugly',
  loras: [{ path: 'https://example.com/l.safetensors', scale: 0.8 }],
  num_inference_steps: 8,
  guidance_scale: 2.2,
  seed: 42,
  select_every_nth_frame: 2,
  request_id: 'req-123',
}

describe('finishing a result', () => {
  it('lays the source audio, trimmed to the range, under the result and embeds the parameters', async () => {
    const src = await clips.basic(dir, 'source.mp4', 4)
    const seg = await fakeResult(src, 1, 3, 2, 'seg.mp4')
    const target = path.join(dir, 'final.mp4')
    const { sidecar } = await media.finish({
      segments: [{ file: seg, durationSec: 2 }],
      source: { path: src, hasAudio: true },
      range: { startSec: 1, endSec: 3 },
      crossfadeSec: 0,
      fps: { mode: 'result' },
      metadata,
      title: 'source (reanimated)',
      output: target,
    })
    const o = await inspect(target)
    expect(o.audioStreams).toBe(1)
    expect(o.fps).toBe(12.5)
    expect(Math.abs(o.durationSec - 2)).toBeLessThan(0.1)
    expect(JSON.parse(o.tags.comment ?? '{}')).toEqual(metadata)
    expect(o.tags.title).toBe('source (reanimated)')
    expect(JSON.parse(await fs.readFile(sidecar, 'utf8'))).toEqual(metadata)
  })

  it('joins segments in order, optionally with crossfades, and converts to the source fps', async () => {
    const src = await clips.basic(dir, 'long-source.mp4', 4)
    const a = await fakeResult(src, 0, 2, 2, 'a.mp4')
    const b = await fakeResult(src, 2, 4, 2, 'b.mp4')
    const hard = path.join(dir, 'joined.mp4')
    await media.finish({
      segments: [
        { file: a, durationSec: 2 },
        { file: b, durationSec: 2 },
      ],
      source: { path: src, hasAudio: true },
      range: { startSec: 0, endSec: 4 },
      crossfadeSec: 0,
      fps: { mode: 'result' },
      metadata,
      output: hard,
    })
    const h = await inspect(hard)
    expect(h.frames).toBe(50)
    expect(Math.abs(h.durationSec - 4)).toBeLessThan(0.1)

    const soft = path.join(dir, 'crossfaded.mp4')
    await media.finish({
      segments: [
        { file: a, durationSec: 2 },
        { file: b, durationSec: 2 },
      ],
      source: { path: src, hasAudio: false },
      range: { startSec: 0, endSec: 4 },
      crossfadeSec: 0.4,
      fps: { mode: 'source', rational: '25' },
      metadata,
      output: soft,
    })
    const s = await inspect(soft)
    expect(s.fps).toBe(25)
    expect(s.audioStreams).toBe(0)
    expect(Math.abs(s.durationSec - 3.6)).toBeLessThan(0.1)
  })

  it('leaves nothing behind when ffmpeg fails', async () => {
    const target = path.join(dir, 'broken.mp4')
    const bogus = await clips.text(dir)
    await expect(
      media.finish({
        segments: [{ file: bogus, durationSec: 1 }],
        range: { startSec: 0, endSec: 1 },
        crossfadeSec: 0,
        fps: { mode: 'result' },
        metadata,
        output: target,
      }),
    ).rejects.toMatchObject({ code: 'ffmpeg-failed', file: target })
    expect((await fs.readdir(dir)).filter((f) => f.includes('broken'))).toEqual([])
  })
})
