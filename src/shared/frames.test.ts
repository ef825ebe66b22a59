import { describe, expect, it } from 'vitest'
import { crossfadeSpan, framesIn, resultFrames } from './frames'

describe('crossfadeSpan', () => {
  it('is whole result frames, split around the border (the extra one after it)', () => {
    // 25 fps source, every 2nd frame: a result frame is 0.08 s.
    const even = crossfadeSpan(4, 25, 2)
    expect(even.totalSec).toBeCloseTo(0.32, 9)
    expect(even.beforeSec).toBeCloseTo(0.16, 9)
    expect(even.afterSec).toBeCloseTo(0.16, 9)
    const odd = crossfadeSpan(5, 25, 2)
    expect(odd.beforeSec).toBeCloseTo(0.16, 9)
    expect(odd.afterSec).toBeCloseTo(0.24, 9)
    expect(odd.beforeSec + odd.afterSec).toBeCloseTo(odd.totalSec, 9)
  })

  it('lands every overlap edge on a source frame, whole result frames from the border', () => {
    for (const [fps, nth] of [
      [30000 / 1001, 3],
      [24, 1],
      [60, 4],
    ] as const) {
      for (let frames = 1; frames <= 16; frames++) {
        const { beforeSec, afterSec } = crossfadeSpan(frames, fps, nth)
        for (const s of [beforeSec, afterSec]) {
          const sourceFrames = s * fps
          expect(Math.abs(sourceFrames - Math.round(sourceFrames))).toBeLessThan(1e-9)
          expect(Math.round(sourceFrames) % nth).toBe(0)
        }
      }
    }
  })

  it('is nothing at 0 frames, and a bad Nth counts as 1', () => {
    expect(crossfadeSpan(0, 25, 2)).toEqual({ totalSec: 0, beforeSec: 0, afterSec: 0 })
    expect(crossfadeSpan(2, 25, 0).totalSec).toBeCloseTo(0.08, 9)
  })
})

describe('frame counts', () => {
  it('sends at least one frame and renders every Nth, rounding up', () => {
    expect(framesIn(0.001, 25)).toBe(1)
    expect(framesIn(2, 25)).toBe(50)
    expect(resultFrames(50, 2)).toBe(25)
    expect(resultFrames(51, 2)).toBe(26)
    expect(resultFrames(51, 0)).toBe(51)
  })
})
