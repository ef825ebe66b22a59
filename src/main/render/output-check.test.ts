import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureRoomFor, ensureWritableFolder } from './output-check'

let dir: string
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-out-check-'))
})
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

describe('checks before paying', () => {
  it('makes a missing output folder and leaves no probe file behind', async () => {
    const target = path.join(dir, 'a', 'b', 'c')
    await ensureWritableFolder(target, { field: 'out-dir' })
    expect((await fs.stat(target)).isDirectory()).toBe(true)
    expect(await fs.readdir(target)).toEqual([])
  })

  it('says in plain words when a file is in the way', async () => {
    const file = path.join(dir, 'clip.mp4')
    await fs.writeFile(file, 'x')
    await expect(ensureWritableFolder(file, { field: 'out-dir' })).rejects.toMatchObject({
      code: 'invalid-input',
      field: 'out-dir',
      message: `${file} is a file, not a folder.`,
    })
    await expect(
      ensureWritableFolder(path.join(file, 'x', 'y'), { field: 'out' }),
    ).rejects.toMatchObject({
      message: `${file} is a file, so the folder ${path.join(file, 'x', 'y')} cannot be made.`,
    })
  })

  it('returns at once, with an error, for a folder that cannot be made (Node’s own mkdir spins there)', async () => {
    await expect(
      ensureWritableFolder('/proc/reanimate/out', { field: 'out-dir' }),
    ).rejects.toMatchObject({
      code: 'invalid-input',
      message: expect.stringMatching(/^\/proc\/reanimate\/out cannot be created or written to/),
    })
  })

  it('refuses a render whose result would not fit, before anything is uploaded', async () => {
    await expect(ensureRoomFor(dir, 1024 ** 5)).rejects.toMatchObject({
      code: 'disk-full',
      message: expect.stringMatching(
        /^Only \d+ MB free on the disk holding .*; this render needs about \d+ MB there\. Free some space, then retry\.$/,
      ),
    })
    await expect(ensureRoomFor(dir, 1024)).resolves.toBeUndefined()
  })
})
