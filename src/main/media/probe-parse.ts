import type { AudioTrack, ProbeResult } from '../../shared/media'

/** The parts of `ffprobe -show_format -show_streams -print_format json` this app reads. */
export interface FfprobeJson {
  format?: { format_name?: string; duration?: string; start_time?: string; size?: string }
  streams?: FfprobeStream[]
}

export interface FfprobeStream {
  index: number
  codec_type?: string
  codec_name?: string
  profile?: string
  pix_fmt?: string
  bits_per_raw_sample?: string
  width?: number
  height?: number
  coded_width?: number
  coded_height?: number
  r_frame_rate?: string
  avg_frame_rate?: string
  nb_frames?: string
  duration?: string
  start_time?: string
  channels?: number
  sample_rate?: string
  tags?: Record<string, string>
  side_data_list?: { side_data_type?: string; rotation?: number }[]
  disposition?: { attached_pic?: number }
}

/** `30000/1001` → 29.97; `0/0` and garbage → 0. */
export function parseRate(rate: string | undefined): number {
  if (!rate) return 0
  const [n, d] = rate.split('/').map(Number)
  if (n === undefined || !Number.isFinite(n)) return 0
  if (d === undefined) return n
  return d > 0 && Number.isFinite(d) ? n / d : 0
}

function num(v: string | number | undefined): number {
  const n = typeof v === 'number' ? v : Number(v)
  return Number.isFinite(n) ? n : 0
}

/** Rotation in degrees clockwise, normalised to 0/90/180/270, from the display matrix or legacy tag. */
export function rotationOf(stream: FfprobeStream): number {
  const side = stream.side_data_list?.find((s) => typeof s.rotation === 'number')
  // The display matrix rotation is counter-clockwise; the legacy `rotate` tag is clockwise.
  const raw = side ? -num(side.rotation) : num(stream.tags?.rotate)
  return (((Math.round(raw / 90) * 90) % 360) + 360) % 360
}

/** Bits per sample from the pixel format, e.g. yuv420p10le → 10. */
export function bitDepthOf(stream: FfprobeStream): number {
  const raw = num(stream.bits_per_raw_sample)
  if (raw > 0) return raw
  const fmt = stream.pix_fmt ?? ''
  // p010le, p016le: semi-planar 10/16-bit; rgb48/rgba64: 16 bits a channel; yuv420p10le, gray12le: the suffix.
  const semiPlanar = /^p0(\d\d)/.exec(fmt)
  if (semiPlanar) return Number(semiPlanar[1])
  if (/^(rgb|bgr)a?(48|64)/.test(fmt)) return 16
  const m = /\D(\d{1,2})(?:le|be)$/.exec(fmt)
  return m ? Number(m[1]) : 8
}

/** ffprobe's JSON → the app's ProbeResult; `null` when there is no video stream. */
export function parseProbe(json: FfprobeJson, file: string, sizeBytes: number): ProbeResult | null {
  const streams = json.streams ?? []
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic)
  if (!video) return null
  const rotation = rotationOf(video)
  const width = num(video.width)
  const height = num(video.height)
  const swap = rotation === 90 || rotation === 270
  // The video stream's own span: a container's duration can include leading gaps or other streams.
  const durationSec = num(video.duration) || num(json.format?.duration)
  const fpsNominal = parseRate(video.r_frame_rate)
  const fpsAverage = parseRate(video.avg_frame_rate) || fpsNominal
  const frameCount = num(video.nb_frames) || Math.round(durationSec * fpsAverage)
  const audio: AudioTrack[] = streams
    .filter((s) => s.codec_type === 'audio')
    .map((s) => {
      const track: AudioTrack = {
        index: s.index,
        codec: s.codec_name ?? 'unknown',
        channels: num(s.channels),
        sampleRate: num(s.sample_rate),
      }
      const lang = s.tags?.language
      if (lang && lang !== 'und') track.language = lang
      return track
    })
  const result: ProbeResult = {
    path: file,
    sizeBytes,
    container: json.format?.format_name ?? 'unknown',
    durationSec,
    startTimeSec: num(video.start_time) || num(json.format?.start_time),
    codec: video.codec_name ?? 'unknown',
    pixelFormat: video.pix_fmt ?? 'unknown',
    bitDepth: bitDepthOf(video),
    codedWidth: width,
    codedHeight: height,
    width: swap ? height : width,
    height: swap ? width : height,
    rotation,
    fpsNominal,
    fpsAverage,
    // A rate mismatch of more than 1% means frames are not evenly spaced.
    variableFrameRate:
      fpsNominal > 0 && fpsAverage > 0 && Math.abs(fpsNominal - fpsAverage) / fpsNominal > 0.01,
    frameCount,
    durationSource: 'header',
    audio,
  }
  if (video.profile) result.profile = video.profile
  return result
}

/** An MP4/MOV/3GP file starts with an `ftyp` box (or, in old QuickTime files, `moov`/`mdat`/`wide`). */
export function hasIsoHeader(head: Buffer): boolean {
  const box = head.subarray(4, 8).toString('latin1')
  return ['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip'].includes(box)
}

/**
 * ffprobe's complaint about an unreadable file, in words a user can act on. ffprobe prefixes its
 * lines with the demuxer and a memory address ("[mov,mp4,… @ 0x55…] moov atom not found"); that
 * never reaches the user.
 */
export function describeProbeFailure(stderr: string, looksLikeMp4 = true): string {
  const line = (stderr.split('\n').find((l) => l.trim()) ?? '')
    // ffmpeg's "[matroska @ 0x55d0…]" prefixes and any other memory address mean nothing to a user.
    .replace(/\[[^\]]*@ 0x[0-9a-f]+\]\s*/gi, '')
    .replace(/\b0x[0-9a-f]{6,}\b/gi, '')
    .replace(/^.*?:\s(?=[A-Z])/, '')
    .trim()
  const other = 'Check that it plays in another player; if it does, convert it to MP4 and add that.'
  // An MP4/MOV without its index was cut off; a file that never was one only has the wrong name.
  if (/moov atom not found/i.test(line))
    return looksLikeMp4
      ? 'the file is cut off: its index is missing (a recording or copy that did not finish). Copy or export it again.'
      : `not a video file, or one too damaged to read. ${other}`
  if (/invalid data found when processing input/i.test(line))
    return `not a video file, or one too damaged to read. ${other}`
  if (/end of file|truncat/i.test(line))
    return 'the file is cut off before its end. Copy or export it again.'
  if (/permission denied/i.test(line))
    return 'no permission to read it. Check that your account may open this file.'
  // Other complaints stay in the ffmpeg log (media.commands); the user gets plain words.
  return `not a video Reanimate can read. ${other}`
}

/**
 * One packet per line of `-show_entries packet=pts_time,dts_time -of csv=p=0`, as seconds: the
 * presentation time, else the decoding time (raw MPEG video streams give most packets no pts).
 */
export function packetTimes(csv: string): { times: number[]; packets: number } {
  const times: number[] = []
  let packets = 0
  for (const line of csv.split('\n')) {
    if (!line.trim()) continue
    packets += 1
    const [pts, dts] = line.split(',').map((v) => Number.parseFloat(v ?? ''))
    const t = Number.isFinite(pts) ? pts : dts
    if (t !== undefined && Number.isFinite(t)) times.push(t)
  }
  return { times, packets }
}

/** Containers that are one raw stream: their header timing is a guess from the bitrate. */
export function isElementaryStream(container: string): boolean {
  const names = container.split(',')
  return ['mpegvideo', 'm4v', 'h264', 'hevc', 'h263', 'mjpeg', 'cavsvideo', 'vc1', 'obu'].some(
    (n) => names.includes(n),
  )
}

/**
 * The length to trust once the packets were counted: the header's, unless it is missing or more
 * than a frame and a half away from the packets' own span (a header guessed from the bitrate).
 */
export function trueDuration(
  headerSec: number,
  scan: { spanSec: number; frameCount: number },
): { durationSec: number; source: 'header' | 'scan' } {
  const frame = scan.frameCount > 0 ? scan.spanSec / scan.frameCount : 0
  if (headerSec > 0 && Math.abs(headerSec - scan.spanSec) <= frame * 1.5)
    return { durationSec: headerSec, source: 'header' }
  return { durationSec: scan.spanSec, source: 'scan' }
}

/**
 * What the packets of the video stream say, when the header has no frame count (MPEG-TS, MKV,
 * WebM, raw streams): the true number of frames, and whether frames are evenly spaced. `pts` are
 * the packets' times in seconds, in file order.
 */
export function scanFacts(
  pts: number[],
  fpsNominal: number,
  packets = pts.length,
): { frameCount: number; variableFrameRate: boolean; spanSec: number } | null {
  const times = pts.filter((t) => Number.isFinite(t)).sort((a, b) => a - b)
  // A raw stream without any timestamps (H.264 Annex B): one packet a frame at the stated rate.
  if (times.length < 2 && packets >= 2 && fpsNominal > 0)
    return { frameCount: packets, variableFrameRate: false, spanSec: packets / fpsNominal }
  if (times.length < 2) return null
  const intervals: number[] = []
  for (let i = 1; i < times.length; i++) {
    const d = (times[i] as number) - (times[i - 1] as number)
    if (d > 0) intervals.push(d)
  }
  const sorted = [...intervals].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0
  const longest = sorted.at(-1) ?? 0
  const shortest = sorted[0] ?? 0
  const spanSec = (times.at(-1) as number) - (times[0] as number) + median
  // Evenly spaced frames differ by timestamp rounding only; a gap or a second rate stands out.
  const uneven = median > 0 && (longest > median * 1.5 || shortest < median / 1.5)
  const expected = fpsNominal > 0 ? spanSec * fpsNominal : times.length
  const mismatch = Math.abs(expected - times.length) > Math.max(1, times.length * 0.02)
  return { frameCount: times.length, variableFrameRate: uneven || mismatch, spanSec }
}
