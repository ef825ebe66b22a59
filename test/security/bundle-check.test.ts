import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { afterAll, describe, expect, it } from 'vitest'

const require = createRequire(import.meta.url)
const { findServer } = require('../../scripts/check-bundles.cjs') as {
  findServer(dir: string): { file: string; marker: string }[]
}

const dirs: string[] = []
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true })
})

describe('the built desktop app holds no local server', () => {
  it('finds the bridge when it is bundled, by words that survive minification', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-bundle-'))
    dirs.push(dir)
    // What the bridge's own source contributes to a bundle.
    const bridge = await fs.readFile(
      path.resolve(import.meta.dirname, '../../src/main/transport/bridge-auth.ts'),
      'utf8',
    )
    await fs.mkdir(path.join(dir, 'chunks'))
    await fs.writeFile(path.join(dir, 'chunks', 'index.js'), bridge)
    await fs.writeFile(path.join(dir, 'other.js'), 'console.log("fine")')
    const hits = findServer(dir)
    expect(hits.length).toBeGreaterThan(0)
    expect(new Set(hits.map((h) => path.basename(h.file)))).toEqual(new Set(['index.js']))
  })

  it('the sources the desktop app is built from do not import the bridge', async () => {
    const root = path.resolve(import.meta.dirname, '../../src')
    const electronSide = ['main/index.ts', 'main/electron', 'preload']
    for (const part of electronSide) {
      const target = path.join(root, part)
      const files = (await fs.stat(target)).isDirectory()
        ? (await fs.readdir(target, { recursive: true })).map((f) => path.join(target, f))
        : [target]
      for (const file of files.filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')))
        expect(await fs.readFile(file, 'utf8'), file).not.toMatch(/transport\/|ws-bridge/)
    }
  })
})
