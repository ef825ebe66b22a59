import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MEDIA_CACHE_DIR, mediaCacheDir, retireOldMediaCache } from './cache-folder'

let dir: string
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-cache-folder-'))
})
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

const exists = (p: string) =>
  fs.access(p).then(
    () => true,
    () => false,
  )

describe('the media cache folder', () => {
  it("is not named like Chromium's Cache in any letter case", () => {
    expect(MEDIA_CACHE_DIR).toBe('media-cache')
    expect(MEDIA_CACHE_DIR.toLowerCase()).not.toBe('cache')
    expect(mediaCacheDir('/data')).toBe(path.join('/data', 'media-cache'))
  })

  it('retiring the old folder removes only our subfolders, and the folder once empty', async () => {
    const old = path.join(dir, 'cache')
    await fs.mkdir(path.join(old, 'posters'), { recursive: true })
    await fs.writeFile(path.join(old, 'posters', 'a.jpg'), 'x')
    await fs.mkdir(path.join(old, 'proxies'))
    // Chromium's, sharing the folder on a case-insensitive disk.
    await fs.mkdir(path.join(old, 'Cache_Data'))
    await fs.writeFile(path.join(old, 'Cache_Data', 'index'), 'y')

    await retireOldMediaCache(dir)
    expect((await fs.readdir(old)).sort()).toEqual(['Cache_Data'])

    await fs.rm(path.join(old, 'Cache_Data'), { recursive: true })
    await fs.mkdir(path.join(old, 'waveforms'))
    await retireOldMediaCache(dir)
    expect(await exists(old)).toBe(false)
  })

  it('is quiet when there is no old folder', async () => {
    await expect(retireOldMediaCache(dir)).resolves.toBeUndefined()
  })
})
