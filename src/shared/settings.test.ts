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
      falProxyUrl: null,
      prepareMaxSide: DEFAULT_PREPARE_MAX_SIDE,
      concurrency: 2,
      recentFolders: [],
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
      version: 1,
      ffmpegPath: '/opt/ffmpeg/bin/ffmpeg',
      ffprobePath: '/opt/ffmpeg/bin/ffprobe',
      falProxyUrl: 'https://proxy.example.com/api/fal/proxy',
      prepareMaxSide: 'original',
      concurrency: 7,
      recentFolders: ['/b', '/a'],
    }
    expect(migrateSettings(stored)).toEqual(stored)
  })

  it('resets one invalid field to its default and keeps the others', () => {
    const migrated = migrateSettings({
      ffmpegPath: '/usr/local/bin/ffmpeg',
      falProxyUrl: 'https://proxy.example.com/',
      concurrency: 'lots',
      recentFolders: ['/videos'],
    })
    expect(migrated).toEqual({
      ...DEFAULT_SETTINGS,
      ffmpegPath: '/usr/local/bin/ffmpeg',
      falProxyUrl: 'https://proxy.example.com/',
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
    ['non-URL falProxyUrl', 'falProxyUrl', 'not a url'],
    ['string recentFolders', 'recentFolders', 'not-an-array'],
    ['numeric recentFolders entries', 'recentFolders', [1, 2]],
    ['11 recentFolders', 'recentFolders', Array.from({ length: 11 }, (_, i) => `/f${i}`)],
  ])('resets %s to its default and keeps the other fields', (_label, key, value) => {
    const migrated = migrateSettings({ concurrency: 5, ffmpegPath: '/keep/me', [key]: value })
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
      '{"__proto__": {"concurrency": 9, "polluted": true}, "ffmpegPath": "/x"}',
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
    expect(migrateSettings({ ffprobePath: '  /usr/bin/ffprobe  ' }).ffprobePath).toBe(
      '/usr/bin/ffprobe',
    )
  })
})

describe('falProxyUrl', () => {
  const field = SettingsSchema.shape.falProxyUrl

  it.each([
    ['https://proxy.example.com/api/fal/proxy'],
    ['http://localhost:3333/fal'],
    ['http://127.0.0.1:8080/'],
  ])('accepts %s', (url) => {
    expect(field.safeParse(url).success).toBe(true)
  })

  it('accepts null (talk to fal directly)', () => {
    expect(field.parse(null)).toBeNull()
  })

  it.each([
    ['ftp://proxy.example.com/'],
    ['file:///etc/passwd'],
    ['javascript:alert(1)'],
    ['ws://proxy.example.com/'],
    ['data:text/plain,hi'],
    ['proxy.example.com'],
    ['not a url'],
    [''],
  ])('rejects %j', (url) => {
    const result = field.safeParse(url)
    expect(result.success).toBe(false)
  })

  it('explains the rejection in words', () => {
    const result = SettingsPatchSchema.safeParse({ falProxyUrl: 'ftp://x.example/' })
    expect(result.success).toBe(false)
    if (result.success) return
    expect(result.error.issues[0]?.path).toEqual(['falProxyUrl'])
    expect(result.error.issues[0]?.message).toBe('must be an http(s) URL')
  })

  it('falls back to null when the stored value is not http(s)', () => {
    expect(migrateSettings({ falProxyUrl: 'file:///etc/passwd', concurrency: 3 })).toMatchObject({
      falProxyUrl: null,
      concurrency: 3,
    })
  })
})

describe('SettingsPatchSchema', () => {
  it('keeps only the fields that were sent (no defaults filled in)', () => {
    // A patch of one field must not silently reset the others to their defaults.
    expect(SettingsPatchSchema.parse({ concurrency: 4 })).toEqual({ concurrency: 4 })
    expect(SettingsPatchSchema.parse({})).toEqual({})
  })

  it('lets a field be cleared with null', () => {
    expect(SettingsPatchSchema.parse({ ffmpegPath: null })).toEqual({ ffmpegPath: null })
  })

  it.each([['version'], ['recentFolders'], ['unknown']])(
    'refuses the main-owned or unknown key %s',
    (key) => {
      expect(
        SettingsPatchSchema.safeParse({ [key]: key === 'recentFolders' ? [] : 1 }).success,
      ).toBe(false)
    },
  )
})

describe('SettingsPatchSchema covers every editable setting', () => {
  it('lists all settings except the ones main owns', async () => {
    const { SettingsPatchSchema: patch, SettingsSchema: full } = await import('./settings')
    const editable = Object.keys(full.shape).filter((k) => k !== 'version' && k !== 'recentFolders')
    expect(Object.keys(patch.shape).sort()).toEqual(editable.sort())
  })
})
