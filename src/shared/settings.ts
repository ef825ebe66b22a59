import { z } from 'zod'
import { DEFAULT_PREPARE_MAX_SIDE } from './media'
import { proxyUrlProblem } from './proxy-url'
import { DEFAULT_NAME_TEMPLATE, NameTemplateSchema } from './name-template'

/**
 * Bump when a stored field changes meaning; `migrateSettings` lifts older files. Version 2 made the
 * fal proxy and the ffmpeg/ffprobe paths main-owned (confirmed or picked in a native dialog):
 * values from version 1 could have been written by the window, so they are not carried over.
 */
export const SETTINGS_VERSION = 2

/**
 * Fields set only by main (after a native confirmation or picker, or from what the user did), never
 * from the window, and not carried over from an older file a window could have written. The recent
 * LoRAs and projects are here because main lets the window use them again without a new pick.
 */
const MAIN_OWNED_SINCE_V2 = [
  'ffmpegPath',
  'ffprobePath',
  'falProxy',
  'recentLoras',
  'recentProjects',
] as const

/** How many recent folders, LoRAs and projects main keeps. */
export const RECENT_MAX = 10
const recentList = z.array(z.string().min(1).max(4096)).max(RECENT_MAX).default([])

const nullablePath = z.string().trim().min(1).max(4096).nullable()

/** Persisted user settings. Every field has a default, so a fresh or partly broken file still loads. */
export const SettingsSchema = z.object({
  version: z.literal(SETTINGS_VERSION).default(SETTINGS_VERSION),
  /**
   * ffmpeg/ffprobe the user picked in main's file dialog; null = resolve from env, bundled binary,
   * then PATH.
   */
  ffmpegPath: nullablePath.default(null),
  ffprobePath: nullablePath.default(null),
  /**
   * A fal server proxy (fal-js `libs/proxy` contract) the user confirmed in main's dialog; null =
   * talk to fal directly. `sendKey`: the user agreed to send their fal key to this proxy's host.
   */
  falProxy: z
    .object({
      url: z
        .string()
        .max(2048)
        .refine((u) => !proxyUrlProblem(u), { message: 'is not an allowed fal proxy address' }),
      sendKey: z.boolean(),
    })
    .nullable()
    .default(null),
  /** Longest side of the clip uploaded to fal, or 'original'. */
  prepareMaxSide: z
    .union([z.number().int().min(256).max(4096), z.literal('original')], {
      error: 'must be a whole number of pixels from 256 to 4096, or the original size',
    })
    .default(DEFAULT_PREPARE_MAX_SIDE),
  /** Jobs in flight at once; fal gives new accounts 2. */
  concurrency: z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(40, 'must be at most 40')
    .default(2),
  /**
   * Where the window's renders go, a folder the user picked in main's (or `reanimate ui`'s)
   * folder picker; null = beside the source. Never overwrites: a taken name gets ` (2)`.
   */
  outputDir: nullablePath.default(null),
  /** The result's name without extension; `{stem}` is the source's name. */
  nameTemplate: NameTemplateSchema.default(DEFAULT_NAME_TEMPLATE),
  /** The result's frame rate: fal's (`result`) or retimed to the source's (`source`). */
  resultFps: z
    .enum(['result', 'source'], { error: 'must be the result’s or the source’s' })
    .default('result'),
  /** Colours: follow the system, or always light or dark. */
  theme: z
    .enum(['system', 'light', 'dark'], { error: 'must be system, light or dark' })
    .default('system'),
  /** Look for a new version at start (the desktop app only; Help can always look). */
  checkForUpdates: z.boolean({ error: 'must be on or off' }).default(true),
  /** Folders the user picked last, most recent first. */
  recentFolders: z.array(z.string()).max(RECENT_MAX).default([]),
  /**
   * LoRAs of renders started from the window, most recent first: http(s) URLs and local
   * `.safetensors` files the user had picked. Main accepts these again without a new pick.
   */
  recentLoras: recentList,
  /** Projects the user opened or saved, most recent first; `project.open` accepts these. */
  recentProjects: recentList,
})

export type Settings = z.infer<typeof SettingsSchema>

/**
 * What the renderer may change. `version`, history, the proxy and the tool paths are owned by main.
 * Built from the fields without their defaults: zod 4 applies defaults even inside `.partial()`,
 * which would make a one-field patch reset every other field.
 */
const { prepareMaxSide, concurrency, nameTemplate, resultFps, theme, checkForUpdates } =
  SettingsSchema.shape
export const SettingsPatchSchema = z
  .object({
    prepareMaxSide: prepareMaxSide.removeDefault(),
    concurrency: concurrency.removeDefault(),
    nameTemplate: nameTemplate.removeDefault(),
    resultFps: resultFps.removeDefault(),
    theme: theme.removeDefault(),
    checkForUpdates: checkForUpdates.removeDefault(),
    /** Only back to "beside the source": a folder is set through main's picker (`settings.pickOutputDir`). */
    outputDir: z.null({ error: 'is set by choosing a folder' }),
  })
  .partial()
  .strict()

export type SettingsPatch = z.infer<typeof SettingsPatchSchema>

/**
 * Each setting as its control in Settings is labelled: an error names what the user sees, not the
 * field in the contract.
 */
export const SETTING_LABELS: Partial<Record<keyof Settings, string>> = {
  concurrency: 'Renders at once',
  prepareMaxSide: 'Upload size (longest side)',
  outputDir: 'Output folder',
  nameTemplate: 'Output name',
  resultFps: 'Result frame rate',
  theme: 'Theme',
  checkForUpdates: 'Check for updates when Reanimate starts',
  falProxy: 'fal proxy URL',
  ffmpegPath: 'ffmpeg',
  ffprobePath: 'ffprobe',
}

export const DEFAULT_SETTINGS: Settings = SettingsSchema.parse({})

/**
 * Reads whatever is on disk into current settings: unknown keys dropped, invalid fields reset to
 * their default (one bad value must not wipe the rest), older versions migrated.
 */
export function migrateSettings(raw: unknown): Settings {
  const stored = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {}
  const dropped: readonly string[] = stored.version === SETTINGS_VERSION ? [] : MAIN_OWNED_SINCE_V2
  const source = Object.fromEntries(Object.entries(stored).filter(([k]) => !dropped.includes(k)))
  const out: Record<string, unknown> = {}
  const shape = SettingsSchema.shape
  for (const key of Object.keys(shape) as (keyof typeof shape)[]) {
    if (key === 'version') continue
    const parsed = shape[key].safeParse(source[key])
    if (parsed.success) out[key] = parsed.data
  }
  return SettingsSchema.parse(out)
}
