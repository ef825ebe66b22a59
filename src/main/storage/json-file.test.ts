import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { writeJsonAtomic } from './json-file'

const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true }))))

describe('writeJsonAtomic', () => {
  it('replaces the file whole and leaves no temporary files', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'json-'))
    dirs.push(dir)
    const file = path.join(dir, 'state.json')
    await writeJsonAtomic(file, { a: 1 })
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        writeJsonAtomic(file, { a: i, pad: 'x'.repeat(1000 * i) }),
      ),
    )
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as { a: number; pad: string }
    expect(parsed.pad).toHaveLength(1000 * parsed.a)
    expect(await fs.readdir(dir)).toEqual(['state.json'])
  })

  it('fails cleanly when the folder is missing', async () => {
    await expect(
      writeJsonAtomic(path.join(os.tmpdir(), 'no-such-dir-' + Date.now(), 'x.json'), {}),
    ).rejects.toThrow()
  })
})
