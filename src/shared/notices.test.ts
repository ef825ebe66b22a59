import { describe, expect, it } from 'vitest'
import { batchFinishedNotice, renderFinishedNotice } from './notices'

describe('finished notices', () => {
  it('name the clip and its result by file name, on any OS', () => {
    expect(
      renderFinishedNotice('done', 'C:\\clips\\beach.mp4', '/out/beach.reanimate.mp4'),
    ).toEqual({
      title: 'Reanimate: render finished',
      body: 'beach.mp4 → beach.reanimate.mp4',
    })
  })
  it('say why a render failed, or where to look', () => {
    expect(
      renderFinishedNotice('failed', '/c/a.mp4', '/o/a.mp4', 'fal could not render it').body,
    ).toBe('a.mp4: fal could not render it')
    expect(renderFinishedNotice('failed', '/c/a.mp4', '/o/a.mp4').body).toBe('a.mp4: see the queue')
  })
  it('count a batch and say where it went', () => {
    expect(batchFinishedNotice({ succeeded: 3, failed: 1, outDir: '/out' }).body).toBe(
      '3 done, 1 failed — /out',
    )
  })
})
