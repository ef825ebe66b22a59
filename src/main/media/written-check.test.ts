import { describe, expect, it } from 'vitest'
import { writtenShortfall } from './written-check'

describe('writtenShortfall', () => {
  const planned = { frames: 162, fps: 30, width: 320, height: 240 }

  it('accepts the plan, or one frame less (rounding at the range end)', () => {
    expect(
      writtenShortfall(planned, { frames: 162, width: 320, height: 240, durationSec: 5.4 }),
    ).toBeNull()
    expect(
      writtenShortfall(planned, { frames: 161, width: 320, height: 240, durationSec: 5.37 }),
    ).toBeNull()
    expect(
      writtenShortfall(planned, { frames: 163, width: 320, height: 240, durationSec: 5.43 }),
    ).toBeNull()
  })

  it('names the numbers when frames are missing', () => {
    expect(
      writtenShortfall(planned, { frames: 1, width: 320, height: 240, durationSec: 0.03 }),
    ).toBe('wrote 1 of 162 frames (0.03 s of 5.40 s)')
    expect(
      writtenShortfall(planned, { frames: 160, width: 320, height: 240, durationSec: 5.33 }),
    ).toBe('wrote 160 of 162 frames (5.33 s of 5.40 s)')
  })

  it('names the size when the frames are not the planned size', () => {
    expect(
      writtenShortfall(planned, { frames: 162, width: 160, height: 120, durationSec: 5.4 }),
    ).toBe('wrote 160×120 frames, not 320×240')
  })

  it('checks the size only when one was planned', () => {
    expect(
      writtenShortfall(
        { frames: 10, fps: 10 },
        { frames: 10, width: 1, height: 1, durationSec: 1 },
      ),
    ).toBeNull()
  })

  it('allows the slack a rate conversion needs, and no more', () => {
    const converted = { frames: 90, fps: 25, slack: 2 }
    const m = (frames: number) => ({ frames, width: 1, height: 1, durationSec: frames / 25 })
    expect(writtenShortfall(converted, m(88))).toBeNull()
    expect(writtenShortfall(converted, m(87))).toBe('wrote 87 of 90 frames (3.48 s of 3.60 s)')
  })
})
