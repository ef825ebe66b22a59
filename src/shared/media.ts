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
  /**
   * Where `durationSec` comes from: the container's header, or a scan of the video packets when
   * the header had no reliable timing (elementary streams, files without an index).
   */
  durationSource: 'header' | 'scan'
  audio: AudioTrack[]
}

/**
 * Longest side of the clip sent to fal by default. AnimateDiff (SD 1.5) works around 512 px; 768
 * keeps detail for the upscaled look while keeping uploads and GPU time modest.
 */
export const DEFAULT_PREPARE_MAX_SIDE = 768

export interface TimeRange {
  startSec: number
  /** Exclusive; omitted = to the end of the clip. */
  endSec?: number
}

export interface PrepareOptions {
  /** Longest side in pixels, or 'original' to keep the size (made even). */
  maxSide: number | 'original'
}

/** What a prepared file will be, known before ffmpeg runs. */
export interface PreparePlanFacts {
  width: number
  height: number
  fps: number
  /** As a rational for ffmpeg, e.g. 30000/1001. */
  fpsRational: string
  startSec: number
  durationSec: number
  frameCount: number
}

export interface MediaProgress {
  fraction: number
  speed: number
  etaSec: number | null
  elapsedSec: number
}
