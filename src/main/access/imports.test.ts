import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importDropped, importName } from './imports'

let dir: string
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-imports-'))
})
afterAll(() => fs.rm(dir, { recursive: true, force: true }))

describe('importDropped', () => {
  it('streams into imports/ under the name, then (2), never over a file', async () => {
    const a = await importDropped(dir, 'beach.mp4', Readable.from([Buffer.from('one')]))
    const b = await importDropped(dir, 'beach.mp4', Readable.from([Buffer.from('two')]))
    expect(a).toBe(path.join(dir, 'imports', 'beach.mp4'))
    expect(b).toBe(path.join(dir, 'imports', 'beach (2).mp4'))
    expect(await fs.readFile(a, 'utf8')).toBe('one')
    expect(await fs.readFile(b, 'utf8')).toBe('two')
  })

  it('a broken upload leaves nothing behind', async () => {
    const broken = new Readable({
      read() {
        this.destroy(new Error('connection reset'))
      },
    })
    await expect(importDropped(dir, 'cut.mp4', broken)).rejects.toMatchObject({
      message: 'cut.mp4: the upload broke off; drop it again',
    })
    expect((await fs.readdir(path.join(dir, 'imports'))).filter((f) => f.includes('cut'))).toEqual(
      [],
    )
  })
})

describe('importName', () => {
  it('keeps only a safe file name, never a path', () => {
    expect(importName('../../etc/passwd')).toBe('passwd')
    expect(importName('C:\\\\Users\\\\me\\\\clip.mp4')).toBe('clip.mp4')
    expect(importName('.hidden.mp4')).toBe('hidden.mp4')
    expect(importName('a:b?.mp4')).toBe('a_b_.mp4')
    expect(importName('')).toBe('dropped clip')
  })
})
