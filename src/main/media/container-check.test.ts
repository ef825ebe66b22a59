import { describe, expect, it } from 'vitest'
import { containerProblem, withLocalInputsOnly } from './container-check'

describe('containerProblem', () => {
  it.each([
    'mov,mp4,m4a,3gp,3g2,mj2',
    'matroska,webm',
    'avi',
    'mpegts',
    'mpegvideo',
    'gif',
    'flv',
    'asf',
    'ogg',
  ])('accepts %s', (name) => {
    expect(containerProblem(name)).toBeNull()
  })

  it.each([
    ['hls', 'a streaming playlist, not a video file'],
    ['concat', 'a list of other files, not a video file'],
    ['image2', 'a still image or an image sequence, not a video'],
    ['png_pipe', 'a still image or an image sequence, not a video'],
    ['lavfi', 'not a video file'],
    ['tty', 'its format (tty) is not a video container Reanimate accepts'],
    [undefined, 'not a video file'],
  ])('refuses %s in plain words', (name, words) => {
    expect(containerProblem(name)).toBe(words)
  })
})

describe('withLocalInputsOnly', () => {
  it('restricts every input to local files and leaves the rest alone', () => {
    expect(
      withLocalInputsOnly(['-ss', '1', '-i', 'a.mp4', '-i', 'b.mp4', '-map', '0:v', 'out.mp4']),
    ).toEqual([
      '-ss',
      '1',
      '-protocol_whitelist',
      'file',
      '-i',
      'a.mp4',
      '-protocol_whitelist',
      'file',
      '-i',
      'b.mp4',
      '-map',
      '0:v',
      'out.mp4',
    ])
  })
})
