import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { durableStep } from './crash-points'

/**
 * Writes JSON so that a crash at any moment leaves either the old file or the new one: write a
 * temporary sibling, fsync it, rename it over the target, fsync the folder.
 */
export async function writeJsonAtomic(
  file: string,
  value: unknown,
  options: { compact?: boolean } = {},
): Promise<number> {
  const text = (options.compact ? JSON.stringify(value) : JSON.stringify(value, null, 2)) + '\n'
  return writeTextAtomic(file, text)
}

/** The same for any text (a CSV): a temporary named for its writer, which a sweep can remove. */
export async function writeTextAtomic(file: string, text: string): Promise<number> {
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${crypto.randomUUID()}.tmp`,
  )
  const handle = await fs.open(tmp, 'w', 0o600)
  try {
    await handle.writeFile(text)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await fs.rename(tmp, file)
  } catch (err) {
    await fs.rm(tmp, { force: true })
    throw err
  }
  await fsyncDir(path.dirname(file))
  durableStep(`wrote ${path.basename(file)}`)
  return Buffer.byteLength(text)
}

/** Whether process `pid` still runs (ours counts as gone: we are not writing that file now). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Removes the temporaries that processes killed mid-write left in `dir` (each name carries its
 * writer's pid); a live writer's are left alone. Run when a process starts using the folder.
 */
export async function sweepAtomicLeftovers(dir: string): Promise<number> {
  let names: string[]
  try {
    names = await fs.readdir(dir)
  } catch {
    return 0
  }
  let removed = 0
  for (const name of names) {
    const m = /^\..+\.(\d+)\.[0-9a-f-]{36}\.tmp$/.exec(name)
    // Ours are being written now (an autosave while the journal opens): never swept here.
    const pid = Number(m?.[1])
    if (m && pid !== process.pid && !processAlive(pid)) {
      await fs.rm(path.join(dir, name), { force: true })
      removed++
    }
  }
  return removed
}

async function fsyncDir(dir: string): Promise<void> {
  // Windows cannot open folders for fsync; the rename is still atomic there.
  if (process.platform === 'win32') return
  const handle = await fs.open(dir, 'r')
  try {
    await handle.sync()
  } catch {
    // some filesystems refuse; the rename has happened either way
  } finally {
    await handle.close()
  }
}
