import { describe, expect, it } from 'vitest'
import { concatQuoted, filmstripTimes, needsPlaybackProxy, planFilmstrip } from './preview-plan'

describe('needsPlaybackProxy', () => {
  it('lets Chromium play 8-bit 4:2:0 H.264/VP9/AV1 in MP4, MOV or WebM', () => {
    expect(
      needsPlaybackProxy({
        codec: 'h264',
        pixelFormat: 'yuv420p',
        container: 'mov,mp4,m4a,3gp,3g2,mj2',
      }),
    ).toBe(false)
    expect(
      needsPlaybackProxy({
        codec: 'vp9',
        pixelFormat: 'yuv420p',
        container: 'matroska,webm',
        audio: [{ codec: 'opus' }],
      }),
    ).toBe(false)
    expect(
      needsPlaybackProxy({
        codec: 'h264',
        pixelFormat: 'yuv420p',
        container: 'mov,mp4',
        audio: [{ codec: 'aac' }],
      }),
    ).toBe(false)
  })
  it('proxies HEVC, ProRes, MPEG-4 Part 2 AVI, 10-bit and 4:4:4 H.264, GIF and transport streams', () => {
    expect(
      needsPlaybackProxy({ codec: 'hevc', pixelFormat: 'yuv420p10le', container: 'mov,mp4' }),
    ).toBe(true)
    expect(
      needsPlaybackProxy({ codec: 'prores', pixelFormat: 'yuv422p10le', container: 'mov,mp4' }),
    ).toBe(true)
    expect(needsPlaybackProxy({ codec: 'mpeg4', pixelFormat: 'yuv420p', container: 'avi' })).toBe(
      true,
    )
    expect(
      needsPlaybackProxy({ codec: 'h264', pixelFormat: 'yuv420p10le', container: 'mov,mp4' }),
    ).toBe(true)
    expect(
      needsPlaybackProxy({ codec: 'h264', pixelFormat: 'yuv444p', container: 'matroska,webm' }),
    ).toBe(true)
    expect(needsPlaybackProxy({ codec: 'gif', pixelFormat: 'bgra', container: 'gif' })).toBe(true)
    expect(needsPlaybackProxy({ codec: 'h264', pixelFormat: 'yuv420p', container: 'mpegts' })).toBe(
      true,
    )
    // MKV with H.264 looks like WebM to ffprobe; WebM cannot hold H.264.
    expect(
      needsPlaybackProxy({ codec: 'h264', pixelFormat: 'yuv420p', container: 'matroska,webm' }),
    ).toBe(true)
    // A MOV with PCM audio would play silent.
    expect(
      needsPlaybackProxy({
        codec: 'h264',
        pixelFormat: 'yuv420p',
        container: 'mov,mp4',
        audio: [{ codec: 'pcm_s16le' }],
      }),
    ).toBe(true)
  })
})

describe('filmstrip planning', () => {
  it('samples the middle of equal slices of the range', () => {
    expect(filmstripTimes(10, 20, 4)).toEqual([11.25, 13.75, 16.25, 18.75])
  })
  const mp4 = { file: '/v.mp4', container: 'mov,mp4,m4a,3gp,3g2,mj2', startTimeSec: 0 }
  it('seeks each close thumbnail on its own input and decodes it exactly', () => {
    const { args, list } = planFilmstrip(mp4, [1, 2, 3], 72, '/o.jpg', '/l.txt')
    expect(list).toBeNull()
    expect(args.slice(0, 12)).toEqual([
      '-ss',
      '1.000',
      '-i',
      '/v.mp4',
      '-ss',
      '2.000',
      '-i',
      '/v.mp4',
      '-ss',
      '3.000',
      '-i',
      '/v.mp4',
    ])
    expect(args[args.indexOf('-filter_complex') + 1]).toContain('[t0][t1][t2]hstack=inputs=3[out]')
    expect(args).not.toContain('-skip_frame')
  })
  it('reads far-apart thumbnails of an indexed file through one list, keyframes only', () => {
    const { args, list } = planFilmstrip(
      { ...mp4, startTimeSec: 1.5 },
      filmstripTimes(0, 600, 20),
      72,
      '/o.jpg',
      '/l.txt',
    )
    expect(args.filter((a) => a === '-i')).toEqual(['-i'])
    expect(args.slice(0, 10)).toEqual([
      '-threads',
      '1',
      '-skip_frame',
      'nokey',
      '-f',
      'concat',
      '-safe',
      '0',
      '-i',
      '/l.txt',
    ])
    expect(args[args.indexOf('-vf') + 1]).toBe(
      'fps=fps=1/100000:start_time=0,scale=-2:72,setsar=1,format=yuvj420p,tile=20x1',
    )
    const lines = (list ?? '').split('\n')
    expect(lines[0]).toBe('ffconcat version 1.0')
    // In file time (the start offset added), from each slice's middle to 1 ms after it.
    expect(lines.slice(1, 5)).toEqual([
      "file '/v.mp4'",
      'inpoint 16.500000',
      'outpoint 16.501000',
      'duration 100000',
    ])
    // 20 entries and the last once more, so fps lets the real last one out.
    expect(lines.filter((l) => l.startsWith('inpoint'))).toHaveLength(21)
    expect(lines.filter((l) => l === 'inpoint 586.500000')).toHaveLength(2)
  })
  it('keeps one input per thumbnail where a list cannot serve: no index, or a line break in the name', () => {
    const times = filmstripTimes(0, 600, 20)
    for (const source of [
      { ...mp4, file: '/v.ts', container: 'mpegts' },
      { ...mp4, file: '/odd\nname.mp4' },
    ]) {
      const { args, list } = planFilmstrip(source, times, 72, '/o.jpg', '/l.txt')
      expect(list).toBeNull()
      expect(args.slice(0, 7)).toEqual([
        '-skip_frame',
        'nokey',
        '-noaccurate_seek',
        '-ss',
        '15.000',
        '-i',
        source.file,
      ])
      expect(args.filter((a) => a === 'nokey')).toHaveLength(20)
    }
  })
  it('quotes a path for a concat list', () => {
    expect(concatQuoted("/a b/it's.mp4")).toBe("'/a b/it'\\''s.mp4'")
    expect(concatQuoted('C:\\Users\\me\\v.mov')).toBe("'C:\\Users\\me\\v.mov'")
    expect(concatQuoted('/x\r.mp4')).toBeNull()
  })
})
