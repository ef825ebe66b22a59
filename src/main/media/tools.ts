import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { execa } from 'execa'
import { childEnvOptions } from './child-env'
import { AppError } from '../../shared/errors'
import type { BinarySource, ResolvedBinary, ToolsStatus } from '../../shared/media'

type ToolName = 'ffmpeg' | 'ffprobe'

export interface ToolSettings {
  ffmpegPath: string | null
  ffprobePath: string | null
}

const ENV_VAR: Record<ToolName, string> = { ffmpeg: 'FFMPEG_PATH', ffprobe: 'FFPROBE_PATH' }
const SETTING: Record<ToolName, keyof ToolSettings> = {
  ffmpeg: 'ffmpegPath',
  ffprobe: 'ffprobePath',
}

const requireHere = createRequire(__filename)

/** Inside a packaged app the binary sits in app.asar.unpacked; asar paths cannot be executed. */
function unpacked(p: string): string {
  return p.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2')
}

/** The binary shipped in node_modules, if its install step actually downloaded it. */
export function bundledPath(name: ToolName): string | null {
  try {
    const mod: unknown =
      name === 'ffmpeg' ? requireHere('ffmpeg-static') : requireHere('@ffprobe-installer/ffprobe')
    const p = typeof mod === 'string' ? mod : (mod as { path?: string } | null)?.path
    if (!p) return null
    const real = unpacked(p)
    return fs.existsSync(real) ? real : null
  } catch {
    return null
  }
}

/**
 * Where Homebrew puts programs (Apple silicon, Intel). An app opened from Finder gets launchd's
 * minimal PATH (/usr/bin:/bin:/usr/sbin:/sbin), which has neither, though a shell's PATH does.
 */
export const DARWIN_EXTRA_DIRS = ['/opt/homebrew/bin', '/usr/local/bin'] as const

/** The folders the PATH fallback searches, in order: PATH's, then on macOS Homebrew's. */
export function searchDirs(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  extra: readonly string[] = platform === 'darwin' ? DARWIN_EXTRA_DIRS : [],
): string[] {
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean)
  for (const dir of extra) if (!dirs.includes(dir)) dirs.push(dir)
  return dirs
}

export function findOnPath(
  name: ToolName,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  extra?: readonly string[],
): string | null {
  const exts = platform === 'win32' ? (env.PATHEXT ?? '.EXE').split(';') : ['']
  for (const dir of searchDirs(env, platform, extra)) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext)
      try {
        fs.accessSync(candidate, fs.constants.X_OK)
        if (fs.statSync(candidate).isFile()) return candidate
      } catch {
        // not here
      }
    }
  }
  return null
}

/** `ffmpeg version 5.1.9-0+deb12u1 Copyright ...` → `5.1.9-0+deb12u1`. */
export function parseVersion(output: string): string | null {
  const m = /^\s*ff(?:mpeg|probe) version (\S+)/m.exec(output)
  return m?.[1] ?? null
}

/** The version a program reports for `-version`; null when it is not ffmpeg or ffprobe. */
export async function versionOf(file: string): Promise<string | null> {
  try {
    const { stdout } = await execa(file, ['-version'], {
      timeout: 10_000,
      reject: false,
      // No kill-on-exit hook for a run this short: while one is registered, its signal handler
      // re-raises a Ctrl-C that `reanimate ui` handles, cutting its shutdown short (exit by signal).
      cleanup: false,
      ...childEnvOptions(),
    })
    return parseVersion(stdout)
  } catch {
    return null
  }
}

interface Candidate {
  source: BinarySource
  path: string
  /** When the user asked for this one explicitly, failing is an error, not a reason to fall back. */
  explicit: string | null
}

function candidates(name: ToolName, settings: ToolSettings, env: NodeJS.ProcessEnv): Candidate[] {
  const list: Candidate[] = []
  const fromSetting = settings[SETTING[name]]
  if (fromSetting)
    list.push({ source: 'setting', path: fromSetting, explicit: `the ${name} path in Settings` })
  const fromEnv = env[ENV_VAR[name]]
  if (fromEnv)
    list.push({
      source: 'env',
      path: fromEnv,
      explicit: `the ${ENV_VAR[name]} environment variable`,
    })
  const bundled = bundledPath(name)
  if (bundled) list.push({ source: 'bundled', path: bundled, explicit: null })
  const onPath = findOnPath(name, env)
  if (onPath) list.push({ source: 'path', path: onPath, explicit: null })
  return list
}

/**
 * Resolves one binary in the order: user setting → env var → bundled static binary → PATH (on
 * macOS, then Homebrew's folders). The result's `source` and `path` say which one runs.
 * An explicit choice that does not run is reported as such rather than silently replaced.
 */
export async function resolveTool(
  name: ToolName,
  settings: ToolSettings,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ResolvedBinary> {
  for (const c of candidates(name, settings, env)) {
    const version = await versionOf(c.path)
    if (version) return { name, path: c.path, source: c.source, version }
    if (c.explicit) {
      throw new AppError(
        'ffmpeg-missing',
        `${c.explicit} points at "${c.path}", which does not run as ${name}. Fix or clear it.`,
        {
          file: c.path,
        },
      )
    }
  }
  throw new AppError(
    'ffmpeg-missing',
    `No working ${name} found. Reinstall Reanimate, install ${name} on your PATH, or set its path in Settings (or ${ENV_VAR[name]}).`,
  )
}

/** Both binaries, resolved once per settings change and cached. */
export class Tools {
  private cache: Promise<{
    ffmpeg: ResolvedBinary | AppError
    ffprobe: ResolvedBinary | AppError
  }> | null = null

  constructor(
    private readonly settings: () => ToolSettings,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  invalidate(): void {
    this.cache = null
  }

  private resolveAll() {
    this.cache ??= (async () => {
      const s = this.settings()
      const settle = (p: Promise<ResolvedBinary>) =>
        p.catch((e: unknown) =>
          e instanceof AppError ? e : new AppError('ffmpeg-missing', String(e)),
        )
      const [ffmpeg, ffprobe] = await Promise.all([
        settle(resolveTool('ffmpeg', s, this.env)),
        settle(resolveTool('ffprobe', s, this.env)),
      ])
      return { ffmpeg, ffprobe }
    })()
    return this.cache
  }

  async ffmpeg(): Promise<ResolvedBinary> {
    const r = (await this.resolveAll()).ffmpeg
    if (r instanceof AppError) throw r
    return r
  }

  async ffprobe(): Promise<ResolvedBinary> {
    const r = (await this.resolveAll()).ffprobe
    if (r instanceof AppError) throw r
    return r
  }

  async status(): Promise<ToolsStatus> {
    const { ffmpeg, ffprobe } = await this.resolveAll()
    const problems = [ffmpeg, ffprobe]
      .filter((r): r is AppError => r instanceof AppError)
      .map((e) => e.message)
    return {
      ffmpeg: ffmpeg instanceof AppError ? null : ffmpeg,
      ffprobe: ffprobe instanceof AppError ? null : ffprobe,
      problems,
    }
  }
}
