import { describe, expect, it } from 'vitest'
import { STANDARD, TURBO } from './endpoints'
import {
  aboutText,
  boundHistory,
  falSecFor,
  learnRates,
  NO_HISTORY,
  PRIOR,
  remainingSec,
  SAMPLES_KEPT,
  type EtaSample,
} from './eta'

const at = '2026-11-30T12:00:00.000Z'

/** A machine that prepared, uploaded and rendered a few clips (turbo at 8 steps). */
const recorded: EtaSample[] = [
  { kind: 'prepare', secPerSourceSec: 0.2, at },
  { kind: 'prepare', secPerSourceSec: 0.25, at },
  { kind: 'prepare', secPerSourceSec: 3, at }, // a busy moment: the median ignores it
  { kind: 'upload', bytesPerSec: 1_000_000, bytesPerSourceSec: 500_000, at },
  { kind: 'upload', bytesPerSec: 1_000_000, bytesPerSourceSec: 500_000, at },
  { kind: 'fal', endpoint: TURBO, steps: 8, secPerFrame: 0.4, at },
  { kind: 'fal', endpoint: TURBO, steps: 8, secPerFrame: 0.5, at },
  { kind: 'fal', endpoint: TURBO, steps: 8, secPerFrame: 0.45, at },
]

describe('ETA learned from this machine', () => {
  it('uses the priors with no history', () => {
    expect(NO_HISTORY.prepareSecPerSourceSec).toBe(PRIOR.prepareSecPerSourceSec)
    expect(NO_HISTORY.samples).toEqual({ prepare: 0, upload: 0, fal: 0 })
    const shape = { sourceSec: 4, outputFrames: 48, endpoint: TURBO, steps: 8 } as const
    expect(falSecFor(NO_HISTORY, shape)).toBeCloseTo(PRIOR.falSecPerFramePerStep * 8 * 48)
  })

  it('learns prepare, upload and fal rates from recorded samples (medians)', () => {
    const rates = learnRates(recorded)
    expect(rates.prepareSecPerSourceSec).toBe(0.25)
    expect(rates.uploadBytesPerSec).toBe(1_000_000)
    expect(rates.falSecPerFrame[`${TURBO}|8`]).toBe(0.45)
    expect(rates.samples).toEqual({ prepare: 3, upload: 2, fal: 3 })
    // 4 s of source, 48 frames back: fal works 48 × 0.45 s.
    const shape = { sourceSec: 4, outputFrames: 48, endpoint: TURBO, steps: 8 } as const
    expect(falSecFor(rates, shape)).toBeCloseTo(21.6)
  })

  it('scales by steps from the nearest measured steps; another endpoint keeps the prior', () => {
    const rates = learnRates(recorded)
    const at12 = falSecFor(rates, { sourceSec: 1, outputFrames: 10, endpoint: TURBO, steps: 12 })
    expect(at12).toBeCloseTo((0.45 / 8) * 12 * 10)
    const standard = falSecFor(rates, {
      sourceSec: 1,
      outputFrames: 10,
      endpoint: STANDARD,
      steps: 25,
    })
    expect(standard).toBeCloseTo(PRIOR.falSecPerFramePerStep * 25 * 10)
  })

  it('estimates what is left of a job from its stage', () => {
    const rates = learnRates(recorded)
    const shape = { sourceSec: 4, outputFrames: 48, endpoint: TURBO, steps: 8 } as const
    // prepare 1 s, upload 2 s, submit 1 s, fal 21.6 s, download + finish 3 s
    const fromStart = remainingSec(rates, shape, { stage: 'prepare', fraction: 0 })
    expect(fromStart).toBeCloseTo(1 + 2 + 1 + 21.6 + 3)
    const halfPrepared = remainingSec(rates, shape, { stage: 'prepare', fraction: 0.5 })
    expect(halfPrepared).toBeCloseTo(fromStart - 0.5)
    // 10 s into fal's work: 11.6 s of it left, then download and finish.
    expect(remainingSec(rates, shape, { stage: 'wait', inStageSec: 10 })).toBeCloseTo(11.6 + 3)
    // Slower than ever before: nearly done, never negative.
    expect(remainingSec(rates, shape, { stage: 'wait', inStageSec: 100 })).toBeGreaterThan(3)
    expect(remainingSec(rates, shape, { stage: 'done' })).toBe(0)
  })

  it('keeps the history bounded, newest kept', () => {
    const many: EtaSample[] = Array.from({ length: SAMPLES_KEPT + 20 }, (_, i) => ({
      kind: 'prepare',
      secPerSourceSec: i,
      at,
    }))
    const kept = boundHistory([...many, ...recorded.slice(3)])
    expect(kept.filter((s) => s.kind === 'prepare')).toHaveLength(SAMPLES_KEPT)
    expect(kept[0]).toMatchObject({ secPerSourceSec: 20 })
    expect(kept.filter((s) => s.kind === 'fal')).toHaveLength(3)
  })

  it('says durations as a person would', () => {
    expect(aboutText(38)).toBe('about 40 s')
    expect(aboutText(150)).toBe('about 3 min')
  })
})
