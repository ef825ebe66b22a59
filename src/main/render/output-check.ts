import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { AppError } from '../../shared/errors'
import { makeFolder, nearestExisting } from '../storage/make-folder'

const MB = 1024 * 1024

/** What the user calls the folder in messages: `--out-dir`, `--out`, or the app's "Output folder". */
export interface FolderRole {
  /** The flag or control the folder came from; goes into the error's `field`. */
  field: string
}

function plainWords(err: unknown, dir: string, role: FolderRole): AppError {
  const code = (err as NodeJS.ErrnoException).code
  const where = { file: dir, field: role.field }
  switch (code) {
    case 'EROFS':
      return new AppError(
        'invalid-input',
        `${dir} is on a read-only disk; choose another folder.`,
        where,
      )
    case 'EACCES':
    case 'EPERM':
      return new AppError(
        'invalid-input',
        `No permission to write to ${dir}; choose another folder.`,
        where,
      )
    case 'ENOSPC':
      return new AppError(
        'disk-full',
        `The disk holding ${dir} is full; free some space first.`,
        where,
      )
    case 'ENOTDIR':
    case 'EEXIST':
      return new AppError('invalid-input', `${dir} is a file, not a folder.`, where)
    default:
      return new AppError(
        'invalid-input',
        `${dir} cannot be created or written to (${code ?? (err instanceof Error ? err.message : String(err))}); choose another folder.`,
        where,
      )
  }
}

/**
 * Makes sure results can be written into `dir` before anything is paid for: it exists or can be
 * created, it is a folder, and a file can be created in it. Says what is wrong in plain words.
 */
export async function ensureWritableFolder(dir: string, role: FolderRole): Promise<void> {
  const target = path.resolve(dir)
  const near = await nearestExisting(target)
  if (!near.isDir) {
    throw new AppError(
      'invalid-input',
      near.at === target
        ? `${target} is a file, not a folder.`
        : `${near.at} is a file, so the folder ${target} cannot be made.`,
      { file: target, field: role.field },
    )
  }
  try {
    await makeFolder(target)
    const probe = path.join(target, `.reanimate-write-check-${process.pid}-${crypto.randomUUID()}`)
    const handle = await fs.open(probe, 'wx')
    await handle.close()
    await fs.rm(probe, { force: true })
  } catch (err) {
    throw plainWords(err, target, role)
  }
}

/** Free bytes for this process on the disk holding `dir` (its nearest existing ancestor). */
export async function freeBytes(dir: string): Promise<number> {
  const near = await nearestExisting(dir)
  const st = await fs.statfs(near.at)
  return Number(st.bavail) * Number(st.bsize)
}

/**
 * The result and the files made on the way to it (download, joined segments, audio) need room:
 * a few times the clip sent to fal. Checked before uploading, so a full disk costs nothing.
 */
export async function ensureRoomFor(dir: string, preparedBytes: number): Promise<void> {
  const needed = Math.max(4 * preparedBytes, 16 * MB)
  const free = await freeBytes(dir).catch(() => Number.POSITIVE_INFINITY)
  if (free < needed) {
    throw new AppError(
      'disk-full',
      `Only ${Math.floor(free / MB)} MB free on the disk holding ${dir}; this render needs about ${Math.ceil(needed / MB)} MB there. Free some space, then retry.`,
      { file: dir },
    )
  }
}
