import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FileSettingsStore } from './settings-store'
import {
  DEFAULT_SETTINGS,
  SETTING_LABELS,
  type Settings,
  type SettingsPatch,
} from '../../shared/settings'
import { AppError } from '../../shared/errors'

let root: string
let counter = 0

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-settings-'))
})

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true })
})

async function freshDir(): Promise<string> {
  const dir = path.join(root, `case-${++counter}`)
  await fs.mkdir(dir)
  return dir
}

function settingsFile(dir: string): string {
  return path.join(dir, 'settings.json')
}

async function readJson(dir: string): Promise<unknown> {
  return JSON.parse(await fs.readFile(settingsFile(dir), 'utf8'))
}

function catchError(fn: () => unknown): AppError {
  try {
    fn()
  } catch (err) {
    if (err instanceof AppError) return err
    throw err
  }
  throw new Error('expected an AppError')
}

describe('FileSettingsStore', () => {
  it('starts from the defaults and writes them to <dataDir>/settings.json', async () => {
    const dir = await freshDir()
    const store = new FileSettingsStore(dir)
    expect(store.get()).toEqual(DEFAULT_SETTINGS)
    expect(await readJson(dir)).toEqual(DEFAULT_SETTINGS)
  })

  it('persists updates across instances', async () => {
    const dir = await freshDir()
    const first = new FileSettingsStore(dir)
    first.update({ concurrency: 5 })
    const updated = first.setMainOwned({
      ffmpegPath: '/opt/ff/ffmpeg',
      falProxy: { url: 'https://proxy.example/fal', sendKey: false },
    })
    expect(updated).toMatchObject({
      concurrency: 5,
      ffmpegPath: '/opt/ff/ffmpeg',
      falProxy: { url: 'https://proxy.example/fal', sendKey: false },
    })
    expect(first.get()).toEqual(updated)

    const second = new FileSettingsStore(dir)
    expect(second.get()).toEqual(updated)
    expect(await readJson(dir)).toEqual(updated)
  })

  it('a one-field update keeps the other fields', async () => {
    const dir = await freshDir()
    const store = new FileSettingsStore(dir)
    store.setMainOwned({ ffmpegPath: '/opt/ff/ffmpeg' })
    store.update({ concurrency: 6 })
    const next = store.setMainOwned({
      falProxy: { url: 'http://localhost:3333/fal', sendKey: true },
    })
    expect(next).toMatchObject({
      ffmpegPath: '/opt/ff/ffmpeg',
      concurrency: 6,
      falProxy: { url: 'http://localhost:3333/fal', sendKey: true },
    })
    expect(new FileSettingsStore(dir).get()).toEqual(next)
  })

  it('clears a field set to null', async () => {
    const dir = await freshDir()
    const store = new FileSettingsStore(dir)
    store.setMainOwned({ ffprobePath: '/opt/ff/ffprobe' })
    expect(store.setMainOwned({ ffprobePath: null }).ffprobePath).toBeNull()
    expect(new FileSettingsStore(dir).get().ffprobePath).toBeNull()
  })

  it.each<[string, SettingsPatch | Record<string, unknown>, string | undefined]>([
    ['concurrency out of range', { concurrency: 0 }, 'concurrency'],
    ['concurrency not an integer', { concurrency: 1.5 }, 'concurrency'],
    ['output name without {stem}', { nameTemplate: 'result' }, 'nameTemplate'],
    ['output folder typed', { outputDir: '/tmp/anywhere' }, 'outputDir'],
    ['main-owned proxy', { falProxy: { url: 'https://evil.example/', sendKey: true } }, undefined],
    ['main-owned ffmpeg path', { ffmpegPath: '/tmp/x/fake-ffmpeg' }, undefined],
    ['main-owned recentFolders', { recentFolders: ['/evil'] }, undefined],
    ['main-owned recentLoras', { recentLoras: ['/home/u/secret.safetensors'] }, undefined],
    ['main-owned recentProjects', { recentProjects: ['/etc/passwd'] }, undefined],
    ['unknown key', { colour: 'dark' }, undefined],
  ])(
    'rejects an invalid patch (%s) with invalid-params and leaves the file unchanged',
    async (_label, patch, field) => {
      const dir = await freshDir()
      const store = new FileSettingsStore(dir)
      store.update({ concurrency: 3 })
      store.setMainOwned({ ffmpegPath: '/keep' })
      const before = await fs.readFile(settingsFile(dir), 'utf8')
      const stateBefore = store.get()

      const error = catchError(() => store.update(patch as SettingsPatch))
      expect(error.code).toBe('invalid-params')
      if (field) {
        expect(error.field).toBe(field)
        // Named as the control in Settings is labelled, not as the contract's field.
        expect(error.message).toMatch(new RegExp(`^${SETTING_LABELS[field as keyof Settings]} `))
      }

      expect(await fs.readFile(settingsFile(dir), 'utf8')).toBe(before)
      expect(store.get()).toEqual(stateBefore)
    },
  )

  it('does not rewrite an up-to-date settings.json when loading it', async () => {
    const dir = await freshDir()
    const current = { ...DEFAULT_SETTINGS, concurrency: 4, recentFolders: ['/a'] }
    // Hand-formatted on purpose: any rewrite would change the bytes.
    const handWritten = JSON.stringify(current) + '\n\n'
    await fs.writeFile(settingsFile(dir), handWritten)
    const store = new FileSettingsStore(dir)
    expect(store.get()).toEqual(current)
    store.get()
    expect(await fs.readFile(settingsFile(dir), 'utf8')).toBe(handWritten)
  })

  it('rewrites settings.json when loading changed it (invalid field reset, unknown key dropped)', async () => {
    const dir = await freshDir()
    await fs.writeFile(
      settingsFile(dir),
      JSON.stringify({ ...DEFAULT_SETTINGS, concurrency: -1, stale: true }),
    )
    new FileSettingsStore(dir)
    expect(await readJson(dir)).toEqual(DEFAULT_SETTINGS)
  })

  it('loads defaults from a settings.json full of garbage bytes, and can save again', async () => {
    const dir = await freshDir()
    await fs.writeFile(
      settingsFile(dir),
      Buffer.from([0x00, 0xff, 0xfe, 0x7b, 0x22, 0x9c, 0x80, 0x01, 0x02]),
    )
    const store = new FileSettingsStore(dir)
    expect(store.get()).toEqual(DEFAULT_SETTINGS)
    store.update({ concurrency: 4 })
    expect(new FileSettingsStore(dir).get().concurrency).toBe(4)
  })

  it.each([
    ['null'],
    ['[1,2,3]'],
    ['"a string"'],
    ['42'],
    ['{"concurrency": 3, "ffmpegPath": '],
    [''],
  ])('loads defaults from a settings.json containing %j', async (content) => {
    const dir = await freshDir()
    await fs.writeFile(settingsFile(dir), content)
    expect(new FileSettingsStore(dir).get()).toEqual(DEFAULT_SETTINGS)
  })

  it('keeps the valid fields of a partly broken file and drops unknown keys from disk', async () => {
    const dir = await freshDir()
    await fs.writeFile(
      settingsFile(dir),
      JSON.stringify({
        version: 2,
        concurrency: 999,
        ffmpegPath: '/opt/ff/ffmpeg',
        falKey: 'sk-should-not-stay',
        recentFolders: ['/a'],
      }),
    )
    const store = new FileSettingsStore(dir)
    expect(store.get()).toEqual({
      ...DEFAULT_SETTINGS,
      ffmpegPath: '/opt/ff/ffmpeg',
      recentFolders: ['/a'],
    })
    const onDisk = (await readJson(dir)) as Record<string, unknown>
    expect(onDisk).not.toHaveProperty('falKey')
    expect(onDisk.concurrency).toBe(DEFAULT_SETTINGS.concurrency)
  })

  it('rememberFolder keeps the most recent first, without duplicates, at most 10', async () => {
    const dir = await freshDir()
    const store = new FileSettingsStore(dir)
    for (let i = 1; i <= 12; i++) store.rememberFolder(`/videos/${i}`)
    expect(store.get().recentFolders).toEqual(
      [12, 11, 10, 9, 8, 7, 6, 5, 4, 3].map((i) => `/videos/${i}`),
    )

    // Re-picking an older folder moves it to the front instead of duplicating it.
    const after = store.rememberFolder('/videos/7')
    expect(after.recentFolders).toEqual(
      [7, 12, 11, 10, 9, 8, 6, 5, 4, 3].map((i) => `/videos/${i}`),
    )
    expect(new Set(after.recentFolders).size).toBe(after.recentFolders.length)

    // Re-picking the newest one changes nothing.
    expect(store.rememberFolder('/videos/7').recentFolders).toEqual(after.recentFolders)

    // Persisted, and survives a following settings update.
    store.update({ concurrency: 3 })
    expect(new FileSettingsStore(dir).get().recentFolders).toEqual(after.recentFolders)
  })

  it('rememberFolder keeps the other settings', async () => {
    const dir = await freshDir()
    const store = new FileSettingsStore(dir)
    store.update({ concurrency: 9 })
    expect(store.rememberFolder('/a').concurrency).toBe(9)
    expect(new FileSettingsStore(dir).get()).toMatchObject({
      concurrency: 9,
      recentFolders: ['/a'],
    })
  })

  it('remember keeps each recent list apart, most recent first, at most 10, persisted', async () => {
    const dir = await freshDir()
    const store = new FileSettingsStore(dir)
    for (let i = 1; i <= 11; i++) store.remember('recentLoras', `/l/${i}.safetensors`)
    store.remember('recentProjects', '/p/a.reanimate')
    store.remember('recentProjects', '/p/b.reanimate')
    store.remember('recentProjects', '/p/a.reanimate')
    const loaded = new FileSettingsStore(dir).get()
    expect(loaded.recentLoras).toEqual(
      [11, 10, 9, 8, 7, 6, 5, 4, 3, 2].map((i) => `/l/${i}.safetensors`),
    )
    expect(loaded.recentProjects).toEqual(['/p/a.reanimate', '/p/b.reanimate'])
    expect(loaded.recentFolders).toEqual([])
  })
})
