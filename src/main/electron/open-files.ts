import path from 'node:path'
import { PROJECT_EXTENSION } from '../../shared/project/project-schema'
import { isVideoName } from '../../shared/video-files'

export interface ArgvContext {
  /** The folder the launch came from (`second-instance` gives the second launch's own). */
  cwd: string
  /** In development the app is `electron <app path> …`: that path is not a file to open. */
  isPackaged: boolean
  platform: NodeJS.Platform
}

/** What the OS asked the app to open, sorted; anything else the user named is left out. */
export interface FilesToOpen {
  projects: string[]
  videos: string[]
}

/** Windows paths resolve as Windows paths whatever runs the tests. */
const pathsOf = (platform: NodeJS.Platform) => (platform === 'win32' ? path.win32 : path.posix)

/**
 * The files named on a command line (the first launch's `process.argv`, or the argv a
 * `second-instance` event passes on), as absolute paths: not the executable, not the app's path in
 * development, not Electron's or Chromium's switches (`--foo`, `--foo=bar`; Windows adds some to a
 * second instance's argv), and relative paths resolved against the launch's folder.
 */
export function pathsFromArgv(argv: readonly string[], ctx: ArgvContext): string[] {
  const p = pathsOf(ctx.platform)
  const out: string[] = []
  for (const raw of argv.slice(ctx.isPackaged ? 1 : 2)) {
    // A shell or a Jump List entry may hand the quotes on with a path that has spaces.
    const arg = raw.length > 1 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw
    // Switches, and macOS's old `-psn_…` process serial number.
    if (!arg || arg.startsWith('-')) continue
    const abs = p.resolve(ctx.cwd, arg)
    if (!out.includes(abs)) out.push(abs)
  }
  return out
}

/** Projects (`.reanimate`) and videos (the app's one video-extension rule); anything else dropped. */
export function sortOpened(paths: readonly string[], platform: NodeJS.Platform): FilesToOpen {
  const p = pathsOf(platform)
  const files: FilesToOpen = { projects: [], videos: [] }
  for (const file of paths) {
    const name = p.basename(file)
    if (name.toLowerCase().endsWith(PROJECT_EXTENSION)) files.projects.push(file)
    else if (isVideoName(name)) files.videos.push(file)
  }
  return files
}

/** A command line to the files it opens. */
export function filesFromArgv(argv: readonly string[], ctx: ArgvContext): FilesToOpen {
  return sortOpened(pathsFromArgv(argv, ctx), ctx.platform)
}

/**
 * macOS's `open-file` can come before the app is ready and before any window listens: files are
 * kept until `flush` is given somewhere to send them, then sent straight on.
 */
export class OpenFileQueue {
  private waiting: string[] = []
  private deliver: ((files: FilesToOpen) => void) | null = null

  constructor(private readonly platform: NodeJS.Platform) {}

  add(paths: readonly string[]): void {
    if (this.deliver) this.send(paths)
    else this.waiting.push(...paths)
  }

  /** From now on files go to `deliver`; those that waited go first. */
  flush(deliver: (files: FilesToOpen) => void): void {
    this.deliver = deliver
    const waiting = this.waiting
    this.waiting = []
    if (waiting.length) this.send(waiting)
  }

  private send(paths: readonly string[]): void {
    const files = sortOpened(paths, this.platform)
    if (files.projects.length || files.videos.length) this.deliver?.(files)
  }
}
