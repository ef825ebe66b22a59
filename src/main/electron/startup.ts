import type { App } from 'electron'
import { defaultDataDir } from '../settings/paths'

/**
 * The app's identity on Windows: the installer's shortcut carries electron-builder.yml's `appId`,
 * and the running app must say the same, or toasts and the taskbar are attributed to
 * `electron.app.Reanimate`. A test holds the two equal.
 */
export const APP_ID = 'app.reanimate.desktop'

/**
 * What must happen before `ready`, when the adapter is imported: the data folder (the CLI's
 * resolver, so REANIMATE_DATA_DIR and the folder's name are the same for both) set before anything
 * reads userData, and the Windows app id set before any window or notification exists.
 */
export function prepareApp(
  app: Pick<App, 'setPath' | 'setAppUserModelId'>,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const dataDir = defaultDataDir(env, platform)
  app.setPath('userData', dataDir)
  if (platform === 'win32') app.setAppUserModelId(APP_ID)
  return dataDir
}
