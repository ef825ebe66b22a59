import fs from 'node:fs'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { AppError } from '../../shared/errors'
import { writeAtomically } from '../media/ffmpeg-run'
import { numberedName } from '../render/naming'
import { makeFolder } from '../storage/make-folder'

/** A dropped file's name made safe for any file system; never a path. */
export function importName(given: string): string {
  const base = given.split(/[\\/]/).pop() ?? ''
  const clean = [...base]
    .map((c) => (c.charCodeAt(0) < 32 || '<>:"|?*'.includes(c) ? '_' : c))
    .join('')
    .replace(/^\.+/, '')
    .trim()
  return clean.slice(0, 200) || 'dropped clip'
}

/**
 * Streams a file the browser dropped (it gives no path) into `<data>/imports/`, under its own name
 * or the first free ` (n)` one: never over another file. Partial files never carry the real name.
 */
export async function importDropped(
  dataDir: string,
  name: string,
  body: Readable,
): Promise<string> {
  const dir = path.join(dataDir, 'imports')
  await makeFolder(dir)
  const wanted = path.join(dir, importName(name))
  let target = wanted
  for (let n = 2; fs.existsSync(target); n++) target = numberedName(wanted, n)
  try {
    await writeAtomically(target, (partial) => pipeline(body, fs.createWriteStream(partial)))
  } catch (err) {
    if (err instanceof AppError) throw err
    throw new AppError('network', `${importName(name)}: the upload broke off; drop it again`, {
      cause: err,
    })
  }
  return target
}
