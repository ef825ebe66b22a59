import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'

/**
 * A cache key for "this file as it is now": path, size and modification time, plus whatever
 * parameters shape the derived file. Cheap (no hashing of content) and changes when the file does.
 */
export async function fileIdentity(file: string, ...params: unknown[]): Promise<string> {
  const st = await fs.stat(file)
  return crypto
    .createHash('sha256')
    .update(JSON.stringify([path.resolve(file), st.size, Math.floor(st.mtimeMs), ...params]))
    .digest('hex')
    .slice(0, 32)
}

/** Content hash of a file, streamed (never read whole into memory). */
export async function contentHash(file: string): Promise<string> {
  const hash = crypto.createHash('sha256')
  const handle = await fs.open(file)
  try {
    for await (const chunk of handle.createReadStream()) hash.update(chunk as Buffer)
  } finally {
    await handle.close().catch(() => undefined)
  }
  return hash.digest('hex')
}
