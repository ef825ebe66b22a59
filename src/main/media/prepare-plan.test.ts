import { describe, expect, it } from 'vitest'
import type { ProbeResult } from '../../shared/media'
import {
  hasAccurateInputSeek,
  planPrepare,
  resolveRange,
  targetFrameRate,
  targetSize,
} from './prepare-plan'

const probe = (over: Partial<ProbeResult> = {}): ProbeResult => ({
  path: '/clips/a.mp4',
  sizeBytes: 1000,
  container: 'mov,mp4,m4a,3gp,3g2,mj2',
  durationSec: 10,
  startTimeSec: 0,
  codec: 'h264',
  pixelFormat: 'yuv420p',
  bitDepth: 8,
  codedWidth: 1920,
  codedHeight: 1080,
  width: 1920,
  height: 1080,
  rotation: 0,
  fpsNominal: 30,
  fpsAverage: 30,
  variableFrameRate: false,
  frameCount: 300,
  durationSource: 'header',
  audio: [],
  ...over,
})

describe('targetFrameRate', () => {
  it('keeps the nominal rate, snapping imprecise NTSC rates to their exact fraction', () => {
    expect(targetFrameRate({ fpsNominal: 30, fpsAverage: 30 })).toEqual({ fps: 30, rational: '30' })
    expect(targetFrameRate({ fpsNominal: 29.97, fpsAverage: 29.97 }).rational).toBe('30000/1001')
    expect(targetFrameRate({ fpsNominal: 30000 / 1001, fpsAverage: 29.5 }).rational).toBe(
      '30000/1001',
    )
    expect(targetFrameRate({ fpsNominal: 12.5, fpsAverage: 12.5 })).toEqual({
      fps: 12.5,
      rational: '12.5',
    })
  })
  it('falls back to the average when the nominal rate is a time base', () => {
    expect(targetFrameRate({ fpsNominal: 90000, fpsAverage: 24 }).rational).toBe('24')
    expect(targetFrameRate({ fpsNominal: 0, fpsAverage: 0 }).fps).toBe(25)
  })
})

describe('targetSize', () => {
  it('fits the longer side, keeps the aspect and makes both sides even', () => {
    expect(targetSize(1920, 1080, 768)).toEqual({ width: 768, height: 432 })
    expect(targetSize(1080, 1920, 768)).toEqual({ width: 432, height: 768 })
    expect(targetSize(321, 243, 768)).toEqual({ width: 320, height: 242 })
    expect(targetSize(3840, 2160, 'original')).toEqual({ width: 3840, height: 2160 })
  })
  it('never upscales', () => {
    expect(targetSize(320, 240, 768)).toEqual({ width: 320, height: 240 })
  })
})

describe('resolveRange', () => {
  it('defaults the end to the clip end and clamps it', () => {
    expect(resolveRange({ startSec: 2 }, 10)).toEqual({ startSec: 2, endSec: 10 })
    expect(resolveRange({ startSec: 2, endSec: 99 }, 10)).toEqual({ startSec: 2, endSec: 10 })
  })
  it('names the wrong field', () => {
    expect(() => resolveRange({ startSec: -1 }, 10)).toThrow(
      expect.objectContaining({ field: 'start', code: 'invalid-params' }),
    )
    expect(() => resolveRange({ startSec: 10 }, 10)).toThrow(
      expect.objectContaining({ field: 'start' }),
    )
    expect(() => resolveRange({ startSec: 5, endSec: 5 }, 10)).toThrow(
      expect.objectContaining({ field: 'end' }),
    )
  })
})

describe('planPrepare', () => {
  it('seeks on the input for indexed containers and asks for exactly the frames of the range', () => {
    const { args, facts } = planPrepare(
      probe(),
      { startSec: 1.5, endSec: 3.5 },
      { maxSide: 768 },
      '/out/p.mp4',
    )
    expect(args.slice(0, 4)).toEqual(['-ss', '1.5', '-i', '/clips/a.mp4'])
    expect(args[args.indexOf('-frames:v') + 1]).toBe('60')
    expect(args[args.indexOf('-vf') + 1]).toBe(
      'fps=30,scale=768:432:flags=lanczos,setsar=1,format=yuv420p',
    )
    expect(args).toEqual(
      expect.arrayContaining(['-an', '-movflags', '+faststart', 'libx264', 'yuv420p']),
    )
    expect(args.at(-1)).toBe('/out/p.mp4')
    expect(facts).toEqual({
      width: 768,
      height: 432,
      fps: 30,
      fpsRational: '30',
      startSec: 1.5,
      durationSec: 2,
      frameCount: 60,
    })
  })
  it('cuts on the output side for containers whose input seek is not exact', () => {
    expect(hasAccurateInputSeek('mpegts')).toBe(false)
    expect(hasAccurateInputSeek('matroska,webm')).toBe(true)
    const { args } = planPrepare(
      probe({ container: 'mpegts' }),
      { startSec: 1 },
      { maxSide: 768 },
      '/o.mp4',
    )
    expect(args.slice(0, 4)).toEqual(['-i', '/clips/a.mp4', '-ss', '1'])
  })
  it('scales reductions of 4× and more (4K to 768 px) with an area average, milder ones (1080p) with lanczos', () => {
    const vf = (width: number, height: number) => {
      const { args } = planPrepare(
        probe({ width, height }),
        { startSec: 0 },
        { maxSide: 768 },
        '/o.mp4',
      )
      return args[args.indexOf('-vf') + 1]
    }
    expect(vf(3840, 2160)).toContain('scale=768:432:flags=area')
    expect(vf(3072, 1728)).toContain('scale=768:432:flags=area')
    expect(vf(3070, 1726)).toContain('scale=768:432:flags=lanczos')
    expect(vf(1920, 1080)).toContain('scale=768:432:flags=lanczos')
  })
  it('omits the seek when starting at zero', () => {
    expect(planPrepare(probe(), { startSec: 0 }, { maxSide: 768 }, '/o.mp4').args[0]).toBe('-i')
  })
})
