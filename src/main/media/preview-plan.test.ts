import { describe, expect, it } from 'vitest'
import { filmstripTimes, needsPlaybackProxy, planFilmstrip } from './preview-plan'

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
  it('seeks each thumbnail on its own input, before decoding', () => {
    const args = planFilmstrip('/v.mp4', [1, 2, 3], 72, '/o.jpg')
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
  it('decodes keyframes only when thumbnails are far apart', () => {
    const args = planFilmstrip('/v.mp4', filmstripTimes(0, 600, 20), 72, '/o.jpg')
    expect(args.slice(0, 7)).toEqual([
      '-skip_frame',
      'nokey',
      '-noaccurate_seek',
      '-ss',
      '15.000',
      '-i',
      '/v.mp4',
    ])
    expect(args.filter((a) => a === 'nokey')).toHaveLength(20)
  })
})
