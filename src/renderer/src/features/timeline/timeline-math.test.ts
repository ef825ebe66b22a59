import { describe, expect, it } from 'vitest'
import {
  fitPxPerSec,
  rulerLabel,
  tickStep,
  ticks,
  timeToX,
  timecode,
  xToTime,
} from './timeline-math'

describe('timeline maths', () => {
  it('time and pixels map both ways at every zoom', () => {
    for (const px of [10, 37.5, 120, 2000])
      for (const t of [0, 0.04, 1.5, 59.96, 3600]) {
        expect(xToTime(timeToX(t, px), px)).toBeCloseTo(t, 9)
        expect(xToTime(timeToX(t, px, 2), px, 2)).toBeCloseTo(t, 9)
      }
    expect(timeToX(2, 100, 1)).toBe(100)
  })

  it('ticks are at least 80 px apart, whole frames when finer than a second', () => {
    expect(tickStep(2000, 25)).toBeCloseTo(0.04, 9)
    expect(tickStep(1000, 25)).toBeCloseTo(0.08, 9)
    expect(tickStep(120, 25)).toBe(1)
    // Half a second at 25 fps is 12 frames, never 12.5.
    expect(tickStep(170, 25)).toBeCloseTo(12 / 25, 9)
    expect(tickStep(10, 25)).toBe(10)
    expect(tickStep(0.01, 25)).toBe(600)
    for (const px of [10, 50, 120, 500, 2000])
      expect(tickStep(px, 30) * px).toBeGreaterThanOrEqual(80)
  })

  it('lists ticks on multiples of the step', () => {
    expect(ticks(0, 2, 0.5)).toEqual([0, 0.5, 1, 1.5, 2])
    expect(ticks(0.3, 1.1, 0.5)).toEqual([0.5, 1])
  })

  it('shows timecode as hh:mm:ss:ff', () => {
    expect(timecode(0, 25)).toBe('00:00:00:00')
    expect(timecode(1.04, 25)).toBe('00:00:01:01')
    expect(timecode(61.96, 25)).toBe('00:01:01:24')
    expect(timecode(3600 + 0.5, 30)).toBe('01:00:00:15')
    expect(timecode(1.001, 30000 / 1001)).toBe('00:00:01:00')
  })

  it('labels the ruler in seconds, with frames only when ticks are finer', () => {
    expect(rulerLabel(62, 1, 25)).toBe('1:02')
    expect(rulerLabel(1.48, 0.2, 25)).toBe('0:01:12')
    expect(rulerLabel(3725, 60, 25)).toBe('1:02:05')
  })

  it('fits a clip into a width', () => {
    expect(fitPxPerSec(4, 800)).toBe(200)
  })
})
