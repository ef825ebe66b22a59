import { describe, expect, it } from 'vitest'
import {
  DEFAULT_SETTINGS,
  SETTINGS_VERSION,
  SettingsPatchSchema,
  SettingsSchema,
  migrateSettings,
} from './settings'
import { DEFAULT_PREPARE_MAX_SIDE } from './media'

describe('SettingsSchema defaults', () => {
  it('fills every field for empty input', () => {
    expect(SettingsSchema.parse({})).toEqual({
      version: SETTINGS_VERSION,
      ffmpegPath: null,
      ffprobePath: null,
      falProxy: null,
      prepareMaxSide: DEFAULT_PREPARE_MAX_SIDE,
      concurrency: 2,
      recentFolders: [],
      recentLoras: [],
      recentProjects: [],
      outputDir: null,
      nameTemplate: '{stem}.reanimate',
      resultFps: 'result',
      theme: 'system',
      checkForUpdates: true,
    })
    expect(DEFAULT_SETTINGS).toEqual(SettingsSchema.parse({}))
  })
})

describe('migrateSettings', () => {
  it.each([[undefined], [null], [{}], ['garbage'], [42], [true], [[]]])(
    'returns the defaults for %j',
    (raw) => {
      expect(migrateSettings(raw)).toEqual(DEFAULT_SETTINGS)
    },
  )

  it('keeps every valid field', () => {
    const stored = {
      version: SETTINGS_VERSION,
      ffmpegPath: '/opt/ffmpeg/bin/ffmpeg',
      ffprobePath: '/opt/ffmpeg/bin/ffprobe',
      falProxy: { url: 'https://proxy.example.com/api/fal/proxy', sendKey: false },
      prepareMaxSide: 'original',
      concurrency: 7,
      recentFolders: ['/b', '/a'],
      recentLoras: ['https://example.com/a.safetensors', '/loras/b.safetensors'],
      recentProjects: ['/work/edit.reanimate'],
      outputDir: '/renders',
      nameTemplate: 'styled-{stem}',
      resultFps: 'source',
      theme: 'dark',
      checkForUpdates: false,
    }
    expect(migrateSettings(stored)).toEqual(stored)
  })

  it('resets one invalid field to its default and keeps the others', () => {
    const migrated = migrateSettings({
      version: SETTINGS_VERSION,
      ffmpegPath: '/usr/local/bin/ffmpeg',
      falProxy: { url: 'https://proxy.example.com/', sendKey: true },
      concurrency: 'lots',
      recentFolders: ['/videos'],
    })
    expect(migrated).toEqual({
      ...DEFAULT_SETTINGS,
      ffmpegPath: '/usr/local/bin/ffmpeg',
      falProxy: { url: 'https://proxy.example.com/', sendKey: true },
      concurrency: DEFAULT_SETTINGS.concurrency,
      recentFolders: ['/videos'],
    })
  })

  it.each([
    ['concurrency below 1', 'concurrency', 0],
    ['concurrency above 40', 'concurrency', 41],
    ['fractional concurrency', 'concurrency', 2.5],
    ['NaN concurrency', 'concurrency', Number.NaN],
    ['empty ffmpegPath', 'ffmpegPath', ''],
    ['blank ffmpegPath', 'ffmpegPath', '   '],
    ['numeric ffmpegPath', 'ffmpegPath', 42],
    ['5000-char ffprobePath', 'ffprobePath', 'x'.repeat(5000)],
    ['non-URL fal proxy', 'falProxy', { url: 'not a url', sendKey: false }],
    ['plain-http remote fal proxy', 'falProxy', { url: 'http://proxy.example/', sendKey: true }],
    ['string recentFolders', 'recentFolders', 'not-an-array'],
    ['numeric recentFolders entries', 'recentFolders', [1, 2]],
    ['11 recentFolders', 'recentFolders', Array.from({ length: 11 }, (_, i) => `/f${i}`)],
    ['11 recentLoras', 'recentLoras', Array.from({ length: 11 }, (_, i) => `/l${i}.safetensors`)],
    ['empty recentProjects entry', 'recentProjects', ['']],
    ['string recentProjects', 'recentProjects', '/etc/passwd'],
    ['string checkForUpdates', 'checkForUpdates', 'no'],
  ])('resets %s to its default and keeps the other fields', (_label, key, value) => {
    const migrated = migrateSettings({
      version: SETTINGS_VERSION,
      concurrency: 5,
      ffmpegPath: '/keep/me',
      [key]: value,
    })
    expect(migrated[key as keyof typeof migrated]).toEqual(
      DEFAULT_SETTINGS[key as keyof typeof DEFAULT_SETTINGS],
    )
    if (key !== 'concurrency') expect(migrated.concurrency).toBe(5)
    if (key !== 'ffmpegPath') expect(migrated.ffmpegPath).toBe('/keep/me')
  })

  it('drops unknown keys', () => {
    const migrated = migrateSettings({
      concurrency: 3,
      theme: 'dark',
      __proto__polluted: 1,
      falKey: 'sk-secret',
    })
    expect(Object.keys(migrated).sort()).toEqual(Object.keys(DEFAULT_SETTINGS).sort())
    expect(migrated).not.toHaveProperty('falKey')
    expect(migrated.concurrency).toBe(3)
  })

  it('does not let a JSON __proto__ key pollute the result', () => {
    const raw: unknown = JSON.parse(
      '{"__proto__": {"concurrency": 9, "polluted": true}, "version": 2, "ffmpegPath": "/x"}',
    )
    const migrated = migrateSettings(raw)
    expect(migrated.concurrency).toBe(DEFAULT_SETTINGS.concurrency)
    expect((migrated as Record<string, unknown>).polluted).toBeUndefined()
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(migrated.ffmpegPath).toBe('/x')
  })

  it('stamps the current version whatever the stored one says', () => {
    expect(migrateSettings({ version: 0, concurrency: 4 })).toMatchObject({
      version: SETTINGS_VERSION,
      concurrency: 4,
    })
    expect(migrateSettings({ version: 'v9' }).version).toBe(SETTINGS_VERSION)
  })

  it('trims stored binary paths', () => {
    expect(
      migrateSettings({ version: SETTINGS_VERSION, ffprobePath: '  /usr/bin/ffprobe  ' })
        .ffprobePath,
    ).toBe('/usr/bin/ffprobe')
  })

  it('drops the proxy and program paths of version 1, which the window could write', () => {
    const migrated = migrateSettings({
      version: 1,
      ffmpegPath: '/tmp/x/fake-ffmpeg',
      ffprobePath: '/tmp/x/fake-ffprobe',
      falProxyUrl: 'http://127.0.0.1:9/steal',
      falProxy: { url: 'https://evil.example/', sendKey: true },
      concurrency: 6,
    })
    expect(migrated).toEqual({ ...DEFAULT_SETTINGS, concurrency: 6 })
  })

  it('drops recent LoRAs and projects from a file of another version: main accepts those without a pick', () => {
    const migrated = migrateSettings({
      version: 1,
      recentLoras: ['/home/u/.ssh/id_rsa.safetensors'],
      recentProjects: ['/etc/passwd'],
      recentFolders: ['/videos'],
    })
    expect(migrated).toEqual({ ...DEFAULT_SETTINGS, recentFolders: ['/videos'] })
  })
})

describe('falProxy', () => {
  const field = SettingsSchema.shape.falProxy

  it.each([
    ['https://proxy.example.com/api/fal/proxy'],
    ['http://localhost:3333/fal'],
    ['http://127.0.0.1:8080/'],
  ])('accepts %s', (url) => {
    expect(field.safeParse({ url, sendKey: false }).success).toBe(true)
  })

  it('accepts null (talk to fal directly)', () => {
    expect(field.parse(null)).toBeNull()
  })

  it.each([
    ['http://proxy.example.com/'],
    ['ftp://proxy.example.com/'],
    ['file:///etc/passwd'],
    ['javascript:alert(1)'],
    ['ws://proxy.example.com/'],
    ['proxy.example.com'],
    [''],
  ])('rejects %j', (url) => {
    expect(field.safeParse({ url, sendKey: true }).success).toBe(false)
  })

  it('cannot be changed through a settings patch', () => {
    expect(
      SettingsPatchSchema.safeParse({ falProxy: { url: 'https://x.example/', sendKey: true } })
        .success,
    ).toBe(false)
  })
})

describe('SettingsPatchSchema', () => {
  it('keeps only the fields that were sent (no defaults filled in)', () => {
    // A patch of one field must not silently reset the others to their defaults.
    expect(SettingsPatchSchema.parse({ concurrency: 4 })).toEqual({ concurrency: 4 })
    expect(SettingsPatchSchema.parse({})).toEqual({})
  })

  it.each([
    ['version'],
    ['recentFolders'],
    ['recentLoras'],
    ['recentProjects'],
    ['unknown'],
    ['ffmpegPath'],
    ['ffprobePath'],
    ['falProxy'],
    ['falProxyUrl'],
  ])('refuses the main-owned or unknown key %s', (key) => {
    expect(
      // Values of the right type, so only the key itself can be what is refused.
      SettingsPatchSchema.safeParse({ [key]: key.startsWith('recent') ? [] : null }).success,
    ).toBe(false)
  })
})

describe('SettingsPatchSchema covers every editable setting', () => {
  it('lists all settings except the ones main owns', async () => {
    const { SettingsPatchSchema: patch, SettingsSchema: full } = await import('./settings')
    const mainOwned = [
      'version',
      'recentFolders',
      'recentLoras',
      'recentProjects',
      'ffmpegPath',
      'ffprobePath',
      'falProxy',
    ]
    const editable = Object.keys(full.shape).filter((k) => !mainOwned.includes(k))
    expect(Object.keys(patch.shape).sort()).toEqual(editable.sort())
  })
})
