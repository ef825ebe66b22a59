import path from 'node:path'
import { FileAccess } from './access/file-access'
import { EventBus } from './events'
import { Tools } from './media/tools'
import { probeFile } from './media/probe'
import { mediaUrlFor } from './protocol/serve-file'
import { FileSettingsStore, type SettingsStore } from './settings/settings-store'
import { KeyService } from './settings/key-service'
import type { SecretStore } from './settings/secret-store'
import { createDispatcher, type Handlers } from '../shared/contract/dispatch'
import pkg from '../../package.json'

export interface ServicesOptions {
  dataDir: string
  secrets: SecretStore
  env?: NodeJS.ProcessEnv
  /** The CLI acts for the user directly; the renderer only reaches files the user chose. */
  allowAllFiles?: boolean
}

/**
 * The composition root: every service built once, from settings, with no Electron in sight.
 * Transports (IPC, WebSocket) and the CLI all call through `dispatch` or the services themselves.
 */
export function createServices(options: ServicesOptions) {
  const env = options.env ?? process.env
  const bus = new EventBus()
  const settings: SettingsStore = new FileSettingsStore(options.dataDir)
  const access = new FileAccess(options.allowAllFiles ?? false)
  const keys = new KeyService(options.secrets, env)
  const tools = new Tools(() => settings.get(), env)

  const handlers: Handlers = {
    'app.info': async (_p, ctx) => ({
      name: pkg.productName,
      version: pkg.version,
      platform: `${process.platform}-${process.arch}`,
      transport: ctx.transport,
      tools: await tools.status(),
    }),
    'settings.get': async () => settings.get(),
    'settings.update': async (patch) => {
      const next = settings.update(patch)
      if ('ffmpegPath' in patch || 'ffprobePath' in patch) tools.invalidate()
      bus.emit('settings.changed', next)
      return next
    },
    'secrets.status': () => keys.status(),
    'secrets.setFalKey': async ({ key }) => {
      const status = await keys.set(key)
      bus.emit('secrets.changed', status)
      return status
    },
    'secrets.clearFalKey': async () => {
      const status = await keys.clear()
      bus.emit('secrets.changed', status)
      return status
    },
    'media.probe': async ({ path: file }) => {
      const allowed = access.check(file)
      return probeFile((await tools.ffprobe()).path, allowed)
    },
    'media.playbackUrl': async ({ path: file }, ctx) => ({
      url: mediaUrlFor(ctx.mediaBaseUrl, access.check(file)),
    }),
  }

  return {
    bus,
    settings,
    access,
    keys,
    tools,
    handlers,
    dispatch: createDispatcher(handlers),
    dataDir: path.resolve(options.dataDir),
  }
}

export type Services = ReturnType<typeof createServices>
