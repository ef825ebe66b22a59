import { describe, expect, it } from 'vitest'
import {
  describeProbeFailure,
  scanFacts,
  packetTimes,
  trueDuration,
  isElementaryStream,
  bitDepthOf,
  parseProbe,
  parseRate,
  rotationOf,
  type FfprobeJson,
  type FfprobeStream,
} from './probe-parse'

function videoStream(extra: Partial<FfprobeStream> = {}): FfprobeStream {
  return {
    index: 0,
    codec_type: 'video',
    codec_name: 'h264',
    profile: 'High',
    pix_fmt: 'yuv420p',
    width: 1920,
    height: 1080,
    r_frame_rate: '30/1',
    avg_frame_rate: '30/1',
    nb_frames: '300',
    duration: '10.000000',
    ...extra,
  }
}

function audioStream(index: number, extra: Partial<FfprobeStream> = {}): FfprobeStream {
  return {
    index,
    codec_type: 'audio',
    codec_name: 'aac',
    channels: 2,
    sample_rate: '48000',
    ...extra,
  }
}

function probeJson(streams: FfprobeStream[], format: FfprobeJson['format'] = {}): FfprobeJson {
  return {
    format: {
      format_name: 'mov,mp4,m4a,3gp,3g2,mj2',
      duration: '10.000000',
      start_time: '0.000000',
      ...format,
    },
    streams,
  }
}

describe('parseRate', () => {
  it.each<[string | undefined, number]>([
    ['30/1', 30],
    ['25', 25],
    ['24000/1001', 24000 / 1001],
    ['60000/1001', 60000 / 1001],
    ['0/0', 0],
    ['30/0', 0],
    ['abc', 0],
    ['30/abc', 0],
    ['', 0],
    [undefined, 0],
  ])('%j → %d', (rate, expected) => {
    expect(parseRate(rate)).toBeCloseTo(expected, 10)
  })

  it('30000/1001 is about 29.97', () => {
    expect(parseRate('30000/1001')).toBeCloseTo(29.97, 2)
  })
})

describe('rotationOf', () => {
  it('is 0 without side data or tags', () => {
    expect(rotationOf(videoStream())).toBe(0)
  })

  it.each([
    [-90, 90],
    [90, 270],
    [180, 180],
    [-180, 180],
    [270, 90],
    [-270, 270],
    [0, 0],
    [360, 0],
    [-89.9, 90],
  ])(
    'turns the counter-clockwise display matrix rotation %d into %d clockwise',
    (matrix, clockwise) => {
      const stream = videoStream({
        side_data_list: [{ side_data_type: 'Display Matrix', rotation: matrix }],
      })
      expect(rotationOf(stream)).toBe(clockwise)
    },
  )

  it('finds the display matrix among other side data', () => {
    const stream = videoStream({
      side_data_list: [
        { side_data_type: 'Spherical Mapping' },
        { side_data_type: 'Display Matrix', rotation: -90 },
      ],
    })
    expect(rotationOf(stream)).toBe(90)
  })

  it.each([
    ['90', 90],
    ['180', 180],
    ['270', 270],
    ['-90', 270],
    ['nonsense', 0],
  ])('reads the legacy clockwise rotate tag %j as %d', (tag, expected) => {
    expect(rotationOf(videoStream({ tags: { rotate: tag } }))).toBe(expected)
  })

  it('prefers the display matrix over the legacy tag', () => {
    const stream = videoStream({
      tags: { rotate: '180' },
      side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }],
    })
    expect(rotationOf(stream)).toBe(90)
  })
})

describe('bitDepthOf', () => {
  it('uses bits_per_raw_sample when present', () => {
    expect(bitDepthOf(videoStream({ bits_per_raw_sample: '10', pix_fmt: 'yuv420p' }))).toBe(10)
  })

  it.each([
    ['yuv420p10le', 10],
    ['yuv422p10be', 10],
    ['yuv444p12le', 12],
    ['yuv420p', 8],
    ['rgb24', 8],
    [undefined, 8],
  ])('reads %s from the pixel format as %d', (pixFmt, expected) => {
    const stream = videoStream(pixFmt === undefined ? {} : { pix_fmt: pixFmt })
    if (pixFmt === undefined) delete stream.pix_fmt
    expect(bitDepthOf(stream)).toBe(expected)
  })

  it('ignores a zero or garbage bits_per_raw_sample', () => {
    expect(bitDepthOf(videoStream({ bits_per_raw_sample: '0', pix_fmt: 'yuv420p10le' }))).toBe(10)
    expect(bitDepthOf(videoStream({ bits_per_raw_sample: 'N/A', pix_fmt: 'yuv420p' }))).toBe(8)
  })
})

describe('parseProbe', () => {
  it('returns null when there is no video stream', () => {
    expect(parseProbe(probeJson([audioStream(0)]), '/a/song.m4a', 100)).toBeNull()
    expect(parseProbe(probeJson([]), '/a/x', 100)).toBeNull()
    expect(parseProbe({}, '/a/x', 0)).toBeNull()
  })

  it('ignores cover art (attached_pic): audio with a cover is not a video', () => {
    const cover = videoStream({ index: 1, codec_name: 'mjpeg', disposition: { attached_pic: 1 } })
    expect(parseProbe(probeJson([audioStream(0), cover]), '/a/song.mp3', 100)).toBeNull()
  })

  it('picks the real video stream after a cover-art stream', () => {
    const cover = videoStream({
      index: 0,
      codec_name: 'png',
      width: 500,
      height: 500,
      disposition: { attached_pic: 1 },
    })
    const real = videoStream({
      index: 1,
      codec_name: 'hevc',
      width: 1280,
      height: 720,
      disposition: { attached_pic: 0 },
    })
    const result = parseProbe(probeJson([cover, real]), '/a/x.mkv', 100)
    expect(result).toMatchObject({ codec: 'hevc', width: 1280, height: 720 })
  })

  it('maps a plain stream', () => {
    const result = parseProbe(probeJson([videoStream()]), '/videos/clip.mp4', 12345)
    expect(result).toEqual({
      path: '/videos/clip.mp4',
      sizeBytes: 12345,
      container: 'mov,mp4,m4a,3gp,3g2,mj2',
      durationSec: 10,
      startTimeSec: 0,
      codec: 'h264',
      profile: 'High',
      pixelFormat: 'yuv420p',
      bitDepth: 8,
      codedWidth: 1920,
      codedHeight: 1080,
      width: 1920,
      height: 1080,
      rotation: 0,
      fpsNominal: 30,
      fpsAverage: 30,
      variableFrameRate: false,
      frameCount: 300,
      durationSource: 'header',
      audio: [],
    })
  })

  it('omits profile when ffprobe gives none, and fills unknowns', () => {
    const stream: FfprobeStream = { index: 0, codec_type: 'video', width: 64, height: 48 }
    const result = parseProbe({ streams: [stream] }, '/x', 1)
    expect(result).not.toBeNull()
    expect(result).not.toHaveProperty('profile')
    expect(result).toMatchObject({
      codec: 'unknown',
      pixelFormat: 'unknown',
      container: 'unknown',
      durationSec: 0,
    })
  })

  it.each([
    [-90, 90],
    [90, 270],
  ])(
    'swaps width and height for display-matrix rotation %d (%d clockwise)',
    (matrix, clockwise) => {
      const stream = videoStream({
        width: 1920,
        height: 1080,
        side_data_list: [{ side_data_type: 'Display Matrix', rotation: matrix }],
      })
      const result = parseProbe(probeJson([stream]), '/phone.mov', 1)
      expect(result).toMatchObject({
        rotation: clockwise,
        codedWidth: 1920,
        codedHeight: 1080,
        width: 1080,
        height: 1920,
      })
    },
  )

  it('does not swap for a 180° rotation', () => {
    const stream = videoStream({ width: 1920, height: 1080, tags: { rotate: '180' } })
    expect(parseProbe(probeJson([stream]), '/x', 1)).toMatchObject({
      rotation: 180,
      width: 1920,
      height: 1080,
    })
  })

  it('detects variable frame rate when the average differs from the nominal by more than 1%', () => {
    const vfr = parseProbe(
      probeJson([videoStream({ r_frame_rate: '30/1', avg_frame_rate: '24/1' })]),
      '/x',
      1,
    )
    expect(vfr).toMatchObject({ fpsNominal: 30, fpsAverage: 24, variableFrameRate: true })
    // 240 fps nominal from a phone, 29.5 average.
    const phone = parseProbe(
      probeJson([videoStream({ r_frame_rate: '240/1', avg_frame_rate: '59000/2000' })]),
      '/x',
      1,
    )
    expect(phone?.variableFrameRate).toBe(true)
  })

  it('treats NTSC rates and tiny jitter as constant', () => {
    const ntsc = parseProbe(
      probeJson([videoStream({ r_frame_rate: '30000/1001', avg_frame_rate: '30000/1001' })]),
      '/x',
      1,
    )
    expect(ntsc?.variableFrameRate).toBe(false)
    const jitter = parseProbe(
      probeJson([videoStream({ r_frame_rate: '30/1', avg_frame_rate: '2985/100' })]),
      '/x',
      1,
    )
    expect(jitter?.variableFrameRate).toBe(false)
  })

  it('falls back to the nominal rate when the average is unknown, and is then not VFR', () => {
    const result = parseProbe(
      probeJson([videoStream({ r_frame_rate: '25/1', avg_frame_rate: '0/0' })]),
      '/x',
      1,
    )
    expect(result).toMatchObject({ fpsNominal: 25, fpsAverage: 25, variableFrameRate: false })
  })

  it('takes the duration from the stream when the container has none', () => {
    const json = probeJson([videoStream({ duration: '4.5' })], { duration: undefined })
    delete json.format?.duration
    expect(parseProbe(json, '/x', 1)?.durationSec).toBe(4.5)
  })

  it("prefers the video stream's own duration over the container's", () => {
    // The container also spans a longer audio track.
    const json = probeJson(
      [videoStream({ duration: '4.0' }), audioStream(1, { duration: '6.5' })],
      { duration: '6.5' },
    )
    expect(parseProbe(json, '/x', 1)?.durationSec).toBe(4)
  })

  it('estimates the frame count from duration × average fps when nb_frames is missing', () => {
    const stream = videoStream({ avg_frame_rate: '25/1', r_frame_rate: '25/1', duration: '2.0' })
    delete stream.nb_frames
    expect(parseProbe(probeJson([stream]), '/x', 1)?.frameCount).toBe(50)
  })

  it('reads the start time from the video stream, else from the container', () => {
    const fromStream = parseProbe(
      probeJson([videoStream({ start_time: '0.5' })], { start_time: '1.25' }),
      '/x',
      1,
    )
    expect(fromStream?.startTimeSec).toBe(0.5)
    const fromContainer = parseProbe(probeJson([videoStream()], { start_time: '1.25' }), '/x', 1)
    expect(fromContainer?.startTimeSec).toBe(1.25)
  })

  it('lists every audio track with codec, channels, rate and a real language only', () => {
    const result = parseProbe(
      probeJson([
        audioStream(0, { tags: { language: 'eng' } }),
        videoStream({ index: 1 }),
        audioStream(2, {
          codec_name: 'opus',
          channels: 6,
          sample_rate: '44100',
          tags: { language: 'und' },
        }),
        audioStream(3, { codec_name: undefined, channels: undefined, sample_rate: undefined }),
        { index: 4, codec_type: 'subtitle', codec_name: 'mov_text' },
      ]),
      '/x',
      1,
    )
    expect(result?.audio).toEqual([
      { index: 0, codec: 'aac', channels: 2, sampleRate: 48000, language: 'eng' },
      { index: 2, codec: 'opus', channels: 6, sampleRate: 44100 },
      { index: 3, codec: 'unknown', channels: 0, sampleRate: 0 },
    ])
  })

  it('reads 10-bit HDR streams', () => {
    const result = parseProbe(
      probeJson([videoStream({ codec_name: 'hevc', profile: 'Main 10', pix_fmt: 'yuv420p10le' })]),
      '/x',
      1,
    )
    expect(result).toMatchObject({ bitDepth: 10, profile: 'Main 10', pixelFormat: 'yuv420p10le' })
  })
})

describe('describeProbeFailure', () => {
  const other = 'Check that it plays in another player; if it does, convert it to MP4 and add that.'
  it('says in plain words what is wrong, without ffprobe’s demuxer names and memory addresses', () => {
    expect(
      describeProbeFailure(
        '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x5598c1f95180] moov atom not found\nclip.mp4: Invalid data found when processing input\n',
      ),
    ).toBe(
      'the file is cut off: its index is missing (a recording or copy that did not finish). Copy or export it again.',
    )
    // The same complaint about a text file named .mp4: it was never an MP4, so not "cut off".
    expect(describeProbeFailure('[mov,mp4 @ 0x55aa] moov atom not found', false)).toBe(
      `not a video file, or one too damaged to read. ${other}`,
    )
    expect(describeProbeFailure('notes.txt: Invalid data found when processing input\n')).toBe(
      `not a video file, or one too damaged to read. ${other}`,
    )
    expect(describeProbeFailure('clip.mkv: Permission denied')).toBe(
      'no permission to read it. Check that your account may open this file.',
    )
    // ffmpeg's own words, with its memory addresses, are not for the user.
    expect(describeProbeFailure('[matroska @ 0x1234abcd] Something odd at 0x7ffd5a2b1c40')).toBe(
      `not a video Reanimate can read. ${other}`,
    )
    expect(describeProbeFailure('')).toBe(`not a video Reanimate can read. ${other}`)
  })
})

describe('scanFacts', () => {
  const steady = (n: number, fps: number, from = 0) =>
    Array.from({ length: n }, (_, i) => from + i / fps)
  it('counts evenly spaced frames and calls them constant-rate', () => {
    expect(scanFacts(steady(50, 25), 25)).toEqual({
      frameCount: 50,
      variableFrameRate: false,
      spanSec: 2,
    })
  })
  it('sees a gap, a second frame rate, or a count the rate does not explain', () => {
    const gap = [...steady(60, 30), ...steady(60, 30, 4)]
    expect(scanFacts(gap, 30)).toMatchObject({ frameCount: 120, variableFrameRate: true })
    const mixed = [...steady(60, 30), ...steady(60, 15, 2)]
    expect(scanFacts(mixed, 30)).toMatchObject({ frameCount: 120, variableFrameRate: true })
    // Evenly spaced at 15 fps while the header claims 30: half the frames the header suggests.
    expect(scanFacts(steady(60, 15), 30)).toMatchObject({ frameCount: 60, variableFrameRate: true })
  })
  it('sorts B-frame packet order and ignores missing timestamps', () => {
    const times = steady(30, 30)
    const shuffled = [times[0], times[2], times[1], ...times.slice(3), Number.NaN] as number[]
    expect(scanFacts(shuffled, 30)).toMatchObject({ frameCount: 30, variableFrameRate: false })
    expect(scanFacts([1], 30)).toBeNull()
  })
})

describe('packetTimes', () => {
  it('takes the presentation time, else the decoding time, and counts every packet', () => {
    // A raw MPEG-1 stream: only the first packet has a pts.
    expect(packetTimes('0.000000,0.000000\nN/A,0.033333\nN/A,0.066667\n')).toEqual({
      times: [0, 0.033333, 0.066667],
      packets: 3,
    })
    // Raw H.264: packets, no timestamps at all.
    expect(packetTimes('N/A,N/A\nN/A,N/A\n\n')).toEqual({ times: [], packets: 2 })
  })
})

describe('scanFacts without timestamps', () => {
  it('counts packets as frames at the stated rate', () => {
    expect(scanFacts([], 25, 75)).toEqual({ frameCount: 75, variableFrameRate: false, spanSec: 3 })
    expect(scanFacts([], 0, 75)).toBeNull()
  })
})

describe('trueDuration', () => {
  it("keeps the header's length when the packets agree within a frame and a half", () => {
    expect(trueDuration(2.0, { spanSec: 2.04, frameCount: 50 })).toEqual({
      durationSec: 2.0,
      source: 'header',
    })
  })
  it("takes the packets' span when the header is missing or a guess", () => {
    expect(trueDuration(0.019, { spanSec: 5.4, frameCount: 162 })).toEqual({
      durationSec: 5.4,
      source: 'scan',
    })
    expect(trueDuration(0, { spanSec: 3, frameCount: 75 })).toEqual({
      durationSec: 3,
      source: 'scan',
    })
  })
})

describe('isElementaryStream', () => {
  it('knows raw streams from containers', () => {
    expect(isElementaryStream('mpegvideo')).toBe(true)
    expect(isElementaryStream('h264')).toBe(true)
    expect(isElementaryStream('mov,mp4,m4a,3gp,3g2,mj2')).toBe(false)
    expect(isElementaryStream('mpeg')).toBe(false)
  })
})
