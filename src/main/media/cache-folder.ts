import fs from 'node:fs/promises'
import path from 'node:path'

/**
 * Posters, filmstrips, waveforms and proxies live in `<data>/media-cache`. Not `cache`: in the
 * app the data folder is Electron's userData, where Chromium keeps its own `Cache`, and on a
 * case-insensitive disk (macOS, Windows) the two names are one folder.
 */
export const MEDIA_CACHE_DIR = 'media-cache'

/** The folders MediaService writes in its cache: the only things of ours under the old name. */
const OUR_KINDS = ['posters', 'filmstrips', 'waveforms', 'proxies'] as const

export function mediaCacheDir(dataDir: string): string {
  return path.join(dataDir, MEDIA_CACHE_DIR)
}

/**
 * Removes what earlier versions cached under `<data>/cache`: only our own subfolders, then the
 * folder itself if that left it empty. Chromium's `Cache_Data`, which shares that folder on a
 * case-insensitive disk, is never touched. Best effort: a cache is only a cache.
 */
export async function retireOldMediaCache(dataDir: string): Promise<void> {
  const old = path.join(dataDir, 'cache')
  for (const kind of OUR_KINDS) {
    await fs.rm(path.join(old, kind), { recursive: true, force: true }).catch(() => undefined)
  }
  // rmdir refuses a folder that is not empty, so Chromium's files keep it alive.
  await fs.rmdir(old).catch(() => undefined)
}
