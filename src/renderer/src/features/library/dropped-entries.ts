import { isIgnoredName, isVideoName } from '@shared/video-files'

/**
 * What a browser tab gets for a dropped folder: `DataTransferItem.webkitGetAsEntry()` entries (the
 * File and Directory Entries API), reduced to the parts used here so a test can build a tree.
 */
export interface DroppedEntry {
  name: string
  /** From the drop's root: `/holiday/day 2/c.mp4`. */
  fullPath: string
  isFile: boolean
  isDirectory: boolean
}
export interface DroppedFileEntry extends DroppedEntry {
  file(done: (file: File) => void, fail?: (err: unknown) => void): void
}
export interface DroppedFolderEntry extends DroppedEntry {
  createReader(): {
    readEntries(done: (entries: DroppedEntry[]) => void, fail?: (err: unknown) => void): void
  }
}

export interface DroppedClips {
  /** What to import, in folder order: files dropped as such, and every video inside folders. */
  files: { file: File; path: string }[]
  /** A folder's files that are not videos, by path from the drop (`holiday/notes.txt`). */
  skipped: string[]
  /** What could not be read at all, in the user's words, naming the file or folder. */
  problems: string[]
}

const shown = (e: DroppedEntry) => e.fullPath.replace(/^\/+/, '') || e.name
const reason = (err: unknown) =>
  err instanceof Error ? err.message : typeof err === 'string' ? err : 'no reason given'

function fileOf(entry: DroppedFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject))
}

/** A folder's entries: the browser hands them out a batch at a time until an empty one. */
async function entriesOf(folder: DroppedFolderEntry): Promise<DroppedEntry[]> {
  const reader = folder.createReader()
  const all: DroppedEntry[] = []
  for (;;) {
    const batch = await new Promise<DroppedEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    )
    if (batch.length === 0) return all
    all.push(...batch)
  }
}

/**
 * Walks what was dropped, with main's rule for a folder (batch's, shared): every video under it,
 * recursively, hidden files and OS litter left out silently, other files named as skipped. A file
 * dropped on its own is the user's choice whatever its kind: reading it will say what it is.
 */
export async function walkDropped(roots: DroppedEntry[]): Promise<DroppedClips> {
  const out: DroppedClips = { files: [], skipped: [], problems: [] }
  async function visit(entry: DroppedEntry, inFolder: boolean): Promise<void> {
    if (inFolder && isIgnoredName(entry.name)) return
    if (entry.isDirectory) {
      let children: DroppedEntry[]
      try {
        children = await entriesOf(entry as DroppedFolderEntry)
      } catch (err) {
        out.problems.push(
          `${shown(entry)}: the browser could not read this folder (${reason(err)})`,
        )
        return
      }
      children.sort((a, b) => a.name.localeCompare(b.name))
      for (const child of children) await visit(child, true)
      return
    }
    if (!entry.isFile) return
    if (inFolder && !isVideoName(entry.name)) {
      out.skipped.push(shown(entry))
      return
    }
    try {
      out.files.push({ file: await fileOf(entry as DroppedFileEntry), path: shown(entry) })
    } catch (err) {
      out.problems.push(`${shown(entry)}: the browser could not read this file (${reason(err)})`)
    }
  }
  for (const root of roots) await visit(root, false)
  return out
}

/** "Skipped 2 files that are not videos: a.txt, b.jpg." — at most `max` names, then a count. */
export function skippedNotice(names: string[], count = names.length, max = 5): string | null {
  if (count === 0) return null
  const listed = names.slice(0, max)
  const more = count - listed.length
  return `Skipped ${count === 1 ? '1 file that is not a video' : `${count} files that are not videos`}: ${listed.join(', ')}${more > 0 ? ` and ${more} more` : ''}.`
}
