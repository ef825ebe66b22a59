import { describe, expect, it } from 'vitest'
import {
  parseProgressBlock,
  progressLineSplitter,
  ProgressTracker,
  type FfmpegProgressBlock,
} from './progress'

const block = (lines: string) => parseProgressBlock(lines.trim().split('\n'))

describe('ffmpeg -progress parsing', () => {
  it('reads position, frame, speed and the end marker', () => {
    const b = block(`
frame=120
fps=48.0
out_time_us=4800000
out_time_ms=4800000
out_time=00:00:04.800000
speed=2.05x
progress=continue`)
    expect(b).toEqual({ outTimeSec: 4.8, frame: 120, speed: 2.05, done: false })
    expect(block('out_time_us=N/A\nspeed=N/A\nprogress=end')).toEqual({
      outTimeSec: 0,
      frame: 0,
      speed: 0,
      done: true,
    })
  })

  it('treats negative start positions and junk as zero', () => {
    expect(block('out_time_us=-23220\nprogress=continue').outTimeSec).toBe(0)
    expect(block('garbage\n=\nprogress=continue').frame).toBe(0)
  })

  it('splits a line stream into one callback per block', () => {
    const seen: FfmpegProgressBlock[] = []
    const feed = progressLineSplitter((b) => seen.push(b))
    for (const l of [
      'frame=1',
      'out_time_us=40000',
      'progress=continue',
      'frame=2',
      'out_time_us=80000',
      'progress=end',
    ])
      feed(l)
    expect(seen.map((b) => [b.frame, b.outTimeSec, b.done])).toEqual([
      [1, 0.04, false],
      [2, 0.08, true],
    ])
  })
})

describe('ProgressTracker', () => {
  const at = (outTimeSec: number, done = false): FfmpegProgressBlock => ({
    outTimeSec,
    frame: 0,
    speed: 2,
    done,
  })

  it('computes the fraction of the expected duration, clamped to [0, 1]', () => {
    const t = new ProgressTracker(10, 0)
    expect(t.update(at(2.5), 1000).fraction).toBe(0.25)
    expect(t.update(at(12), 2000).fraction).toBe(1)
  })

  it('holds back the ETA until it has a few samples, then estimates the rest', () => {
    const t = new ProgressTracker(100, 0)
    expect(t.update(at(1), 1000).etaSec).toBeNull()
    expect(t.update(at(2), 2000).etaSec).toBeNull()
    // 3 blocks in, 10% done after 10 s: 90 s to go.
    const p = t.update(at(10), 10_000)
    expect(p.etaSec).toBeCloseTo(90, 5)
    expect(p.elapsedSec).toBe(10)
  })

  it('reports completion with no time left', () => {
    const t = new ProgressTracker(100, 0)
    expect(t.update(at(0, true), 5000)).toMatchObject({ fraction: 1, etaSec: 0 })
  })

  it('never shows progress for an unknown duration', () => {
    expect(new ProgressTracker(0, 0).update(at(5), 1000).fraction).toBe(0)
  })
})
