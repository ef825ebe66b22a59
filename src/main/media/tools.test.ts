import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  Tools,
  bundledPath,
  findOnPath,
  searchDirs,
  parseVersion,
  resolveTool,
  type ToolSettings,
} from './tools'
import { AppError } from '../../shared/errors'

const NO_SETTINGS: ToolSettings = { ffmpegPath: null, ffprobePath: null }
const SYSTEM_FFMPEG = '/usr/bin/ffmpeg'
const SYSTEM_FFPROBE = '/usr/bin/ffprobe'
const ONLY_USR_BIN = { PATH: '/usr/bin' }

/** The binary a package would hand us, if its install script actually downloaded it. */
function installedBinary(pkg: string): string | null {
  try {
    const mod: unknown = createRequire(import.meta.url)(pkg)
    const p = typeof mod === 'string' ? mod : (mod as { path?: string } | null)?.path
    return p && fs.existsSync(p) ? p : null
  } catch {
    return null
  }
}

let dir: string
let fakeDir: string
let brokenDir: string

beforeAll(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'reanimate-tools-'))
  // A fake ffmpeg that prints a version banner, and a "broken" one that prints nothing useful.
  fakeDir = path.join(dir, 'fake')
  brokenDir = path.join(dir, 'broken')
  await fs.promises.mkdir(fakeDir)
  await fs.promises.mkdir(brokenDir)
  await fs.promises.writeFile(
    path.join(fakeDir, 'ffmpeg'),
    '#!/bin/sh\necho "ffmpeg version 9.9-fake Copyright (c) the test"\n',
    { mode: 0o755 },
  )
  await fs.promises.writeFile(
    path.join(brokenDir, 'ffmpeg'),
    '#!/bin/sh\necho "hello, I am not ffmpeg"\n',
    { mode: 0o755 },
  )
  // Not executable, and a folder: neither is an ffprobe.
  await fs.promises.writeFile(path.join(brokenDir, 'ffprobe'), 'not executable', { mode: 0o644 })
  await fs.promises.mkdir(path.join(fakeDir, 'ffprobe'))
})

afterAll(async () => {
  await fs.promises.rm(dir, { recursive: true, force: true })
})

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (err) {
    if (err instanceof AppError) return err
    throw err
  }
  throw new Error('expected a rejection')
}

describe('parseVersion', () => {
  it.each([
    [
      'ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers\nbuilt with gcc 12',
      '5.1.9-0+deb12u1',
    ],
    [
      'ffprobe version 6.1.1-3ubuntu5 Copyright (c) 2007-2023 the FFmpeg developers',
      '6.1.1-3ubuntu5',
    ],
    [
      'ffmpeg version N-113358-g6ff16d6f52-20240112 Copyright (c) 2000-2024',
      'N-113358-g6ff16d6f52-20240112',
    ],
    ['ffmpeg version n7.0.2-static https://johnvansickle.com/ffmpeg/  Copyright', 'n7.0.2-static'],
    ['  ffmpeg version 4.4.2 Copyright', '4.4.2'],
    ['WARNING: library configuration mismatch\nffmpeg version 4.2.7 Copyright', '4.2.7'],
  ])('reads the version from %j', (output, version) => {
    expect(parseVersion(output)).toBe(version)
  })

  it.each([
    [''],
    ['hello'],
    ['GNU bash, version 5.2.15(1)-release'],
    ['avconv version 12'],
    ['libavutil 57.28.100'],
  ])('returns null for %j', (output) => {
    expect(parseVersion(output)).toBeNull()
  })

  it('parses the real ffmpeg banner', () => {
    const banner = execFileSync(SYSTEM_FFMPEG, ['-version'], { encoding: 'utf8' })
    const version = parseVersion(banner)
    expect(version).not.toBeNull()
    expect(banner.split('\n')[0]).toContain(`ffmpeg version ${version} `)
  })
})

describe('bundledPath', () => {
  it('is the ffmpeg-static binary only when it was actually downloaded', () => {
    expect(bundledPath('ffmpeg')).toBe(installedBinary('ffmpeg-static'))
  })

  it('is the ffprobe package binary only when it is installed', () => {
    expect(bundledPath('ffprobe')).toBe(installedBinary('@ffprobe-installer/ffprobe'))
  })
})

describe('findOnPath', () => {
  it('finds an executable file in the first PATH folder that has one', () => {
    expect(
      findOnPath('ffmpeg', { PATH: [brokenDir, fakeDir, '/usr/bin'].join(path.delimiter) }),
    ).toBe(path.join(brokenDir, 'ffmpeg'))
    expect(findOnPath('ffmpeg', { PATH: ['', fakeDir].join(path.delimiter) })).toBe(
      path.join(fakeDir, 'ffmpeg'),
    )
  })

  it('skips non-executable files and folders', () => {
    expect(
      findOnPath('ffprobe', { PATH: [brokenDir, fakeDir, '/usr/bin'].join(path.delimiter) }),
    ).toBe(SYSTEM_FFPROBE)
    expect(findOnPath('ffprobe', { PATH: [brokenDir, fakeDir].join(path.delimiter) })).toBeNull()
  })

  it("also searches Homebrew's folders on macOS, after PATH, where Finder's PATH lacks them", () => {
    const finderPath = { PATH: '/usr/bin:/bin:/usr/sbin:/sbin' }
    expect(searchDirs(finderPath, 'darwin')).toEqual([
      '/usr/bin',
      '/bin',
      '/usr/sbin',
      '/sbin',
      '/opt/homebrew/bin',
      '/usr/local/bin',
    ])
    expect(searchDirs({ PATH: '/usr/local/bin:/usr/bin' }, 'darwin')).toEqual([
      '/usr/local/bin',
      '/usr/bin',
      '/opt/homebrew/bin',
    ])
    expect(searchDirs(finderPath, 'linux')).toEqual(['/usr/bin', '/bin', '/usr/sbin', '/sbin'])
    // The same search, with a stand-in for Homebrew's folder.
    expect(findOnPath('ffmpeg', { PATH: brokenDir }, 'darwin', [fakeDir])).toBe(
      path.join(brokenDir, 'ffmpeg'),
    )
    expect(findOnPath('ffprobe', { PATH: brokenDir }, 'darwin', ['/usr/bin'])).toBe(SYSTEM_FFPROBE)
    expect(findOnPath('ffprobe', { PATH: brokenDir }, 'linux')).toBeNull()
  })

  it('returns null for an empty or missing PATH', () => {
    expect(findOnPath('ffmpeg', { PATH: '' })).toBeNull()
    expect(findOnPath('ffmpeg', {})).toBeNull()
  })
})

describe('resolveTool', () => {
  it('with only PATH, resolves the system ffmpeg from PATH (or the bundled one if downloaded)', async () => {
    const resolved = await resolveTool('ffmpeg', NO_SETTINGS, ONLY_USR_BIN)
    const bundled = bundledPath('ffmpeg')
    if (bundled) {
      expect(resolved).toMatchObject({ name: 'ffmpeg', path: bundled, source: 'bundled' })
    } else {
      expect(resolved).toMatchObject({ name: 'ffmpeg', path: SYSTEM_FFMPEG, source: 'path' })
    }
    expect(resolved.version).toBe(
      parseVersion(execFileSync(resolved.path, ['-version'], { encoding: 'utf8' })),
    )
  })

  it('resolves ffprobe from PATH', async () => {
    expect(await resolveTool('ffprobe', NO_SETTINGS, ONLY_USR_BIN)).toMatchObject({
      name: 'ffprobe',
      path: SYSTEM_FFPROBE,
      source: 'path',
    })
  })

  it('a setting that does not exist throws ffmpeg-missing naming the setting, without falling back to PATH', async () => {
    const error = await rejection(
      resolveTool('ffmpeg', { ffmpegPath: '/nonexistent/ffmpeg', ffprobePath: null }, ONLY_USR_BIN),
    )
    expect(error.code).toBe('ffmpeg-missing')
    expect(error.message).toContain('Settings')
    expect(error.message).toContain('/nonexistent/ffmpeg')
    expect(error.file).toBe('/nonexistent/ffmpeg')
  })

  it('FFMPEG_PATH pointing at something that is not ffmpeg throws naming FFMPEG_PATH', async () => {
    const error = await rejection(
      resolveTool('ffmpeg', NO_SETTINGS, { FFMPEG_PATH: '/bin/false', PATH: '/usr/bin' }),
    )
    expect(error.code).toBe('ffmpeg-missing')
    expect(error.message).toContain('FFMPEG_PATH')
    expect(error.message).toContain('/bin/false')
    expect(error.file).toBe('/bin/false')
  })

  it('FFPROBE_PATH is the ffprobe variable, and FFMPEG_PATH does not affect ffprobe', async () => {
    const error = await rejection(
      resolveTool('ffprobe', NO_SETTINGS, {
        FFPROBE_PATH: path.join(brokenDir, 'ffmpeg'),
        PATH: '',
      }),
    )
    expect(error.message).toContain('FFPROBE_PATH')
    expect(
      await resolveTool('ffprobe', NO_SETTINGS, { FFMPEG_PATH: '/bin/false', PATH: '/usr/bin' }),
    ).toMatchObject({ source: 'path' })
  })

  it('a program that runs but is not ffmpeg is rejected when explicit', async () => {
    const error = await rejection(
      resolveTool(
        'ffmpeg',
        { ffmpegPath: path.join(brokenDir, 'ffmpeg'), ffprobePath: null },
        ONLY_USR_BIN,
      ),
    )
    expect(error.code).toBe('ffmpeg-missing')
  })

  it('prefers the setting over FFMPEG_PATH over PATH', async () => {
    const fake = path.join(fakeDir, 'ffmpeg')
    expect(
      await resolveTool(
        'ffmpeg',
        { ffmpegPath: fake, ffprobePath: null },
        { FFMPEG_PATH: '/bin/false', PATH: '/usr/bin' },
      ),
    ).toMatchObject({
      path: fake,
      source: 'setting',
      version: '9.9-fake',
    })
    expect(
      await resolveTool('ffmpeg', NO_SETTINGS, { FFMPEG_PATH: fake, PATH: '/usr/bin' }),
    ).toMatchObject({
      path: fake,
      source: 'env',
      version: '9.9-fake',
    })
  })

  it('uses a working ffmpeg found on PATH and reports its version', async () => {
    if (bundledPath('ffmpeg')) return // the bundled binary would come first
    expect(await resolveTool('ffmpeg', NO_SETTINGS, { PATH: fakeDir })).toMatchObject({
      path: path.join(fakeDir, 'ffmpeg'),
      source: 'path',
      version: '9.9-fake',
    })
  })

  it('throws ffmpeg-missing with advice when nothing works', async () => {
    if (bundledPath('ffmpeg')) return
    for (const env of [{ PATH: '' }, { PATH: brokenDir }]) {
      const error = await rejection(resolveTool('ffmpeg', NO_SETTINGS, env))
      expect(error.code).toBe('ffmpeg-missing')
      expect(error.message).toContain('No working ffmpeg')
      expect(error.message).toContain('FFMPEG_PATH')
    }
  })
})

describe('Tools', () => {
  it('reports both binaries found from PATH', async () => {
    const status = await new Tools(() => NO_SETTINGS, ONLY_USR_BIN).status()
    expect(status.problems).toEqual([])
    expect(status.ffprobe).toMatchObject({ name: 'ffprobe', path: SYSTEM_FFPROBE, source: 'path' })
    expect(status.ffmpeg?.name).toBe('ffmpeg')
  })

  it('reports problems and no binaries when nothing is found (PATH empty)', async () => {
    const tools = new Tools(() => NO_SETTINGS, { PATH: '' })
    const status = await tools.status()
    expect(status.ffprobe).toBeNull()
    expect(status.problems.some((p) => p.includes('ffprobe'))).toBe(true)
    if (bundledPath('ffmpeg')) {
      expect(status.ffmpeg?.source).toBe('bundled')
      expect(status.problems).toHaveLength(1)
    } else {
      expect(status.ffmpeg).toBeNull()
      expect(status.problems).toHaveLength(2)
      expect(status.problems.some((p) => p.includes('No working ffmpeg'))).toBe(true)
    }
    const error = await rejection(tools.ffprobe())
    expect(error.code).toBe('ffmpeg-missing')
  })

  it('ffmpeg() and ffprobe() return the resolved binaries', async () => {
    const tools = new Tools(() => NO_SETTINGS, ONLY_USR_BIN)
    expect((await tools.ffprobe()).path).toBe(SYSTEM_FFPROBE)
    expect((await tools.ffmpeg()).name).toBe('ffmpeg')
  })

  it('caches the result until invalidated', async () => {
    let settings: ToolSettings = { ffmpegPath: '/nonexistent/ffmpeg', ffprobePath: null }
    const tools = new Tools(() => settings, ONLY_USR_BIN)
    const first = await tools.status()
    expect(first.ffmpeg).toBeNull()
    expect(first.problems.join('\n')).toContain('/nonexistent/ffmpeg')

    settings = NO_SETTINGS
    // Still the cached answer: settings are only re-read after invalidate().
    expect((await tools.status()).ffmpeg).toBeNull()
    await expect(tools.ffmpeg()).rejects.toMatchObject({ code: 'ffmpeg-missing' })

    tools.invalidate()
    const after = await tools.status()
    expect(after.ffmpeg).not.toBeNull()
    expect(after.problems).toEqual([])
  })

  it('a broken ffmpeg setting does not hide a working ffprobe', async () => {
    const status = await new Tools(
      () => ({ ffmpegPath: '/nonexistent/ffmpeg', ffprobePath: null }),
      ONLY_USR_BIN,
    ).status()
    expect(status.ffmpeg).toBeNull()
    expect(status.ffprobe?.path).toBe(SYSTEM_FFPROBE)
    expect(status.problems).toHaveLength(1)
    expect(status.problems[0]).toContain('Settings')
  })
})
