import { createServices } from '../main/services'
import { defaultDataDir } from '../main/settings/paths'
import { MemorySecretStore } from '../main/settings/secret-store'
import type { CallContext } from '../shared/contract/dispatch'

/**
 * The CLI runs the same services as the app, in-process. It reads the fal key from FAL_KEY only:
 * the app's saved key is sealed by Electron's safeStorage, which plain Node cannot open. Its proxy
 * is FAL_PROXY_URL only: with FAL_KEY and FAL_PROXY_URL both set, the key goes to that proxy.
 */
export function cliServices(
  env: NodeJS.ProcessEnv = process.env,
  command: 'run' | 'render' | 'batch' | 'jobs' | 'probe' | 'prepare' = 'run',
  options: { concurrency?: number; pollMs?: number } = {},
) {
  return createServices({
    dataDir: defaultDataDir(env),
    secrets: new MemorySecretStore(),
    env,
    allowAllFiles: true,
    // The proxy comes from FAL_PROXY_URL only, never from the app's settings file.
    proxyFromSettings: false,
    // Jobs a CLI command creates are the CLI's: the app only collects them, never submits them.
    origin: command === 'batch' ? 'batch' : 'run',
    processName: `reanimate ${command}`,
    ...options,
  })
}

export const CLI_CONTEXT: CallContext = { transport: 'cli', mediaBaseUrl: 'file://' }

export type CliServices = ReturnType<typeof cliServices>
