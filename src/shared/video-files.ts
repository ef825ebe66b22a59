/**
 * Which files are clips: one rule for main's folder listings (batch, a dropped folder) and for the
 * browser tab, which walks a dropped folder itself before uploading anything.
 */
export const VIDEO_EXTENSIONS = new Set([
  '.mp4',
  '.m4v',
  '.mov',
  '.mkv',
  '.webm',
  '.avi',
  '.wmv',
  '.flv',
  '.mpg',
  '.mpeg',
  '.ts',
  '.mts',
  '.m2ts',
  '.3gp',
  '.gif',
  '.mxf',
  '.dv',
  '.ogv',
])

const SYSTEM_FILES = new Set([
  'thumbs.db',
  'desktop.ini',
  'icon\r',
  '$recycle.bin',
  'system volume information',
])

/** Hidden (dot) files and folders and OS litter: never clips, never worth a mention. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || SYSTEM_FILES.has(name.toLowerCase())
}

/** A file name with a video extension (`clip.MOV` is one; `clip`, `notes.txt` are not). */
export function isVideoName(name: string): boolean {
  const dot = name.lastIndexOf('.')
  return dot > 0 && VIDEO_EXTENSIONS.has(name.slice(dot).toLowerCase())
}
