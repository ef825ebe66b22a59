import { describe, expect, it } from 'vitest'
import { MAX_SHUTTLE, frameStart, playPause, reverseStep, shuttle, type Transport } from './shuttle'

const press = (keys: string, from: Transport = { playing: false, speed: 1 }) =>
  [...keys].reduce((t, k) => shuttle(t, k as 'j' | 'k' | 'l'), from)

describe('J K L shuttle', () => {
  it('each L doubles the forward speed up to the limit; J the same backwards', () => {
    expect(press('l')).toEqual({ playing: true, speed: 1 })
    expect(press('ll')).toEqual({ playing: true, speed: 2 })
    expect(press('lll')).toEqual({ playing: true, speed: 4 })
    expect(press('llllll')).toEqual({ playing: true, speed: MAX_SHUTTLE })
    expect(press('j')).toEqual({ playing: true, speed: -1 })
    expect(press('jjj')).toEqual({ playing: true, speed: -4 })
  })

  it('the other direction starts again at normal speed; K stops and resets', () => {
    expect(press('lllj')).toEqual({ playing: true, speed: -1 })
    expect(press('jjl')).toEqual({ playing: true, speed: 1 })
    expect(press('lllk')).toEqual({ playing: false, speed: 1 })
    expect(press('lllkl')).toEqual({ playing: true, speed: 1 })
  })

  it('Space pauses any shuttle and plays at normal speed', () => {
    expect(playPause(press('jjj'))).toEqual({ playing: false, speed: 1 })
    expect(playPause(press('k'))).toEqual({ playing: true, speed: 1 })
  })
})

describe('reverseStep', () => {
  const range = { in: 1, out: 3 }
  it('moves back by the elapsed time times the speed', () => {
    expect(reverseStep(2, 0.1, -1, range, 25)).toBeCloseTo(1.9, 9)
    expect(reverseStep(2, 0.1, -4, range, 25)).toBeCloseTo(1.6, 9)
  })

  it('keeps moving at display rate: ticks shorter than a frame add up', () => {
    let t = 2
    for (let i = 0; i < 60; i++) t = reverseStep(t, 1 / 60, -1, range, 25)
    expect(t).toBeCloseTo(1, 6)
    expect(frameStart(1.9999, 25)).toBeCloseTo(1.96, 9)
    expect(frameStart(1.96, 25)).toBeCloseTo(1.96, 9)
  })

  it('wraps from in to the last frame before out, as forward play loops', () => {
    expect(reverseStep(1.02, 0.1, -1, range, 25)).toBeCloseTo(2.96, 9)
    expect(reverseStep(3.5, 0.04, -1, range, 25)).toBeCloseTo(2.96, 9)
  })
})
