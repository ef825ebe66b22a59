import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultOutputFor, freeOutputName, templatedOutputFor } from './naming'

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

describe('templatedOutputFor', () => {
  const none = () => false
  it('names the result by the template, in the chosen folder or beside the source', () => {
    expect(templatedOutputFor('/v/clip.mov', '/out', '{stem}-styled', none)).toBe(
      path.join('/out', 'clip-styled.mp4'),
    )
    expect(templatedOutputFor('/v/clip.mov', undefined, '{stem}.reanimate', none)).toBe(
      path.join('/v', 'clip.reanimate.mp4'),
    )
  })
  it('never overwrites: a taken name gets (2), and never the source itself', () => {
    const taken = new Set([path.join('/out', 'clip.mp4')])
    expect(templatedOutputFor('/v/clip.mov', '/out', '{stem}', (c) => taken.has(c))).toBe(
      path.join('/out', 'clip (2).mp4'),
    )
    expect(templatedOutputFor('/v/clip.mp4', undefined, '{stem}', none)).toBe(
      path.join('/v', 'clip (2).mp4'),
    )
  })
})
