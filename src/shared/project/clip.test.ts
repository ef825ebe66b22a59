import { describe, expect, it } from 'vitest'
import { SEED_MAX, TURBO, parseRenderParams } from '../endpoints'
import {
  effectiveParams,
  isSeedLocked,
  mergeBorder,
  moveBorder,
  randomSeed,
  renderRequestOf,
  reseed,
  segmentIndexAt,
  segmentOutputFrames,
  segmentsOf,
  setRange,
  setSegmentParam,
  snapToFrame,
  splitAt,
  type ClipDoc,
} from './clip'

const clip = (over: Partial<ClipDoc> = {}): ClipDoc => ({
  id: 'c1',
  path: '/clips/skate.mp4',
  in: 0,
  out: 4,
  endpoint: TURBO,
  params: { prompt: 'ink', num_inference_steps: 8 },
  segments: [],
  takes: [],
  ...over,
})
const bounds = (c: ClipDoc) => segmentsOf(c).map((s) => [s.start, s.end])
/** Every segment follows the one before, from in to out: no gap, no overlap. */
function covers(c: ClipDoc) {
  const segs = segmentsOf(c)
  expect(segs[0]?.start).toBe(c.in)
  expect(segs.at(-1)?.end).toBe(c.out)
  segs.slice(1).forEach((s, i) => expect(s.start).toBe(segs[i]?.end))
}

describe('segments', () => {
  it('a clip without segments is one segment over its range', () => {
    expect(bounds(clip({ in: 1, out: 3 }))).toEqual([[1, 3]])
  })

  it('snaps to the nearest frame', () => {
    expect(snapToFrame(1.013, 25)).toBe(1)
    expect(snapToFrame(1.021, 25)).toBe(1.04)
    expect(snapToFrame(1.5, 30000 / 1001)).toBeCloseTo(45 / (30000 / 1001), 9)
  })

  it('splits at the frame under the playhead; both halves keep the overrides', () => {
    const a = splitAt(clip(), 2.013, 25)
    expect(bounds(a)).toEqual([
      [0, 2],
      [2, 4],
    ])
    covers(a)
    const b = splitAt(setSegmentParam(a, 1, 'prompt', 'oil'), 3.03, 25)
    expect(bounds(b)).toEqual([
      [0, 2],
      [2, 3.04],
      [3.04, 4],
    ])
    expect(b.segments.map((s) => s.params.prompt)).toEqual([undefined, 'oil', 'oil'])
    covers(b)
  })

  it('refuses a split that leaves a side without a frame, or one outside the range', () => {
    const c = clip()
    expect(splitAt(c, 0.01, 25)).toBe(c)
    expect(splitAt(c, 3.99, 25)).toBe(c)
    expect(splitAt(c, 5, 25)).toBe(c)
    const a = splitAt(c, 2, 25)
    expect(splitAt(a, 2, 25)).toBe(a)
  })

  it('merging a border keeps the left segment; one left folds its overrides into the clip', () => {
    let c = splitAt(splitAt(clip(), 1, 25), 2, 25)
    c = setSegmentParam(c, 0, 'prompt', 'A')
    c = setSegmentParam(c, 1, 'prompt', 'B')
    const merged = mergeBorder(c, 0)
    expect(bounds(merged)).toEqual([
      [0, 2],
      [2, 4],
    ])
    expect(merged.segments[0]?.params.prompt).toBe('A')
    covers(merged)
    const one = mergeBorder(merged, 0)
    expect(one.segments).toEqual([])
    expect(one.params.prompt).toBe('A')
    expect(mergeBorder(one, 0)).toBe(one)
  })

  it('moves a border on frames, never past a neighbour', () => {
    const c = splitAt(splitAt(clip(), 1, 25), 2, 25)
    expect(bounds(moveBorder(c, 0, 1.511, 25))[0]).toEqual([0, 1.52])
    expect(bounds(moveBorder(c, 0, 9, 25))[0]).toEqual([0, 1.96])
    expect(bounds(moveBorder(c, 1, -3, 25))[1]).toEqual([1, 1.04])
    covers(moveBorder(c, 1, 3.3, 25))
    expect(moveBorder(c, 5, 1, 25)).toBe(c)
  })

  it('trimming cuts the segments to the new range and drops those outside', () => {
    const c = splitAt(splitAt(clip(), 1, 25), 3, 25)
    const trimmed = setRange(c, { in: 1.49 }, 25, 4)
    expect(bounds(trimmed)).toEqual([
      [1.48, 3],
      [3, 4],
    ])
    covers(trimmed)
    const one = setRange(setSegmentParam(trimmed, 1, 'prompt', 'B'), { in: 3.2 }, 25, 4)
    expect(one.segments).toEqual([])
    expect(one.params.prompt).toBe('B')
    expect([one.in, one.out]).toEqual([3.2, 4])
  })

  it('keeps a range of at least one frame inside the clip', () => {
    const c = clip()
    expect(setRange(c, { out: 9 }, 25, 4).out).toBe(4)
    expect(setRange(c, { in: -1 }, 25, 4).in).toBe(0)
    const squeezed = setRange(c, { in: 4 }, 25, 4)
    expect([squeezed.in, squeezed.out]).toEqual([3.96, 4])
    const other = setRange(c, { out: 0 }, 25, 4)
    expect([other.in, other.out]).toEqual([0, 0.04])
  })

  it('finds the segment under a time', () => {
    const c = splitAt(clip(), 2, 25)
    expect([0, 1.99, 2, 3.99, 4, -1].map((t) => segmentIndexAt(c, t))).toEqual([0, 0, 1, 1, 1, 0])
  })

  it('a segment inherits what it does not override, and reset brings the clip value back', () => {
    let c = splitAt(clip(), 2, 25)
    c = setSegmentParam(c, 1, 'prompt', 'oil')
    expect(effectiveParams(c, segmentsOf(c)[1])).toEqual({ prompt: 'oil', num_inference_steps: 8 })
    expect(effectiveParams(c, segmentsOf(c)[0])).toEqual({ prompt: 'ink', num_inference_steps: 8 })
    c = setSegmentParam(c, 1, 'prompt', undefined)
    expect(segmentsOf(c)[1]?.params).toEqual({})
  })

  it('counts the frames fal renders per segment', () => {
    expect(segmentOutputFrames({ start: 0, end: 2 }, 25, 2)).toBe(25)
    expect(segmentOutputFrames({ start: 0, end: 0.6 }, 25, 1)).toBe(15)
  })

  it('turns a clip into a render request: one segment per part, each with its parameters', () => {
    let c = splitAt(clip({ in: 1, out: 3 }), 2, 25)
    c = setSegmentParam(c, 0, 'prompt', 'A')
    c = setSegmentParam(c, 1, 'prompt', 'B')
    expect(renderRequestOf(c)).toEqual({
      path: '/clips/skate.mp4',
      range: { startSec: 1, endSec: 3 },
      endpoint: TURBO,
      params: { prompt: 'ink', num_inference_steps: 8 },
      segments: [
        { startSec: 1, endSec: 2, params: { prompt: 'A', num_inference_steps: 8 } },
        { startSec: 2, endSec: 3, params: { prompt: 'B', num_inference_steps: 8 } },
      ],
      again: false,
    })
    expect(renderRequestOf(clip({ params: { prompt: 'x', seed: undefined } }))).not.toHaveProperty(
      'segments',
    )
  })
})

describe('seed lock', () => {
  it('a clip without the field (an older project) is locked; only false unlocks it', () => {
    expect(isSeedLocked(clip())).toBe(true)
    expect(isSeedLocked(clip({ seedLocked: true }))).toBe(true)
    expect(isSeedLocked(clip({ seedLocked: false }))).toBe(false)
  })

  it('reseed draws the clip a seed, and one for each segment with its own; inheriting ones keep inheriting', () => {
    let c = splitAt(splitAt(clip({ params: { prompt: 'ink', seed: 1 } }), 1, 25), 2, 25)
    c = setSegmentParam(c, 1, 'seed', 5)
    const seeds = [100, 200]
    const next = reseed(c, () => seeds.shift() ?? -1)
    expect(next.params).toEqual({ prompt: 'ink', seed: 100 })
    expect(next.segments.map((s) => s.params.seed)).toEqual([undefined, 200, undefined])
    expect(renderRequestOf(next).segments?.map((s) => s.params.seed)).toEqual([100, 200, 100])
    // The clip it came from is untouched.
    expect(c.params.seed).toBe(1)
  })

  it('random seeds are seeds fal accepts', () => {
    for (let i = 0; i < 200; i++) {
      const seed = randomSeed()
      expect(Number.isInteger(seed) && seed >= 0 && seed <= SEED_MAX).toBe(true)
      expect(parseRenderParams(TURBO, { prompt: 'x', seed }).ok).toBe(true)
    }
  })
})
