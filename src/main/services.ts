import fs from 'node:fs/promises'
import path from 'node:path'
import { browseFolder } from './access/file-browser'
import { importDropped } from './access/imports'
import { videosInFolder } from './jobs/batch'
import type { Readable } from 'node:stream'
import { FileAccess } from './access/file-access'
import { EventBus } from './events'
import { Tools } from './media/tools'
import { MediaService } from './media/media-service'
import { mediaCacheDir, retireOldMediaCache } from './media/cache-folder'
import { CommandLog } from './media/command-log'
import { mediaUrlFor } from './protocol/serve-file'
import { FileSettingsStore, type SettingsStore } from './settings/settings-store'
import { KeyService } from './settings/key-service'
import type { SecretStore } from './settings/secret-store'
import { createDispatcher, type Handlers } from '../shared/contract/dispatch'
import { createFal, type FalConnection } from './fal/client'
import { UploadCache } from './fal/upload-cache'
import { AppError } from '../shared/errors'
import { validParams } from './render/render-spec'
import { ensureWritableFolder } from './render/output-check'
import { MainOwnedSettings, type MainDialogs } from './settings/main-owned-settings'
import { proxyUrlProblem } from '../shared/proxy-url'
import { RenderService, type BatchRun } from './render/render-service'
import { ProcessRegistry } from './storage/process-registry'
import { ProjectService, type ProjectDialogs } from './project/project-service'
import { PresetService, type PresetDialogs } from './presets/preset-service'
import { BatchProgress, noDesktop, type DesktopPort } from './desktop/desktop-port'
import { DEFAULT_NAME_TEMPLATE, nameTemplateProblem, type Preset } from '../shared/presets'
import { isVideoName } from '../shared/video-files'
import type { EndpointId } from '../shared/endpoints'
import { isTerminal } from '../shared/jobs'
import { describeRecentLoras, lorasUsed } from './settings/recents'
import type { Job, JobOrigin } from '../shared/jobs'
import type { OpenedFiles } from '../shared/contract'
import type { FalClient } from '@fal-ai/client'
import pkg from '../../package.json'
import { EtaHistory, StageClock } from './jobs/eta-history'
import { plannedFrames, resolveRange } from './media/prepare-plan'
import { resultFrames } from '../shared/frames'

export interface ServicesOptions {
  dataDir: string
  secrets: SecretStore
  env?: NodeJS.ProcessEnv
  /** The CLI acts for the user directly; the renderer only reaches files the user chose. */
  allowAllFiles?: boolean
  /** The platform's pickers (Electron dialogs); the bridge and tests bring their own. */
  dialogs?: Partial<Dialogs>
  /** Status polling interval for renders (tests make it short). */
  pollMs?: number
  /** Which front end this is: the app (and `reanimate ui`) resumes its renders at start. */
  origin?: JobOrigin
  /** How other processes on the same data folder name this one: "Reanimate app", "reanimate run". */
  processName?: string
  /** How often the journal is read for other processes' news (tests make it short). */
  refreshMs?: number
  /** Requests at fal at once, instead of the setting (the CLI's --concurrency). */
  concurrency?: number
  /**
   * Whether the proxy confirmed in the app's Settings applies. The CLI says no: it takes its proxy
   * only from FAL_PROXY_URL, never from a file the app (or its window) wrote.
   */
  proxyFromSettings?: boolean
  /** Files and folders the app was started with; granted, and handed to the window once. */
  launchFiles?: string[]
  /**
   * `reanimate ui`: the page is the app (no Electron isolation, no OS dialog), so it may browse
   * folders and choose files itself. Never in the desktop app, where the window is untrusted.
   */
  browserPickers?: boolean
  /** The taskbar or dock (Electron), or a test's log of what it would show. */
  desktop?: DesktopPort
}

export interface Dialogs extends MainDialogs, ProjectDialogs, PresetDialogs {
  pickFiles(): Promise<string[]>
  pickFolder(): Promise<string | null>
  /** The OS's open dialog for one LoRA `.safetensors` file; null when cancelled. */
  pickLora(): Promise<string | null>
  /** The OS file manager, with this file selected; absent where there is none (a browser tab). */
  showInFolder?(file: string): void
  /** Opens a file in the OS's app for it; resolves to an error message, '' when it opened. */
  openFile?(file: string): Promise<string>
}

const noDialogs: Dialogs = {
  pickFiles: () =>
    Promise.reject(
      new AppError('internal', 'No file picker here: drop files onto the window instead.'),
    ),
  pickFolder: () => Promise.reject(new AppError('internal', 'No folder picker here.')),
  pickLora: () =>
    Promise.reject(new AppError('internal', 'No file picker here: choose the LoRA file instead.')),
  confirm: () =>
    Promise.reject(
      new AppError(
        'forbidden',
        'The fal proxy can only be changed in the desktop app. Here, set FAL_PROXY_URL before starting Reanimate.',
      ),
    ),
  pickProgram: () =>
    Promise.reject(
      new AppError(
        'forbidden',
        'ffmpeg can only be chosen in the desktop app. Here, set FFMPEG_PATH and FFPROBE_PATH before starting Reanimate.',
      ),
    ),
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
  const proxyFromSettings = options.proxyFromSettings ?? true
  const keys = new KeyService(options.secrets, env, () =>
    Boolean(env.FAL_PROXY_URL || (proxyFromSettings && settings.get().falProxy)),
  )
  const tools = new Tools(() => settings.get(), env)
  const commandLog = new CommandLog(200, (record) => bus.emit('media.command', { ...record }))
  const media = new MediaService(tools, mediaCacheDir(options.dataDir), commandLog)
  void retireOldMediaCache(options.dataDir)
  /** Files the app makes for the window (posters, proxies) become reachable by it. */
  const produced = (file: string, ctx: { mediaBaseUrl: string }) =>
    mediaUrlFor(ctx.mediaBaseUrl, access.grantProduced(file))
  const dialogs: Dialogs = { ...noDialogs, ...options.dialogs }
  const mainOwned = new MainOwnedSettings(settings, dialogs, (what) => {
    if (what === 'tools') tools.invalidate()
    bus.emit('settings.changed', settings.get())
    if (what === 'proxy') void keys.status().then((status) => bus.emit('secrets.changed', status))
  })

  const projects = new ProjectService({
    dataDir: options.dataDir,
    access,
    dialogs,
    browserPickers: options.browserPickers ?? false,
    recent: {
      list: () => settings.get().recentProjects,
      remember: (file) => {
        settings.remember('recentProjects', file)
        options.desktop?.addRecentDocument?.(file)
      },
    },
  })

  const presets = new PresetService({
    dataDir: options.dataDir,
    access,
    dialogs,
    browserPickers: options.browserPickers ?? false,
  })
  const progress = new BatchProgress(options.desktop ?? noDesktop)
  /** This session's finished batches: their summary files, which Open summary may show. */
  const summaries = new Map<string, string>()
  /** Batches the window started that are still running: only these can be stopped from it. */
  const running = new Map<string, Pick<BatchRun, 'cancel'>>()

  /** The batch's preset from the panel's fields: the same checks as a preset file's. */
  const batchPreset = (req: {
    endpoint: EndpointId
    params: Record<string, unknown>
    nameTemplate?: string | undefined
    fps?: 'result' | 'source' | undefined
  }): Preset => {
    const nameTemplate = req.nameTemplate?.trim() || DEFAULT_NAME_TEMPLATE
    const problem = nameTemplateProblem(nameTemplate)
    if (problem)
      throw new AppError('invalid-params', `The name template ${problem}.`, {
        field: 'nameTemplate',
      })
    return {
      endpoint: req.endpoint,
      params: validParams(req.endpoint, req.params, 'label'),
      fps: req.fps ?? 'result',
      nameTemplate,
    }
  }

  /**
   * A local LoRA file is uploaded to fal: only one the user picked may be. One in main's own recent
   * list counts as picked: main wrote that list itself, only after a render the window started had
   * passed this very check with the file, and the window cannot add to it (main-owned setting).
   * So naming a recent LoRA is choosing again what the user chose before, never reaching a new
   * file. Main accepts it here, for upload as a LoRA only: no grant is made, so it does not become
   * readable or playable through the media calls.
   */
  const loraFile = (p: string): string => {
    const resolved = path.resolve(p)
    if (path.isAbsolute(p) && settings.get().recentLoras.includes(resolved)) return resolved
    return access.check(p)
  }
  /** LoRAs of a render that started, remembered with the request's first LoRA first. */
  const rememberLoras = (paramSets: unknown[]) => {
    for (const lora of lorasUsed(paramSets).reverse()) settings.remember('recentLoras', lora)
  }

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
      // The CLI's --concurrency wins for its run; the app follows the setting at once.
      if (patch.concurrency !== undefined && options.concurrency === undefined)
        render.runner.setConcurrency(next.concurrency)
      bus.emit('settings.changed', next)
      return next
    },
    'settings.setFalProxy': ({ url, sendKey }) => mainOwned.setFalProxy(url, sendKey),
    'settings.pickTool': ({ tool }) => mainOwned.pickTool(tool),
    'settings.resetTool': async ({ tool }) => mainOwned.resetTool(tool),
    'settings.pickOutputDir': async ({ path: given }) => {
      // A folder the user chose just now in the page's browser (`reanimate ui`), else main's dialog.
      let dir: string | null
      if (given !== undefined) {
        requireBrowserPickers()
        dir = access.check(given)
      } else dir = await dialogs.pickFolder()
      if (!dir) return { settings: settings.get(), changed: false }
      const st = await fs.stat(dir).catch(() => null)
      if (!st?.isDirectory())
        throw new AppError(
          'invalid-input',
          `${path.basename(dir)} is not a folder. Choose a folder for Output folder.`,
          { field: 'outputDir', file: dir },
        )
      await ensureWritableFolder(dir, { field: 'outputDir' })
      const next = settings.setMainOwned({ outputDir: path.resolve(dir) })
      bus.emit('settings.changed', next)
      return { settings: next, changed: true }
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
    'media.waveform': async ({ path: file, startSec, endSec, buckets }) => ({
      peaks: await media.waveform(access.check(file), { startSec, endSec }, buckets),
    }),
    'media.commands': async () => commandLog.list(),
    'library.pickFiles': async () => ({ paths: (await dialogs.pickFiles()).map(dropped) }),
    'library.opened': async () => {
      // The window is there to be told of files the OS opens later; what came before, it gets now.
      windowListening = true
      const waiting = opened
      opened = { paths: [] }
      return { ...waiting, paths: [...new Set([...launched, ...waiting.paths])] }
    },
    'loras.pick': async () => {
      const picked = await dialogs.pickLora()
      if (!picked) return { path: null }
      // The dialog's filter is only a suggestion on some systems.
      if (!/\.safetensors$/i.test(picked))
        throw new AppError(
          'invalid-input',
          `${path.basename(picked)}: not a .safetensors file. Choose the LoRA's .safetensors weights.`,
          { file: picked },
        )
      return { path: dropped(picked) }
    },
    'loras.recent': async () => ({
      loras: await describeRecentLoras(settings.get().recentLoras),
    }),
    'project.recent': async () => ({ projects: await projects.recent() }),
    'files.browse': async ({ dir, show }) => {
      requireBrowserPickers()
      return { ...(await browseFolder(dir, show)), recent: settings.get().recentFolders }
    },
    'project.open': ({ path: file }) => projects.open(file),
    'project.save': ({ path: file, project }) => projects.save(file, project),
    'project.saveAs': ({ project, dir, name }) =>
      projects.saveAs(project, { ...(dir ? { dir } : {}), ...(name ? { name } : {}) }),
    'project.autosave': ({ project, path: file }) => projects.autosave(project, file),
    'project.restore': () => projects.restore(),
    'files.choose': async ({ paths }) => {
      requireBrowserPickers()
      const chosen: string[] = []
      for (const p of paths) {
        const st = await fs.stat(p).catch(() => null)
        if (!st) throw new AppError('not-found', `${path.basename(p)}: not found`, { file: p })
        if (st.isDirectory()) settings.rememberFolder(path.resolve(p))
        chosen.push(dropped(p))
      }
      return { paths: chosen }
    },
    'library.expand': async ({ paths }) => {
      const out: string[] = []
      const skipped: string[] = []
      let skippedCount = 0
      for (const given of paths) {
        // Only what the user dropped or chose: a folder is reachable once they chose it.
        const p = access.check(given)
        const st = await fs.stat(p).catch(() => null)
        if (!st?.isDirectory()) {
          // A file (or one gone since): itself; reading it says what is wrong with it.
          out.push(p)
          continue
        }
        const { videos, others } = await videosInFolder(p).catch((err: unknown) => {
          throw new AppError(
            'not-found',
            `${path.basename(p)}: Reanimate could not look inside this folder. Check that you may open it.`,
            {
              file: p,
              cause: err,
            },
          )
        })
        // The user chose the folder, so they chose the videos in it.
        for (const v of videos) out.push(dropped(v))
        skippedCount += others.length
        for (const o of others.slice(0, Math.max(0, 20 - skipped.length)))
          skipped.push(path.relative(path.dirname(p), o))
      }
      return { paths: [...new Set(out)], skipped, skippedCount }
    },
    'library.pickFolder': async () => {
      const dir = await dialogs.pickFolder()
      if (dir) settings.rememberFolder(dir)
      return { path: dir ? dropped(dir) : null }
    },
    'render.start': async (req) => {
      await ensureConnection()
      const started = await render.start({
        source: access.check(req.path),
        range: req.range,
        endpoint: req.endpoint,
        params: req.params,
        ...(req.segments ? { segments: req.segments } : {}),
        ...(req.crossfadeFrames ? { crossfadeFrames: req.crossfadeFrames } : {}),
        maxSide: settings.get().prepareMaxSide,
        // Settings' Rendering section: frame rate, folder and name of the window's results.
        fps: settings.get().resultFps,
        ...(settings.get().outputDir ? { outDir: settings.get().outputDir as string } : {}),
        nameTemplate: settings.get().nameTemplate,
        again: req.again,
        names: 'label',
        resolveLocal: loraFile,
      })
      rememberLoras([req.params, ...(req.segments ?? []).map((s) => s.params)])
      return { job: started.job, action: started.action, message: started.message }
    },
    'jobs.list': async () => {
      await init()
      const jobs = render.list()
      for (const j of jobs) grantSource(j.id)
      return jobs
    },
    'jobs.cancel': async ({ id }) => (await render.cancel(id)) ?? null,
    'jobs.abandon': async ({ id }) => (await render.abandon(id)) ?? null,
    'jobs.retry': async ({ id }) => {
      const job = render.get(id)
      // Retry may spend money: the window may retry the app's renders and those of clips the user
      // opened here, not any job another process left in the shared journal.
      if (job && !windowMayUse(job))
        throw new AppError(
          'forbidden',
          `This render was started by ${job.origin === 'batch' ? 'reanimate batch' : 'reanimate run'}; retry it there with reanimate jobs retry ${id.slice(0, 8)}.`,
        )
      await ensureConnection()
      return (await render.retry(id)) ?? null
    },
    'jobs.reveal': async ({ id }) => {
      const job = finishedOutput(id, 'shown')
      if (!dialogs.showInFolder) return { shown: false }
      await stillThere(job)
      dialogs.showInFolder(job.spec.output)
      return { shown: true }
    },
    'jobs.open': async ({ id }) => {
      const job = finishedOutput(id, 'opened')
      // The OS opens a file with whatever its type says, and runs programs: only video files.
      if (!/\.(mp4|mov|m4v|webm|mkv)$/i.test(job.spec.output))
        throw new AppError('forbidden', `${path.basename(job.spec.output)} is not a video file.`, {
          file: job.spec.output,
        })
      if (!dialogs.openFile) return { opened: false }
      await stillThere(job)
      const problem = await dialogs.openFile(job.spec.output)
      if (problem)
        throw new AppError('internal', `${path.basename(job.spec.output)}: ${problem}`, {
          file: job.spec.output,
        })
      return { opened: true }
    },
    'jobs.pause': async () => {
      render.runner.pause()
      return { paused: true }
    },
    'jobs.resume': async () => {
      render.runner.resume()
      return { paused: false }
    },
    'jobs.state': async () => ({ paused: render.runner.paused }),
    'jobs.estimates': () => etaHistory.rates(),
    'batch.start': async (req) => {
      await ensureConnection()
      const outDir = access.check(req.outDir)
      const preset = batchPreset(req)
      // The plan as it stands: the answer holds the chunks planned before startBatch returns (the
      // first clip), and a `batch.planned` follows each later chunk and the end of planning.
      const live: { run?: Awaited<ReturnType<typeof render.startBatch>> } = {}
      let planning = true
      const plan = (r: NonNullable<typeof live.run>) => ({
        batchId: r.batchId,
        total: r.counts.toRender + r.counts.collecting,
        alreadyDone: r.counts.done,
        collecting: r.counts.collecting,
        skipped: r.counts.skipped,
        unreadable: r.counts.unreadable,
        jobIds: [...r.jobIds],
        planning,
        files: r.files,
        read: Math.min(r.entries.length, r.files),
      })
      const started = await render.startBatch({
        dir: access.check(req.dir),
        outDir,
        recursive: req.recursive,
        preset,
        maxSide: req.maxSide ?? settings.get().prepareMaxSide,
        names: 'label',
        resolveLocal: loraFile,
        onPlanned: () => {
          if (live.run) bus.emit('batch.planned', plan(live.run))
        },
      })
      live.run = started
      running.set(started.batchId, started)
      rememberLoras([req.params])
      // The list grows while the folder is probed: the taskbar counts each job as it is queued.
      progress.start(started.batchId, started.jobIds)
      void started.finished.then(
        (s) => {
          try {
            access.grantProduced(s.summary)
          } catch {
            // A link where the summary was written: not shown.
          }
          summaries.set(started.batchId, s.summary)
          running.delete(started.batchId)
          progress.finish(started.batchId)
          bus.emit('batch.finished', {
            batchId: started.batchId,
            outDir,
            succeeded: s.succeeded,
            failed: s.failed,
            skipped: s.skipped,
            summary: s.summary,
            rows: s.rows.map((r) => ({
              source: r.source,
              status: r.status,
              ...(r.error ? { error: r.error } : {}),
              ...(r.output ? { output: r.output } : {}),
            })),
          })
        },
        () => {
          running.delete(started.batchId)
          progress.finish(started.batchId)
        },
      )
      // The window gets the plan so far at once (jobs are already running) and the rest as it is read.
      void started.planned.then(
        () => {
          planning = false
          bus.emit('batch.planned', plan(started))
        },
        () => undefined,
      )
      return plan(started)
    },
    'batch.cancel': async ({ batchId }) => {
      const run = running.get(batchId)
      if (!run) throw new AppError('not-found', 'This batch has already finished.')
      return run.cancel()
    },
    'batch.preview': async (req) => {
      const dir = access.check(req.dir)
      const st = await fs.stat(dir).catch(() => null)
      if (!st?.isDirectory())
        throw new AppError(
          'not-found',
          `${path.basename(dir)}: not a folder (moved or deleted?).`,
          {
            file: dir,
          },
        )
      // Which files are already rendered needs the output folder and valid parameters; without
      // them the preview still lists what the folder holds.
      const outDir = req.outDir ? access.check(req.outDir) : undefined
      let preset: Preset | undefined
      if (outDir && req.endpoint && req.params) {
        try {
          preset = batchPreset({ ...req, endpoint: req.endpoint, params: req.params })
        } catch {
          preset = undefined
        }
      }
      const items = await render.previewBatch({
        dir,
        recursive: req.recursive,
        ...(outDir ? { outDir } : {}),
        ...(preset ? { preset } : {}),
        maxSide: req.maxSide ?? settings.get().prepareMaxSide,
        names: 'label',
        resolveLocal: loraFile,
      })
      return { items }
    },
    'batch.revealSummary': async ({ batchId }) => {
      // Only a summary this session wrote: the path comes from main, never the page.
      const file = summaries.get(batchId)
      if (!file) throw new AppError('not-found', 'Only a finished batch’s summary can be shown.')
      if (!dialogs.showInFolder) return { shown: false, path: file }
      if (!(await fs.stat(file).catch(() => null))?.isFile())
        throw new AppError(
          'not-found',
          `${path.basename(file)} is no longer there (moved or deleted).`,
          {
            file,
          },
        )
      dialogs.showInFolder(file)
      return { shown: true, path: file }
    },
    'presets.list': async () => ({ presets: await presets.list() }),
    'presets.save': ({ name, preset, replace }) => presets.save(name, preset, replace),
    'presets.rename': ({ from, to }) => presets.rename(from, to),
    'presets.delete': async ({ name }) => {
      await presets.remove(name)
      return { deleted: true }
    },
    'presets.export': ({ name, dir }) => presets.export(name, dir ? { dir } : {}),
    'presets.import': ({ path: file }) => presets.import(file),
  }

  /**
   * Where fal calls go and with which key (the stored key, else FAL_KEY). FAL_PROXY_URL is the
   * user's own instruction: the key goes there. A proxy confirmed in Settings gets the key only if
   * the user agreed to that in main's dialog. Otherwise fal itself.
   */
  async function falConnection(): Promise<FalConnection> {
    const key = await keys.resolve()
    if (env.FAL_PROXY_URL) {
      const problem = proxyUrlProblem(env.FAL_PROXY_URL)
      if (problem) throw new AppError('invalid-params', `FAL_PROXY_URL: ${problem}`)
      return { key, proxyUrl: env.FAL_PROXY_URL }
    }
    const proxy = proxyFromSettings ? settings.get().falProxy : null
    if (proxy) return { key: proxy.sendKey ? key : undefined, proxyUrl: proxy.url }
    return { key, proxyUrl: null }
  }
  // Renders talk to fal with whatever key and proxy are current when a stage runs.
  let current: { conn: FalConnection; client: FalClient } | null = null
  let connectionProblem: unknown = null
  const refreshConnection = async () => {
    try {
      const conn = await falConnection()
      connectionProblem = null
      if (!current || current.conn.key !== conn.key || current.conn.proxyUrl !== conn.proxyUrl) {
        current = conn.key || conn.proxyUrl ? { conn, client: createFal(conn) } : null
      }
    } catch (err) {
      // Nothing goes anywhere until the setting is fixed.
      current = null
      connectionProblem = err
    }
  }
  /** Fails fast, before anything is queued, when rendering cannot work (no key, no proxy). */
  const ensureConnection = async () => {
    await refreshConnection()
    if (connectionProblem) throw connectionProblem
    if (!current)
      throw new AppError(
        'key-missing',
        'Rendering needs a fal key. Add one in Settings; get a key at https://fal.ai/dashboard/keys.',
        { field: 'key' },
      )
  }
  const origin = options.origin ?? 'app'
  const registry = new ProcessRegistry(options.dataDir, options.processName ?? 'Reanimate app')
  const uploads = new UploadCache(options.dataDir, registry.self)
  /** This machine's stage timings, learned as renders run; the window turns them into ETAs. */
  const etaHistory = new EtaHistory(options.dataDir)
  const stageClock = new StageClock({
    history: etaHistory,
    job: (id) => render.get(id),
    measure: async (job) => {
      const probe = await media.probe(job.spec.source)
      const { startSec, endSec } = resolveRange(job.spec.range, probe.durationSec, probe.path)
      const nth = Math.max(1, Number(job.spec.params.select_every_nth_frame) || 1)
      return {
        sourceSec: endSec - startSec,
        outputFrames: resultFrames(plannedFrames(probe, job.spec.range), nth),
      }
    },
    fileSize: async (file) => (await fs.stat(file).catch(() => null))?.size,
  })
  const render = new RenderService({
    dataDir: options.dataDir,
    media,
    uploads,
    registry,
    origin,
    resume: origin === 'app',
    appVersion: pkg.version,
    concurrency: options.concurrency ?? settings.get().concurrency,
    fal: () => {
      if (!current)
        throw new AppError(
          'key-missing',
          'No fal key. Add one in Settings; get a key at https://fal.ai/dashboard/keys.',
          { field: 'key' },
        )
      return current.client
    },
    onProgress: (p) => {
      // Finished outputs become playable in the window, and the source stays so for Compare.
      grantSource(p.id)
      if (p.status === 'done') grantOutput(p.id)
      void stageClock.observe(p)
      if (isTerminal(p.status)) progress.settled(p.id)
      bus.emit('jobs.progress', p)
    },
    ...(options.pollMs ? { pollMs: options.pollMs } : {}),
    ...(options.refreshMs ? { refreshMs: options.refreshMs } : {}),
  })
  bus.subscribe((name) => {
    if (name === 'secrets.changed' || name === 'settings.changed') void refreshConnection()
  })
  const dropped = (p: string) => access.grant(p)
  /** Only a finished output the window may play: the path comes from the journal, never the page. */
  function finishedOutput(id: string, what: 'shown' | 'opened'): Job {
    const job = render.get(id)
    if (!job || job.status !== 'done' || job.parentId || !windowMayUse(job))
      throw new AppError('not-found', `Only a finished render in this window can be ${what}.`)
    return job
  }
  async function stillThere(job: Job): Promise<void> {
    const st = await fs.stat(job.spec.output).catch(() => null)
    if (!st?.isFile())
      throw new AppError(
        'not-found',
        `${path.basename(job.spec.output)} is no longer where it was rendered (moved or deleted).`,
        { file: job.spec.output },
      )
  }
  const requireBrowserPickers = () => {
    if (!options.browserPickers)
      throw new AppError('forbidden', 'Use Open clips… to choose files in the desktop app.')
  }
  // The user named these on the command line: as chosen as a drop. Every window that asks gets
  // them (a reloaded page, a second tab of `reanimate ui`), as the command line still says so.
  const launched = (options.launchFiles ?? []).map(dropped)
  // What the OS opened before the window listened: handed over once.
  let opened: OpenedFiles = { paths: [] }
  let windowListening = false
  /**
   * Files the OS opened with the app (a double-click, "Open with", a second launch): the user chose
   * them, so they are granted like a drop, and a project may be opened by path (one document at a
   * time: the first). Told to the window (`library.filesOpened`) once it listens, else kept for its
   * `library.opened`.
   */
  function openFiles(files: { videos: readonly string[]; projects: readonly string[] }): void {
    const paths = files.videos.map(dropped)
    const first = files.projects[0]
    const project = first === undefined ? undefined : projects.allowOpen(first)
    if (windowListening) {
      bus.emit('library.filesOpened', { paths, ...(project ? { project } : {}) })
      return
    }
    const latest = project ?? opened.project
    opened = { paths: [...opened.paths, ...paths], ...(latest ? { project: latest } : {}) }
  }
  /** The app's own renders, and renders of a clip the user opened in this window. */
  const windowMayUse = (job: Job) =>
    (job.origin ?? 'app') === 'app' || access.isAllowed(job.spec.source)
  /** A finished output is playable in the window while its job is in the queue, and only as the file it was. */
  function grantOutput(id: string): void {
    const job = render.get(id)
    if (!job || job.parentId || job.status !== 'done' || !windowMayUse(job)) return
    try {
      access.grantProduced(job.spec.output, () => render.get(id)?.status === 'done')
    } catch {
      // A link where the output was: not ours to show.
    }
  }
  /** The app's own jobs listed now: their sources are what Compare plays beside the output. */
  const listedSource = (source: string) => {
    // Asked on every media request: a look without copying the journal.
    for (const j of render.runner.view())
      if (!j.parentId && j.origin === 'app' && path.resolve(j.spec.source) === source) return true
    return false
  }
  const sourced = new Set<string>()
  /**
   * A job's source stays playable while the job is listed, also after a restart or when a batch
   * found it in a folder (the allow-list matches exact paths, and only the folder was chosen).
   * Only the app's own jobs: another process's job never opens its source to the window.
   */
  function grantSource(id: string): void {
    if (sourced.has(id)) return
    const job = render.get(id)
    // Only the app's own (a job without an origin may come from a file in a folder the user chose,
    // not from the user), and only a video: a job's fields are data, never a user's choice.
    if (!job || job.parentId || job.origin !== 'app' || !isVideoName(job.spec.source)) return
    sourced.add(id)
    const source = path.resolve(job.spec.source)
    try {
      access.grantWhile(source, () => listedSource(source))
    } catch {
      // A link where the source was: Compare shows the output alone.
    }
  }
  let initialised: Promise<void> | null = null
  /** Opens the journal (resuming the app's unfinished renders); finished outputs become playable. */
  const init = () =>
    (initialised ??= render.init().then(() => {
      for (const j of render.list()) {
        grantSource(j.id)
        grantOutput(j.id)
      }
    }))

  /** `reanimate ui`: a file dropped into the browser tab, streamed into `<data>/imports/`. */
  async function importDroppedFile(name: string, body: Readable): Promise<string> {
    requireBrowserPickers()
    return dropped(await importDropped(options.dataDir, name, body))
  }

  return {
    bus,
    importDroppedFile,
    falConnection,
    settings,
    access,
    keys,
    tools,
    media,
    render,
    presets,
    openFiles,
    /** The window went away (macOS keeps the app): files opened now wait for the next window. */
    windowGone: () => {
      windowListening = false
    },
    /** A job of a batch running now: notified with its batch, not on its own. */
    inBatch: (jobId: string) => progress.includes(jobId),
    init,
    refreshConnection,
    ensureConnection,
    handlers,
    dispatch: createDispatcher(handlers),
    dataDir: path.resolve(options.dataDir),
  }
}

export type Services = ReturnType<typeof createServices>
