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
    audio,
  }
  if (video.profile) result.profile = video.profile
  return result
}
