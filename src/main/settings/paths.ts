import os from 'node:os'
import path from 'node:path'

/**
 * Where Reanimate keeps settings, the journal and caches when Electron is not there to say
 * (CLI, tests). Matches Electron's `userData` for the app name so both share one folder.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): string {
  if (env.REANIMATE_DATA_DIR) return path.resolve(env.REANIMATE_DATA_DIR)
  const home = os.homedir()
  if (platform === 'win32')
    return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'reanimate')
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'reanimate')
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'reanimate')
}
