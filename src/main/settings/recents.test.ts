import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { describeRecentLoras, describeRecentProjects, lorasUsed } from './recents'

describe('lorasUsed', () => {
  it("lists a request's LoRAs once each, clip first, local files as absolute paths", () => {
    const local = path.resolve('/loras/ink.safetensors')
    expect(
      lorasUsed([
        { prompt: 'x', loras: [{ path: ' https://e.com/a.safetensors ' }, { path: local }] },
        { loras: [{ path: local, scale: 0.5 }, { path: '/loras/b/../oil.safetensors' }] },
        { prompt: 'no loras' },
        null,
        { loras: [{ path: 7 }, { path: '' }, 'text'] },
      ]),
    ).toEqual(['https://e.com/a.safetensors', local, path.resolve('/loras/oil.safetensors')])
  })
})

describe('recent lists as the window sees them', () => {
  it('marks local files that are gone as missing; URLs are never missing', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-recents-'))
    const here = path.join(dir, 'here.safetensors')
    await fs.writeFile(here, '')
    const gone = path.join(dir, 'gone.safetensors')
    expect(await describeRecentLoras([here, gone, 'https://e.com/a.safetensors'])).toEqual([
      { path: here, local: true, missing: false },
      { path: gone, local: true, missing: true },
      { path: 'https://e.com/a.safetensors', local: false, missing: false },
    ])
    // A folder where a project was is not a project.
    expect(await describeRecentProjects([here, dir])).toEqual([
      { path: here, missing: false },
      { path: dir, missing: true },
    ])
    await fs.rm(dir, { recursive: true, force: true })
  })
})
