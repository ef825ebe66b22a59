import { describe, expect, it } from 'vitest'
import { joinedDuration, planFinish, xfadeOffsets, type FinishPlanInput } from './finish-plan'

const base: FinishPlanInput = {
  segments: [{ file: '/r/a.mp4', durationSec: 2 }],
  source: { path: '/src/clip.mov', hasAudio: true },
  range: { startSec: 1, endSec: 3 },
  crossfadeSec: 0,
  fps: { mode: 'result' },
  metadata: { prompt: 'a cat', seed: 7 },
  output: '/out/x.mp4',
}

describe('crossfade maths', () => {
  it('starts each fade where the output so far ends minus the fade', () => {
    expect(xfadeOffsets([2, 2, 2], 0.5)).toEqual([1.5, 3])
    expect(joinedDuration([2, 2, 2], 0.5)).toBe(5)
    expect(xfadeOffsets([3], 0.5)).toEqual([])
  })
})

describe('planFinish', () => {
  it('copies a single segment and lays the trimmed source audio under it', () => {
    const args = planFinish(base)
    expect(args.slice(0, 8)).toEqual([
      '-i',
      '/r/a.mp4',
      '-ss',
      '1',
      '-t',
      '2',
      '-i',
      '/src/clip.mov',
    ])
    expect(args).toEqual(
      expect.arrayContaining(['-map', '0:v:0', '-c:v', 'copy', '-map', '1:a:0', '-shortest']),
    )
    expect(args[args.indexOf('-metadata') + 1]).toBe('comment={"prompt":"a cat","seed":7}')
  })
  it('is silent when the source has no audio', () => {
    const args = planFinish({ ...base, source: { path: '/s.mp4', hasAudio: false } })
    expect(args).toContain('-an')
    expect(args.filter((a) => a === '-i')).toHaveLength(1)
  })
  it('joins several segments in order with concat, or with chained crossfades', () => {
    const segments = [
      { file: '/r/1.mp4', durationSec: 2 },
      { file: '/r/2.mp4', durationSec: 2 },
      { file: '/r/3.mp4', durationSec: 2 },
    ]
    const hard = planFinish({ ...base, segments })
    const graph = hard[hard.indexOf('-filter_complex') + 1]
    expect(graph).toContain('[s0][s1][s2]concat=n=3:v=1:a=0[joined]')
    expect(hard).toEqual(expect.arrayContaining(['-map', '3:a:0']))
    const soft = planFinish({ ...base, segments, crossfadeSec: 0.25 })
    const g2 = soft[soft.indexOf('-filter_complex') + 1]
    expect(g2).toContain('[s0][s1]xfade=transition=fade:duration=0.25:offset=1.75[x1]')
    expect(g2).toContain('[x1][s2]xfade=transition=fade:duration=0.25:offset=3.5[x2]')
  })
  it('re-encodes to convert to the source frame rate when asked', () => {
    const args = planFinish({ ...base, fps: { mode: 'source', rational: '30000/1001' } })
    expect(args[args.indexOf('-filter_complex') + 1]).toContain('fps=30000/1001[vout]')
    expect(args).not.toContain('copy')
  })
})
