import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browseFolder } from './file-browser'

let dir: string
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-browse-'))
  for (const f of ['b.mp4', 'A.MOV', 'notes.txt', '.hidden.mp4'])
    await fs.writeFile(path.join(dir, f), '')
  await fs.mkdir(path.join(dir, 'day 2'))
  await fs.mkdir(path.join(dir, '.cache'))
})
afterAll(() => fs.rm(dir, { recursive: true, force: true }))

describe('browseFolder', () => {
  it('lists folders first, then videos, by name; hidden files and other files left out', async () => {
    const result = await browseFolder(dir)
    expect(result.dir).toBe(dir)
    expect(result.parent).toBe(path.dirname(dir))
    expect(result.entries.map((e) => [e.kind, e.name])).toEqual([
      ['folder', 'day 2'],
      ['video', 'A.MOV'],
      ['video', 'b.mp4'],
    ])
  })

  it('starts in the home folder, and names a folder that is not there', async () => {
    expect((await browseFolder(undefined)).dir).toBe(os.homedir())
    await expect(browseFolder(path.join(dir, 'nope'))).rejects.toMatchObject({
      code: 'not-found',
      message: `${path.join(dir, 'nope')}: no such folder`,
    })
  })

  it('takes ~ as the home folder, refuses a relative path, and says a file is not a folder', async () => {
    expect((await browseFolder('~')).dir).toBe(os.homedir())
    // os.homedir() follows HOME on Linux and macOS: a home whose folders the test knows.
    const home = process.env.HOME
    process.env.HOME = dir
    try {
      expect((await browseFolder('~/day 2')).dir).toBe(path.join(dir, 'day 2'))
    } finally {
      if (home === undefined) delete process.env.HOME
      else process.env.HOME = home
    }
    // Never the server's working folder, which the user does not see.
    await expect(browseFolder('Videos')).rejects.toMatchObject({
      code: 'invalid-input',
      message: "Videos: type the folder's full path, or ~ for your home folder.",
    })
    await expect(browseFolder('~ana/clips')).rejects.toMatchObject({ code: 'invalid-input' })
    await expect(browseFolder(path.join(dir, 'b.mp4'))).rejects.toMatchObject({
      code: 'not-found',
      message: `${path.join(dir, 'b.mp4')}: a file, not a folder. Type the folder it is in.`,
    })
  })
})

describe('browseFolder: LoRA files', () => {
  it('lists folders, then .safetensors files, nothing else', async () => {
    const loras = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-browse-loras-'))
    for (const f of ['b.safetensors', 'A.SAFETENSORS', 'clip.mp4', 'x.ckpt', '.h.safetensors'])
      await fs.writeFile(path.join(loras, f), '')
    await fs.mkdir(path.join(loras, 'styles'))
    const result = await browseFolder(loras, 'loras')
    expect(result.entries.map((e) => [e.kind, e.name])).toEqual([
      ['folder', 'styles'],
      ['lora', 'A.SAFETENSORS'],
      ['lora', 'b.safetensors'],
    ])
    await fs.rm(loras, { recursive: true, force: true })
  })
})
