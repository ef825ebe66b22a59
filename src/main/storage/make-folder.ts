import fs from 'node:fs/promises'
import path from 'node:path'

/** The nearest existing ancestor of `p` (p itself if it exists) and whether it is a folder. */
export async function nearestExisting(p: string): Promise<{ at: string; isDir: boolean }> {
  let at = path.resolve(p)
  for (;;) {
    try {
      const st = await fs.stat(at)
      return { at, isDir: st.isDirectory() }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      // ENOTDIR: a file sits somewhere on the way; keep climbing to find it.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err
    }
    const up = path.dirname(at)
    if (up === at) return { at, isDir: true }
    at = up
  }
}

/**
 * `mkdir -p` one level at a time. Node's own recursive mkdir spins forever at full CPU on some
 * paths (under /proc, where mkdir answers ENOENT for a parent that exists), so user-given folders
 * are made with this instead.
 */
export async function makeFolder(dir: string): Promise<void> {
  const target = path.resolve(dir)
  const near = await nearestExisting(target)
  if (!near.isDir) {
    const err = new Error(`${near.at} is not a folder`) as NodeJS.ErrnoException
    err.code = 'ENOTDIR'
    throw err
  }
  const missing = path.relative(near.at, target).split(path.sep).filter(Boolean)
  let at = near.at
  for (const part of missing) {
    at = path.join(at, part)
    try {
      await fs.mkdir(at)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
  }
}
