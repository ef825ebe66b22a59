import { describe, expect, it } from 'vitest'
import { checkSegments, overlapRanges } from './render-spec'

describe('checkSegments', () => {
  it('accepts segments that follow each other over the whole range', () => {
    expect(() =>
      checkSegments(
        [
          { startSec: 1, endSec: 2.5 },
          { startSec: 2.5, endSec: 4 },
        ],
        { startSec: 1, endSec: 4 },
      ),
    ).not.toThrow()
    expect(() => checkSegments([], { startSec: 0 })).not.toThrow()
  })

  it.each([
    [
      [
        { startSec: 0, endSec: 2 },
        { startSec: 2.5, endSec: 4 },
      ],
      'Segment 2 starts at 2.5 s but segment 1 ends at 2 s: segments follow each other without gaps.',
    ],
    [
      [{ startSec: 0.5, endSec: 4 }],
      'Segment 1 starts at 0.5 s, not where the range starts (0 s).',
    ],
    [[{ startSec: 0, endSec: 3 }], 'The last segment ends at 3 s, not where the range ends (4 s).'],
    [[{ startSec: 0, endSec: 0 }], 'Segment 1 ends (0 s) before it starts (0 s).'],
  ])('names the segment and the numbers when they do not fit (%#)', (segments, message) => {
    expect(() => checkSegments(segments, { startSec: 0, endSec: 4 })).toThrow(message)
  })
})

describe('overlapRanges', () => {
  const three = [
    { startSec: 1, endSec: 2, nth: 2 },
    { startSec: 2, endSec: 3, nth: 2 },
    { startSec: 3, endSec: 4.2, nth: 2 },
  ]

  it('renders each inner border from both sides and leaves the outer ends where they are', () => {
    // 25 fps, every 2nd frame: 4 result frames = 0.32 s, 0.16 s each side of a border.
    const { ranges, crossfadeSec } = overlapRanges(three, 4, 25, 'label')
    expect(crossfadeSec).toBeCloseTo(0.32, 9)
    const rounded = ranges.map((r) => [+r.startSec.toFixed(6), +r.endSec.toFixed(6)])
    expect(rounded).toEqual([
      [1, 2.16],
      [1.84, 3.16],
      [2.84, 4.2],
    ])
    // Joined with the blend, the parts give back the range's own length: the source's timing.
    const rendered = ranges.reduce((sum, r) => sum + r.endSec - r.startSec, 0)
    expect(rendered - crossfadeSec * 2).toBeCloseTo(3.2, 9)
  })

  it('is a hard cut at 0 frames or with one segment', () => {
    expect(overlapRanges(three, 0, 25, 'label').crossfadeSec).toBe(0)
    expect(overlapRanges(three.slice(0, 1), 4, 25, 'label')).toEqual({
      ranges: [{ startSec: 1, endSec: 2 }],
      crossfadeSec: 0,
    })
  })

  it('refuses, in the words of the control or the flag, what cannot be blended', () => {
    expect(() => overlapRanges(three, 17, 25, 'label')).toThrow(
      'Crossfade at borders must be a whole number of frames from 0 to 16 (got 17)',
    )
    expect(() => overlapRanges(three, 2.5, 25, 'flag')).toThrow(/^--crossfade must be a whole/)
    const mixed = [three[0], { ...three[1], nth: 3 }, three[2]] as typeof three
    expect(() => overlapRanges(mixed, 4, 25, 'label')).toThrow(
      'Crossfade at borders needs the same Use every Nth frame in every segment (segment 1 uses 2, segment 2 uses 3); set Crossfade at borders to 0 or make them equal.',
    )
    const short = [
      { startSec: 0, endSec: 0.2, nth: 2 },
      { startSec: 0.2, endSec: 2, nth: 2 },
    ]
    expect(() => overlapRanges(short, 4, 25, 'flag')).toThrow(
      '--crossfade (4 frames, 0.32 s) is longer than segment 1 (0.20 s); lower --crossfade or merge that segment.',
    )
  })
})
