import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../media/clips'

/**
 * `npx reanimate …` right after `npm install` runs bin/reanimate.cjs: in a checkout it builds the
 * CLI and the window when out/ is missing or older than the sources, then runs the command.
 */

const repo = path.resolve(import.meta.dirname, '../..')
let checkout: string

beforeAll(async () => {
  // A checkout as `git clone && npm install` leaves it: sources and node_modules, no out/.
  checkout = await tempDir('reanimate-launcher-')
  for (const f of await fs.readdir(repo))
    if (
      /^(package\.json|electron\.vite\.config\.ts|vite\.cli\.config\.mts|tsconfig.*\.json)$/.test(f)
    )
      await fs.copyFile(path.join(repo, f), path.join(checkout, f))
  for (const d of ['src', 'node_modules', 'resources'])
    await fs.symlink(path.join(repo, d), path.join(checkout, d))
  await fs.mkdir(path.join(checkout, 'bin'))
  await fs.copyFile(path.join(repo, 'bin/reanimate.cjs'), path.join(checkout, 'bin/reanimate.cjs'))
})
afterAll(() => fs.rm(checkout, { recursive: true, force: true }))

function launch(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(checkout, 'bin/reanimate.cjs'), ...args], {
      env: { PATH: process.env.PATH, REANIMATE_DATA_DIR: path.join(checkout, 'data') },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.once('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('bin/reanimate.cjs', { timeout: 120_000 }, () => {
  it('builds the CLI and the window once, then just runs', async () => {
    const first = await launch(['--help'])
    expect(first.code, first.stderr).toBe(0)
    expect(first.stderr).toContain('building the CLI and the window from source')
    expect(first.stdout).toContain('reanimate ui')
    await fs.access(path.join(checkout, 'out/renderer/index.html'))
    await fs.access(path.join(checkout, 'out/cli/reanimate.cjs'))

    const again = await launch(['--help'])
    expect(again.code).toBe(0)
    expect(again.stderr).toBe('')
  })

  it('builds again when the build is older than the sources', async () => {
    const cli = path.join(checkout, 'out/cli/reanimate.cjs')
    const past = new Date('2001-01-01')
    await fs.utimes(cli, past, past)
    const run = await launch(['--version'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toContain('building')
    expect((await fs.stat(cli)).mtime.getTime()).toBeGreaterThan(past.getTime())
  })
})
