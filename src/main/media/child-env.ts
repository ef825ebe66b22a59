/**
 * The environment ffmpeg and ffprobe run with: only what a program needs to start, find its
 * libraries, write temporary files and read the locale. Never FAL_* (the key) or anything else of
 * the parent's, so a broken or hostile binary learns nothing it does not need.
 */
const KEEP = new Set([
  'PATH',
  'PATHEXT',
  'SYSTEMROOT',
  'WINDIR',
  'SYSTEMDRIVE',
  'TEMP',
  'TMP',
  'TMPDIR',
  'HOME',
  'USERPROFILE',
  'LANG',
  'LANGUAGE',
  'TZ',
  'LD_LIBRARY_PATH',
  'DYLD_LIBRARY_PATH',
  'FONTCONFIG_FILE',
  'FONTCONFIG_PATH',
])

export function childEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue
    // Windows spells some of these in mixed case (Path, SystemRoot).
    const upper = name.toUpperCase()
    if (KEEP.has(upper) || upper.startsWith('LC_')) out[name] = value
  }
  return out
}

/** execa options that give a child exactly `childEnv`, not the parent's environment on top. */
export function childEnvOptions(env: NodeJS.ProcessEnv = process.env) {
  return { env: childEnv(env), extendEnv: false } as const
}
