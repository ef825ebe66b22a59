/** What the app knows about the ffmpeg/ffprobe it runs, so the UI can say which one it uses. */
export type BinarySource = 'setting' | 'env' | 'bundled' | 'path'

export interface ResolvedBinary {
  name: 'ffmpeg' | 'ffprobe'
  path: string
  source: BinarySource
  version: string
}

export interface ToolsStatus {
  ffmpeg: ResolvedBinary | null
  ffprobe: ResolvedBinary | null
  /** Why a binary is missing, in words that say what to do. */
  problems: string[]
}

export interface AudioTrack {
  index: number
  codec: string
  channels: number
  sampleRate: number
  language?: string
}

export interface ProbeResult {
  path: string
  sizeBytes: number
  container: string
  durationSec: number
  startTimeSec: number
  codec: string
  profile?: string
  pixelFormat: string
  bitDepth: number
  /** Stored frame size. */
  codedWidth: number
  codedHeight: number
  /** Size as shown, rotation applied. */
  width: number
  height: number
  rotation: number
  /** r_frame_rate: the rate the stream claims. */
  fpsNominal: number
  /** avg_frame_rate: frames / duration. */
  fpsAverage: number
  variableFrameRate: boolean
  frameCount: number
  audio: AudioTrack[]
}
