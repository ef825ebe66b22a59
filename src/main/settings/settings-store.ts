import Conf from 'conf'
import {
  migrateSettings,
  RECENT_MAX,
  SettingsPatchSchema,
  type Settings,
  type SettingsPatch,
} from '../../shared/settings'
import { AppError } from '../../shared/errors'
import { describeInvalidParams } from '../../shared/contract/dispatch'

export interface SettingsStore {
  get(): Settings
  update(patch: SettingsPatch): Settings
  rememberFolder(folder: string): Settings
  /** Puts `value` first in a main-owned recent list (no duplicates, at most RECENT_MAX). */
  remember(list: RecentList, value: string): Settings
  /** Main-owned fields, set only after main's own confirmation or picker; never from the window. */
  setMainOwned(patch: MainOwnedPatch): Settings
}

export type RecentList = 'recentFolders' | 'recentLoras' | 'recentProjects'

export type MainOwnedPatch = Partial<
  Pick<Settings, 'ffmpegPath' | 'ffprobePath' | 'falProxy' | 'outputDir'>
>

/**
 * Settings in `<dataDir>/settings.json`. conf writes atomically (temp file + rename), so a crash
 * mid-write leaves the previous file; zod decides what is valid and fills defaults.
 */
export class FileSettingsStore implements SettingsStore {
  private readonly conf: Conf<Record<string, unknown>>
  private current: Settings

  constructor(dataDir: string) {
    this.conf = new Conf<Record<string, unknown>>({
      cwd: dataDir,
      configName: 'settings',
      projectName: 'reanimate',
      // A hand-broken file should not stop the app from starting; defaults are used instead.
      clearInvalidConfig: true,
    })
    this.current = migrateSettings(this.conf.store)
    // Only rewrite the file when migration changed it; reading settings must not touch the disk.
    if (JSON.stringify(this.conf.store) !== JSON.stringify(this.current))
      this.conf.store = { ...this.current }
  }

  get(): Settings {
    return this.current
  }

  update(patch: SettingsPatch): Settings {
    const parsed = SettingsPatchSchema.safeParse(patch)
    if (!parsed.success) {
      const { message, field } = describeInvalidParams('settings.update', parsed.error)
      throw new AppError('invalid-params', message, field ? { field } : {})
    }
    // An explicit `undefined` (IPC keeps them) means "not in this patch", never "reset".
    const patchOnly = Object.fromEntries(
      Object.entries(parsed.data).filter(([, v]) => v !== undefined),
    )
    this.current = migrateSettings({ ...this.current, ...patchOnly })
    this.conf.store = { ...this.current }
    return this.current
  }

  setMainOwned(patch: MainOwnedPatch): Settings {
    this.current = migrateSettings({ ...this.current, ...patch })
    this.conf.store = { ...this.current }
    return this.current
  }

  rememberFolder(folder: string): Settings {
    return this.remember('recentFolders', folder)
  }

  remember(list: RecentList, value: string): Settings {
    const now = this.current[list]
    if (now[0] === value) return this.current
    const recent = [value, ...now.filter((f) => f !== value)].slice(0, RECENT_MAX)
    this.current = { ...this.current, [list]: recent }
    this.conf.store = { ...this.current }
    return this.current
  }
}
