import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultOutputFor, freeOutputName } from './naming'

describe('output naming', () => {
  it('puts the result beside the source with a .reanimate suffix', () => {
    expect(defaultOutputFor('/clips/My Clip.mov', () => false)).toBe(
      path.join('/clips', 'My Clip.reanimate.mp4'),
    )
  })
  it('counts up instead of overwriting', () => {
    const existing = new Set([
      path.join('/c', 'a.reanimate.mp4'),
      path.join('/c', 'a.reanimate (2).mp4'),
    ])
    expect(freeOutputName('/c', 'a', '.mp4', (p) => existing.has(p))).toBe(
      path.join('/c', 'a.reanimate (3).mp4'),
    )
  })
  it('never picks the source itself', () => {
    const src = path.join('/c', 'x.reanimate.mp4')
    expect(defaultOutputFor(src, () => false)).toBe(path.join('/c', 'x.reanimate.reanimate.mp4'))
  })
})
