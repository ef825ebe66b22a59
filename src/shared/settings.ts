import { z } from 'zod'
import { DEFAULT_PREPARE_MAX_SIDE } from './media'

/** Bump when a stored field changes meaning; `migrateSettings` lifts older files. */
export const SETTINGS_VERSION = 1

const nullablePath = z.string().trim().min(1).max(4096).nullable()

/** Persisted user settings. Every field has a default, so a fresh or partly broken file still loads. */
export const SettingsSchema = z.object({
  version: z.literal(SETTINGS_VERSION).default(SETTINGS_VERSION),
  /** Explicit ffmpeg/ffprobe binaries; null = resolve from env, bundled binary, then PATH. */
  ffmpegPath: nullablePath.default(null),
  ffprobePath: nullablePath.default(null),
  /** fal server proxy (fal-js `libs/proxy` contract); null = talk to fal directly. */
  falProxyUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .nullable()
    .default(null),
  /** Longest side of the clip uploaded to fal, or 'original'. */
  prepareMaxSide: z
    .union([z.number().int().min(256).max(4096), z.literal('original')])
    .default(DEFAULT_PREPARE_MAX_SIDE),
  /** Jobs in flight at once; fal gives new accounts 2. */
  concurrency: z.number().int().min(1).max(40).default(2),
  /** Folders the user picked last, most recent first. */
  recentFolders: z.array(z.string()).max(10).default([]),
})

export type Settings = z.infer<typeof SettingsSchema>

/**
 * What the renderer may change. `version` and history are owned by main. Built from the fields
 * without their defaults: zod 4 applies defaults even inside `.partial()`, which would make a
 * one-field patch reset every other field.
 */
const { ffmpegPath, ffprobePath, falProxyUrl, prepareMaxSide, concurrency } = SettingsSchema.shape
export const SettingsPatchSchema = z
  .object({
    ffmpegPath: ffmpegPath.removeDefault(),
    ffprobePath: ffprobePath.removeDefault(),
    falProxyUrl: falProxyUrl.removeDefault(),
    prepareMaxSide: prepareMaxSide.removeDefault(),
    concurrency: concurrency.removeDefault(),
  })
  .partial()
  .strict()

export type SettingsPatch = z.infer<typeof SettingsPatchSchema>

export const DEFAULT_SETTINGS: Settings = SettingsSchema.parse({})

/**
 * Reads whatever is on disk into current settings: unknown keys dropped, invalid fields reset to
 * their default (one bad value must not wipe the rest), older versions migrated.
 */
export function migrateSettings(raw: unknown): Settings {
  const source = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {}
  const out: Record<string, unknown> = {}
  const shape = SettingsSchema.shape
  for (const key of Object.keys(shape) as (keyof typeof shape)[]) {
    if (key === 'version') continue
    const parsed = shape[key].safeParse(source[key])
    if (parsed.success) out[key] = parsed.data
  }
  return SettingsSchema.parse(out)
}
