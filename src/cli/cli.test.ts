import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clips, inspect, tempDir } from '../../test/media/clips'
import { runCli } from './main'
import type { Io } from './output'

let dir: string
let env: NodeJS.ProcessEnv

beforeAll(async () => {
  dir = await tempDir()
  env = { PATH: process.env.PATH, REANIMATE_DATA_DIR: path.join(dir, 'data') }
})
afterAll(() => fs.rm(dir, { recursive: true, force: true }))

async function cli(...argv: string[]) {
  const stdout: string[] = []
  const stderr: string[] = []
  const io: Io = { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) }
  const code = await runCli(argv, io, env)
  const last = stdout.at(-1)
  let json: Record<string, unknown> | undefined
  try {
    json = last ? (JSON.parse(last) as Record<string, unknown>) : undefined
  } catch {
    json = undefined
  }
  return { code, stdout, stderr, json }
}

describe('reanimate CLI', () => {
  it('prints help and the version', async () => {
    const help = await cli('--help')
    expect(help.code).toBe(0)
    expect(help.stdout.join('\n')).toMatch(/reanimate probe FILE/)
    expect(help.stdout.join('\n')).toMatch(/reanimate prepare FILE/)
    expect((await cli()).code).toBe(2)
    expect((await cli('--version')).stdout[0]).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it('probe --json ends with one JSON object describing the clip', async () => {
    const src = await clips.basic(dir, 'cli probe.mp4', 2)
    const r = await cli('probe', src, '--json')
    expect(r.code).toBe(0)
    expect(r.json).toMatchObject({
      ok: true,
      exitCode: 0,
      probe: { width: 320, height: 240, fpsNominal: 25, durationSec: 2 },
    })
  })

  it('exits 2 naming the file for a non-video, also in JSON', async () => {
    const bad = await clips.text(dir)
    const r = await cli('probe', bad, '--json')
    expect(r.code).toBe(2)
    expect(r.json).toMatchObject({
      ok: false,
      exitCode: 2,
      error: { code: 'invalid-input', file: bad },
    })
    expect(r.stderr.join('\n')).toContain('notes.mp4')
  })

  it('exits 2 on unknown commands and options', async () => {
    expect((await cli('transmogrify')).code).toBe(2)
    const r = await cli('probe', '--frobnicate', 'x', '--json')
    expect(r.code).toBe(2)
    expect(r.json).toMatchObject({ ok: false, error: { code: 'invalid-params' } })
  })

  it('prepare writes the upload file, with progress on stderr', async () => {
    const src = await clips.basic(dir, 'cli prepare.mp4', 3)
    const target = path.join(dir, 'prepared.mp4')
    const r = await cli(
      'prepare',
      src,
      '--start',
      '1',
      '--end',
      '2',
      '--max-side',
      '160',
      '--out',
      target,
      '--json',
    )
    expect(r.code).toBe(0)
    expect(r.json).toMatchObject({
      ok: true,
      output: target,
      facts: { width: 160, height: 120, frameCount: 25 },
    })
    expect(r.stderr.some((l) => l.startsWith('prepare') && l.includes('100%'))).toBe(true)
    const o = await inspect(target)
    expect([o.width, o.height, o.frames, o.audioStreams]).toEqual([160, 120, 25, 0])
  })

  it('prepare refuses an existing --out unless --overwrite, and names bad fields', async () => {
    const src = await clips.basic(dir, 'cli exists.mp4', 1)
    const target = path.join(dir, 'exists.mp4')
    await fs.writeFile(target, 'keep me')
    const r = await cli('prepare', src, '--out', target, '--json')
    expect(r.code).toBe(2)
    expect(r.json).toMatchObject({ error: { field: 'out' } })
    expect(await fs.readFile(target, 'utf8')).toBe('keep me')
    expect((await cli('prepare', src, '--out', target, '--overwrite', '--json')).code).toBe(0)
    expect(
      (await cli('prepare', src, '--out', path.join(dir, 'x.mp4'), '--max-side', 'huge', '--json'))
        .json,
    ).toMatchObject({ error: { field: 'max-side' } })
    expect(
      (await cli('prepare', src, '--out', path.join(dir, 'y.mp4'), '--start', '9', '--json')).json,
    ).toMatchObject({ exitCode: 2, error: { field: 'start' } })
    expect((await cli('prepare', src, '--json')).json).toMatchObject({ error: { field: 'out' } })
  })

  it('says which ffmpeg is wrong when FFMPEG_PATH does not run', async () => {
    const src = await clips.basic(dir, 'cli env.mp4', 1)
    const saved = env
    env = { ...env, FFMPEG_PATH: '/nonexistent/ffmpeg' }
    try {
      const r = await cli('prepare', src, '--out', path.join(dir, 'env.mp4'), '--json')
      expect(r.code).toBe(2)
      expect(r.json).toMatchObject({
        error: { code: 'ffmpeg-missing', message: expect.stringContaining('FFMPEG_PATH') },
      })
    } finally {
      env = saved
    }
  })
})
