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
  const tmp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${crypto.randomUUID()}.tmp`,
  )
  const text = (options.compact ? JSON.stringify(value) : JSON.stringify(value, null, 2)) + '\n'
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
