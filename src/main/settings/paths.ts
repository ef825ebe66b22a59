import os from 'node:os'
import path from 'node:path'

/** The data folder's name, the same on every OS, for the app and the CLI alike. */
export const DATA_DIR_NAME = 'Reanimate'

/**
 * Where Reanimate keeps settings, the journal and caches: one folder shared by the app and the CLI
 * (the app sets Electron's `userData` to it), so `reanimate jobs list` shows the app's renders and
 * both obey the same journal lock. Spelt the same everywhere: on a case-sensitive Linux disk,
 * "reanimate" and "Reanimate" would be two folders and two journals.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): string {
  if (env.REANIMATE_DATA_DIR) return path.resolve(env.REANIMATE_DATA_DIR)
  const home = os.homedir()
  if (platform === 'win32')
    return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), DATA_DIR_NAME)
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', DATA_DIR_NAME)
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), DATA_DIR_NAME)
}
