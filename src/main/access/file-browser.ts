import type { Dirent } from 'node:fs'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { AppError } from '../../shared/errors'
import { HOME_PREFIX } from '../../shared/home-path'
import { VIDEO_EXTENSIONS } from '../jobs/batch'
import { PROJECT_EXTENSION } from '../../shared/project/project-schema'

export interface BrowseEntry {
  name: string
  path: string
  kind: 'folder' | 'video' | 'project' | 'lora' | 'preset'
}

export interface BrowseResult {
  dir: string
  parent: string | null
  entries: BrowseEntry[]
}

/**
 * One folder as the `reanimate ui` file browser shows it: its folders, then its videos (or projects,
 * or LoRA `.safetensors` files), by name; hidden files and everything else left out. The browser
 * tab has no file dialog of its own, so main lists what the user may pick from (only in
 * `reanimate ui`, where the page is the app).
 */
export async function browseFolder(
  dir: string | undefined,
  show: 'videos' | 'projects' | 'loras' | 'presets' = 'videos',
): Promise<BrowseResult> {
  const target = folderOf(dir)
  let names: Dirent[]
  try {
    names = await fs.readdir(target, { withFileTypes: true })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new AppError(
      code === 'EACCES' || code === 'EPERM' ? 'forbidden' : 'not-found',
      code === 'EACCES' || code === 'EPERM'
        ? `${target}: no permission to open this folder`
        : code === 'ENOTDIR'
          ? `${target}: a file, not a folder. Type the folder it is in.`
          : `${target}: no such folder`,
      { file: target },
    )
  }
  const entries: BrowseEntry[] = []
  for (const e of names) {
    if (e.name.startsWith('.')) continue
    const full = path.join(target, e.name)
    // A link counts as what it points at; a broken one is left out.
    const isDir = e.isDirectory() || (e.isSymbolicLink() && (await isFolder(full)))
    if (isDir) entries.push({ name: e.name, path: full, kind: 'folder' })
    else if (show === 'videos' && VIDEO_EXTENSIONS.has(path.extname(e.name).toLowerCase()))
      entries.push({ name: e.name, path: full, kind: 'video' })
    else if (show === 'projects' && e.name.toLowerCase().endsWith(PROJECT_EXTENSION))
      entries.push({ name: e.name, path: full, kind: 'project' })
    else if (show === 'loras' && /\.safetensors$/i.test(e.name))
      entries.push({ name: e.name, path: full, kind: 'lora' })
    else if (show === 'presets' && /\.json$/i.test(e.name))
      entries.push({ name: e.name, path: full, kind: 'preset' })
  }
  const order = (a: BrowseEntry, b: BrowseEntry) =>
    a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'folder' ? -1 : 1
  const parent = path.dirname(target)
  return { dir: target, parent: parent === target ? null : parent, entries: entries.sort(order) }
}

/**
 * The folder a path bar names: `~` is the home folder; anything else must be a full path. A
 * relative one would be taken from the server's working folder, which the user never sees (the
 * window resolves names typed relative to the folder it shows before asking).
 */
function folderOf(dir: string | undefined): string {
  if (dir === undefined) return os.homedir()
  const home = HOME_PREFIX.test(dir) ? path.join(os.homedir(), dir.slice(1)) : dir
  if (!path.isAbsolute(home))
    throw new AppError(
      'invalid-input',
      `${dir}: type the folder's full path, or ~ for your home folder.`,
      { file: dir },
    )
  return path.resolve(home)
}

async function isFolder(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => null))?.isDirectory() ?? false
}
