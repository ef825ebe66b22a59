import { describe, expect, it } from 'vitest'
import { checkSegments } from './render-spec'

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
