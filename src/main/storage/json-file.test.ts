import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { sweepAtomicLeftovers, writeJsonAtomic } from './json-file'

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

describe('sweepAtomicLeftovers', () => {
  it("removes what a killed writer left, never a live writer's or ours, nor other files", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-sweep-'))
    // A child that has exited: its pid is free, as a SIGKILLed writer's is.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number
    const uuid = '20ce431b-3d8b-441f-ae85-8675cf55b5aa'
    const names = {
      killed: `.eta-history.json.${dead}.${uuid}.tmp`,
      live: `.autosave.reanimate.json.${process.ppid}.${uuid}.tmp`,
      ours: `.autosave.reanimate.json.${process.pid}.${uuid}.tmp`,
      real: 'eta-history.json',
      other: '.notes.tmp',
    }
    for (const n of Object.values(names)) await fs.writeFile(path.join(dir, n), '{}')
    expect(await sweepAtomicLeftovers(dir)).toBe(1)
    expect((await fs.readdir(dir)).sort()).toEqual(
      [names.live, names.ours, names.real, names.other].sort(),
    )
    expect(await sweepAtomicLeftovers(path.join(dir, 'missing'))).toBe(0)
    await fs.rm(dir, { recursive: true, force: true })
  })
})
