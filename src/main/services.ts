import path from 'node:path'
import { FileAccess } from './access/file-access'
import { EventBus } from './events'
import { Tools } from './media/tools'
import { MediaService } from './media/media-service'
import { CommandLog } from './media/command-log'
import { mediaUrlFor } from './protocol/serve-file'
import { FileSettingsStore, type SettingsStore } from './settings/settings-store'
import { KeyService } from './settings/key-service'
import type { SecretStore } from './settings/secret-store'
import { createDispatcher, type Handlers } from '../shared/contract/dispatch'
import { createFal, type FalConnection } from './fal/client'
import { UploadCache } from './fal/upload-cache'
import type { ExecutorDeps } from './jobs/executor'
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
  const commandLog = new CommandLog(200, (record) => bus.emit('media.command', { ...record }))
  const media = new MediaService(tools, path.join(options.dataDir, 'cache'), commandLog)
  /** Files the app makes for the window (posters, proxies) become reachable by it. */
  const produced = (file: string, ctx: { mediaBaseUrl: string }) =>
    mediaUrlFor(ctx.mediaBaseUrl, access.grant(file))

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
    'media.probe': async ({ path: file }) => media.probe(access.check(file)),
    'media.playbackUrl': async ({ path: file }, ctx) => {
      const playable = await media.playable(access.check(file))
      return { url: produced(playable.path, ctx), proxied: playable.proxied }
    },
    'media.poster': async ({ path: file, atSec, height }, ctx) => ({
      url: produced(await media.poster(access.check(file), atSec, height), ctx),
    }),
    'media.filmstrip': async ({ path: file, startSec, endSec, count, height }, ctx) => {
      const strip = await media.filmstrip(access.check(file), { startSec, endSec }, count, height)
      return {
        url: produced(strip.path, ctx),
        times: strip.times,
        tileWidth: strip.tileWidth,
        tileHeight: strip.tileHeight,
      }
    },
    'media.commands': async () => commandLog.list(),
  }

  /** Where fal calls go and with which key: FAL_PROXY_URL, else the proxy setting; the stored key, else FAL_KEY. */
  async function falConnection(): Promise<FalConnection> {
    return {
      key: await keys.resolve(),
      proxyUrl: env.FAL_PROXY_URL || settings.get().falProxyUrl || null,
    }
  }
  const uploads = new UploadCache(path.join(options.dataDir, 'upload-cache.json'))
  /** What the job executor needs, for one fal connection; `workDir` defaults to the data folder's. */
  const executorDeps = (
    conn: FalConnection,
    o: { workDir?: string; pollMs?: number } = {},
  ): ExecutorDeps => {
    let client: ReturnType<typeof createFal> | undefined
    return {
      media,
      fal: () => (client ??= createFal(conn)),
      uploads,
      workDir: o.workDir ?? path.join(options.dataDir, 'work'),
      appVersion: pkg.version,
      ...(o.pollMs ? { pollMs: o.pollMs } : {}),
    }
  }

  return {
    bus,
    falConnection,
    executorDeps,
    settings,
    access,
    keys,
    tools,
    media,
    handlers,
    dispatch: createDispatcher(handlers),
    dataDir: path.resolve(options.dataDir),
  }
}

export type Services = ReturnType<typeof createServices>
