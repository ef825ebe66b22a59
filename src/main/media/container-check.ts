/**
 * Which containers Reanimate accepts as a video: what cameras, phones, editors and encoders write.
 * Anything else ffmpeg can open (playlists, concat lists, image sequences, devices, filter graphs)
 * could pull other files or sources into an upload, so it is refused in plain words. Names are
 * ffprobe's `format_name` parts (it reports e.g. "mov,mp4,m4a,3gp,3g2,mj2").
 */
const VIDEO_CONTAINERS = new Set([
  'mov',
  'mp4',
  'm4a',
  '3gp',
  '3g2',
  'mj2',
  'matroska',
  'webm',
  'avi',
  'mpegts',
  'mpeg',
  'mpegvideo',
  'm4v',
  'h264',
  'hevc',
  'h263',
  'mjpeg',
  'ivf',
  'obu',
  'gif',
  'flv',
  'asf',
  'ogg',
  'mxf',
  'dv',
  'nut',
  'rm',
  'yuv4mpegpipe',
  'wtv',
])

const REFUSED: [RegExp, string][] = [
  [/^(hls|applehttp|dash)$/, 'a streaming playlist, not a video file'],
  [/^(concat|ffconcat)$/, 'a list of other files, not a video file'],
  [/^(image2|image2pipe|.*_pipe|apng|webp)$/, 'a still image or an image sequence, not a video'],
  [/^(lavfi|sdp|rtsp|rtp|tee|ffmetadata)$/, 'not a video file'],
]

/** Null when the container is a real video file; else what it is, in the user's words. */
export function containerProblem(formatName: string | undefined): string | null {
  const parts = (formatName ?? '').split(',').filter(Boolean)
  if (parts.some((p) => VIDEO_CONTAINERS.has(p))) return null
  for (const part of parts) {
    const hit = REFUSED.find(([pattern]) => pattern.test(part))
    if (hit) return hit[1]
  }
  return parts.length
    ? `its format (${parts[0]}) is not a video container Reanimate accepts`
    : 'not a video file'
}

/**
 * ffmpeg/ffprobe options before an input the user gave: only local files may be read, so a file
 * that names other sources (a playlist, a list) cannot reach the network or other protocols.
 */
export const LOCAL_INPUT_ONLY = ['-protocol_whitelist', 'file'] as const

/** `args` with LOCAL_INPUT_ONLY before every input (`-i`): one place for every ffmpeg run. */
export function withLocalInputsOnly(args: readonly string[]): string[] {
  return args.flatMap((a) => (a === '-i' ? [...LOCAL_INPUT_ONLY, a] : [a]))
}
