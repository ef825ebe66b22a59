import { z } from 'zod'
import { event, method, type EventSpec, type MethodSpec } from './define'
import { SettingsPatchSchema, type Settings } from '../settings'
import type { KeyStatus } from '../secrets'
import type { ProbeResult, ToolsStatus } from '../media'
import type { CommandRecord } from '../commands'
import type { ErrorInfo } from '../errors'
import type { Job, JobProgress } from '../jobs'
import type { LearnedRates } from '../eta'
import { ENDPOINT_IDS } from '../endpoints'
import {
  CrossfadeFramesSchema,
  ProjectClipSchema,
  ProjectViewSchema,
} from '../project/project-schema'
import type { PresetFile } from '../presets'
import type { ShortcutId } from '../shortcuts'

const none = z.object({}).strict()
const filePath = z.string().min(1, 'a file path is required').max(4096)
const presetName = z.string().max(200)
const nameTemplate = z.string().max(200)
const maxSide = z.union([z.number().int().min(16).max(8192), z.literal('original')])

export interface AppInfo {
  name: string
  version: string
  platform: string
  /** Which transport carries this session: the desktop app, the WebSocket bridge or the CLI. */
  transport: 'ipc' | 'websocket' | 'cli'
  tools: ToolsStatus
}

/** Files the user opened from the OS: videos (granted to the window) and a project to open. */
export interface OpenedFiles {
  paths: string[]
  /** A `.reanimate` file: `project.open` accepts it. */
  project?: string
}

export interface ProjectOpened {
  path: string
  project: ProjectPayload
  /** Sources that are not on disk (moved, renamed, on a drive not plugged in). */
  missing: string[]
}

export interface ProjectRestored extends Omit<ProjectOpened, 'path'> {
  /** The project file this work belongs to; null for work never saved. */
  path: string | null
  savedAt: string
}

/** A project as the window holds it: the file's clips (absolute paths) and view. */
export const ProjectPayloadSchema = z
  .object({ clips: z.array(ProjectClipSchema).max(1000), view: ProjectViewSchema.optional() })
  .strict()
export type ProjectPayload = z.infer<typeof ProjectPayloadSchema>

/** One of main's recent LoRAs: a URL, or a local `.safetensors` file the user picked before. */
export interface RecentLora {
  path: string
  /** A file on this computer (else an http(s) URL). */
  local: boolean
  /** A local file that is no longer there. */
  missing: boolean
}

/** A project the user opened or saved; `project.open` accepts its path. */
export interface RecentProject {
  path: string
  /** Moved or deleted since: shown as missing, not opened. */
  missing: boolean
}

export interface BatchStarted {
  batchId: string
  /** Clips this batch renders or collects from fal. */
  total: number
  /** Already rendered with these parameters: left alone. */
  alreadyDone: number
  /** Of `total`, earlier requests collected from fal instead of paid for again. */
  collecting: number
  skipped: number
  unreadable: number
  /** The jobs this batch runs (renders and collections), to list under its progress. */
  jobIds: string[]
  /**
   * Still reading the folder: the first clips are sent while later files are probed, and the
   * counts and jobs above grow (`batch.planned`) until this is false.
   */
  planning: boolean
  /** Files in the folder, and how many are read so far. */
  files: number
  read: number
}

/** One file of the folder, as a batch would treat it (`batch.preview`). */
export interface BatchPreviewItem {
  source: string
  /** render: sent to fal (paid); reuse: not paid again; skip / unreadable: left out, `reason` says why. */
  status: 'render' | 'reuse' | 'skip' | 'unreadable'
  reason?: string
  output?: string
}

/** A preset saved in the data folder; `preset` is null (and `problem` says why) when unusable. */
export interface SavedPreset {
  name: string
  preset: PresetFile | null
  problem?: string
}

/**
 * What `render.start` did. Only `new` sends anything to fal: the others reuse the identical render
 * already paid for (`done`, `copied`), at fal (`collecting`), queued (`resuming`) or made by another
 * process (`following`). `message` says so, and how to get a new take.
 */
export interface RenderStarted {
  job: Job
  action: 'new' | 'done' | 'copied' | 'collecting' | 'resuming' | 'following'
  message: string
}

/** What cancel, abandon or retry did, in words for the user. */
export interface JobOutcome {
  job: Job
  action:
    | 'cancelled'
    | 'abandoned'
    | 'requested'
    | 'collecting'
    | 'restarted'
    | 'already-running'
    | 'nothing'
  message: string
}

export interface BatchFinished {
  batchId: string
  outDir: string
  succeeded: number
  failed: number
  skipped: number
  summary: string
  /** Every file of the folder, relative to it: its output, or why it failed or was skipped. */
  rows: {
    source: string
    status: 'succeeded' | 'failed' | 'skipped'
    error?: string
    output?: string
  }[]
}

export interface LogEntry {
  level: 'info' | 'warn' | 'error'
  scope: string
  message: string
  time: string
}

/**
 * Every call the renderer can make, with its argument schema and result type. Both transports and
 * the preload are generated from this map; a method not listed here cannot be called.
 */
export const methods = {
  'app.info': method<AppInfo>()(none),
  'settings.get': method<Settings>()(none),
  'settings.update': method<Settings>()(SettingsPatchSchema),
  /**
   * Asks main to route fal calls through a proxy; main confirms in its own dialog naming the host,
   * and nothing changes without it. `sendKey`: the proxy also gets the fal key. null clears it.
   */
  'settings.setFalProxy': method<{ settings: Settings; changed: boolean }>()(
    z
      .object({
        url: z.string().trim().min(1).max(2048).nullable(),
        sendKey: z.boolean().default(false),
      })
      .strict(),
  ),
  /** Main's own file picker for ffmpeg or ffprobe: the window never names a program to run. */
  'settings.pickTool': method<{ settings: Settings; changed: boolean }>()(
    z.object({ tool: z.enum(['ffmpeg', 'ffprobe']) }).strict(),
  ),
  /**
   * The folder the window's renders go to, chosen in a picker, never typed: main's folder dialog
   * (no path), or in `reanimate ui` a folder the user just chose in the page's browser. `outputDir:
   * null` in `settings.update` goes back to beside the source.
   */
  'settings.pickOutputDir': method<{ settings: Settings; changed: boolean }>()(
    z.object({ path: filePath.optional() }).strict(),
  ),
  /** Back to finding ffmpeg or ffprobe automatically. */
  'settings.resetTool': method<Settings>()(
    z.object({ tool: z.enum(['ffmpeg', 'ffprobe']) }).strict(),
  ),
  'secrets.status': method<KeyStatus>()(none),
  'secrets.setFalKey': method<KeyStatus>()(
    z
      .object({
        key: z
          .string()
          .trim()
          .min(8, 'the fal key looks too short')
          .max(512, 'the fal key looks too long')
          .regex(/^[\x21-\x7e]+$/, 'the fal key has spaces or unusual characters'),
      })
      .strict(),
  ),
  'secrets.clearFalKey': method<KeyStatus>()(none),
  'media.probe': method<ProbeResult>()(z.object({ path: filePath }).strict()),
  /**
   * A URL the player can stream; only for files the user opened or the app made. Clips Chromium
   * cannot play (HEVC, ProRes, AVI, 10-bit ...) get an H.264 proxy first (`proxied: true`).
   */
  'media.playbackUrl': method<{ url: string; proxied: boolean }>()(
    z.object({ path: filePath }).strict(),
  ),
  'media.poster': method<{ url: string }>()(
    z
      .object({
        path: filePath,
        atSec: z.number().min(0).default(0),
        height: z.number().int().min(16).max(1080).default(360),
      })
      .strict(),
  ),
  /** One image with `count` thumbnails side by side, over [startSec, endSec). */
  'media.filmstrip': method<{
    url: string
    times: number[]
    tileWidth: number
    tileHeight: number
  }>()(
    z
      .object({
        path: filePath,
        startSec: z.number().min(0),
        endSec: z.number().positive(),
        count: z.number().int().min(1).max(60),
        height: z.number().int().min(16).max(360).default(72),
      })
      .strict()
      .refine((v) => v.endSec > v.startSec, {
        message: 'endSec must be after startSec',
        path: ['endSec'],
      }),
  ),
  /** The source's audio as peaks (0..1), one per bucket over the range; empty without audio. */
  'media.waveform': method<{ peaks: number[] }>()(
    z
      .object({
        path: filePath,
        startSec: z.number().min(0),
        endSec: z.number().positive(),
        buckets: z.number().int().min(1).max(4000),
      })
      .strict()
      .refine((v) => v.endSec > v.startSec, {
        message: 'endSec must be after startSec',
        path: ['endSec'],
      }),
  ),
  /** The ffmpeg/ffprobe command lines run so far, newest last, to show and copy. */
  'media.commands': method<CommandRecord[]>()(none),
  /** The OS file picker (the app) or the transport's own picker; chosen files become reachable. */
  'library.pickFiles': method<{ paths: string[] }>()(none),
  'library.pickFolder': method<{ path: string | null }>()(none),
  /**
   * `reanimate ui` only (a browser tab has no file dialog): one folder's subfolders and videos (or
   * projects, or LoRA files) for the page's own file browser, and the files or folders the user
   * chose in it.
   */
  'files.browse': method<{
    dir: string
    parent: string | null
    entries: {
      name: string
      path: string
      kind: 'folder' | 'video' | 'project' | 'lora' | 'preset'
    }[]
    recent: string[]
  }>()(
    z
      .object({
        dir: filePath.optional(),
        show: z.enum(['videos', 'projects', 'loras', 'presets']).default('videos'),
      })
      .strict(),
  ),
  'files.choose': method<{ paths: string[] }>()(
    z.object({ paths: z.array(filePath).min(1).max(500) }).strict(),
  ),
  /** Main's file dialog for one local LoRA (`.safetensors`); the file chosen becomes usable. */
  'loras.pick': method<{ path: string | null }>()(none),
  /**
   * LoRAs of renders started before, most recent first. Main accepts these in a render again
   * without a new pick; the window cannot add to the list.
   */
  'loras.recent': method<{ loras: RecentLora[] }>()(none),
  /**
   * Files and folders the user dropped or chose, as clips: a file stands for itself, a folder for
   * every video under it (recursively; hidden files left out), which become reachable. A folder's
   * other files are named in `skipped` (the first 20 of `skippedCount`), relative to that folder.
   */
  'library.expand': method<{ paths: string[]; skipped: string[]; skippedCount: number }>()(
    z.object({ paths: z.array(filePath).min(1).max(500) }).strict(),
  ),
  /**
   * Files the app was started with (`reanimate ui clip.mp4`, "Open with"), or that the OS handed it
   * before the window asked: the videos opened, first selected, and a project to open. Each is
   * handed over once; later ones come as `library.filesOpened`.
   */
  'library.opened': method<OpenedFiles>()(none),
  /**
   * Queues a render of one clip; parameters are checked against the endpoint's schema first. The
   * identical render (same clip, range, parameters) is reused, never paid for twice, unless
   * `again` asks for a new take.
   */
  'render.start': method<RenderStarted>()(
    z
      .object({
        path: filePath,
        range: z
          .object({ startSec: z.number().min(0), endSec: z.number().positive().optional() })
          .strict(),
        endpoint: z.enum(ENDPOINT_IDS),
        params: z.record(z.string(), z.unknown()),
        segments: z
          .array(
            z
              .object({
                startSec: z.number().min(0),
                endSec: z.number().positive(),
                params: z.record(z.string(), z.unknown()),
              })
              .strict(),
          )
          .max(50)
          .optional(),
        crossfadeFrames: CrossfadeFramesSchema.optional(),
        again: z.boolean().default(false),
      })
      .strict(),
  ),
  /**
   * Opens a `.reanimate` project: main's dialog (no path), or a path the user chose in
   * `reanimate ui`'s browser, opened this session or in main's recent projects. Its videos become
   * reachable; missing ones are listed.
   */
  'project.open': method<ProjectOpened | null>()(z.object({ path: filePath.optional() }).strict()),
  /** Projects the user opened or saved, most recent first; `project.open` accepts these paths. */
  'project.recent': method<{ projects: RecentProject[] }>()(none),
  /** Saves to a project opened or saved this session. */
  'project.save': method<{ path: string }>()(
    z.object({ path: filePath, project: ProjectPayloadSchema }).strict(),
  ),
  /** Main's save dialog (desktop), or `name` in a folder chosen in the browser (`reanimate ui`). */
  'project.saveAs': method<{ path: string } | null>()(
    z
      .object({
        project: ProjectPayloadSchema,
        dir: filePath.optional(),
        name: z.string().trim().min(1).max(200).optional(),
      })
      .strict(),
  ),
  /** The work so far, into the data folder: a crash or a restart loses nothing. */
  'project.autosave': method<{ savedAt: string }>()(
    z.object({ project: ProjectPayloadSchema, path: filePath.nullable() }).strict(),
  ),
  /** The last autosave, to continue where the user stopped; null when there is none. */
  'project.restore': method<ProjectRestored | null>()(none),
  'jobs.list': method<Job[]>()(none),
  'jobs.cancel': method<JobOutcome | null>()(z.object({ id: z.string().min(1) }).strict()),
  'jobs.abandon': method<JobOutcome | null>()(z.object({ id: z.string().min(1) }).strict()),
  'jobs.retry': method<JobOutcome | null>()(z.object({ id: z.string().min(1) }).strict()),
  /**
   * Shows a finished render's output in the OS file manager. `shown: false` where main has none
   * (`reanimate ui`): the window offers the path to copy instead.
   */
  'jobs.reveal': method<{ shown: boolean }>()(z.object({ id: z.string().min(1) }).strict()),
  /**
   * Opens a finished render's output in the OS's video player. `opened: false` where main has
   * none (`reanimate ui`): the window plays it from its playback URL instead.
   */
  'jobs.open': method<{ opened: boolean }>()(z.object({ id: z.string().min(1) }).strict()),
  'jobs.pause': method<{ paused: boolean }>()(none),
  'jobs.resume': method<{ paused: boolean }>()(none),
  /** Whether the queue is paused (new stages wait; work under way finishes its stage). */
  'jobs.state': method<{ paused: boolean }>()(none),
  /** How fast this machine prepares and uploads, and fal renders: the window computes ETAs. */
  'jobs.estimates': method<LearnedRates>()(none),
  /**
   * Restyles every video in a folder the user picked into a mirrored tree under outDir, each named
   * by `nameTemplate` (`{stem}` is the clip's name), with a preset's size and frame rate if given.
   */
  'batch.start': method<BatchStarted>()(
    z
      .object({
        dir: filePath,
        outDir: filePath,
        recursive: z.boolean().default(false),
        endpoint: z.enum(ENDPOINT_IDS),
        params: z.record(z.string(), z.unknown()),
        nameTemplate: nameTemplate.optional(),
        maxSide: maxSide.optional(),
        fps: z.enum(['result', 'source']).optional(),
      })
      .strict(),
  ),
  /**
   * What `batch.start` would do with a folder the user picked, sending nothing: each file to
   * render, reuse (not paid again) or skip, with the reason. With `outDir` and parameters, files
   * already rendered with them are named as such.
   */
  /**
   * Stop batch: plans no further file and cancels the batch's renders; `kept` counts those fal had
   * started (abandoned with their request ids kept). The summary follows as `batch.finished`.
   */
  'batch.cancel': method<{ cancelled: number; kept: number }>()(
    z.object({ batchId: z.string().min(1) }).strict(),
  ),
  'batch.preview': method<{ items: BatchPreviewItem[] }>()(
    z
      .object({
        dir: filePath,
        recursive: z.boolean().default(false),
        outDir: filePath.optional(),
        endpoint: z.enum(ENDPOINT_IDS).optional(),
        params: z.record(z.string(), z.unknown()).optional(),
        nameTemplate: nameTemplate.optional(),
        maxSide: maxSide.optional(),
        fps: z.enum(['result', 'source']).optional(),
      })
      .strict(),
  ),
  /**
   * Shows a finished batch's summary file (this session's batches only) in the OS file manager.
   * `shown: false` where main has none (`reanimate ui`): the window offers `path` to copy.
   */
  'batch.revealSummary': method<{ shown: boolean; path: string }>()(
    z.object({ batchId: z.string().min(1).max(100) }).strict(),
  ),
  /** Saved presets, by name; each in the format `reanimate batch --preset FILE` reads. */
  'presets.list': method<{ presets: SavedPreset[] }>()(none),
  /** Saves a preset under a name (checked like the CLI checks a preset file). */
  'presets.save': method<SavedPreset>()(
    z
      .object({
        name: presetName,
        preset: z.record(z.string(), z.unknown()),
        replace: z.boolean().default(false),
      })
      .strict(),
  ),
  'presets.rename': method<SavedPreset>()(z.object({ from: presetName, to: presetName }).strict()),
  'presets.delete': method<{ deleted: boolean }>()(z.object({ name: presetName }).strict()),
  /** Main's save dialog (desktop), or into a folder chosen in the browser (`reanimate ui`). */
  'presets.export': method<{ path: string } | null>()(
    z.object({ name: presetName, dir: filePath.optional() }).strict(),
  ),
  /** Main's open dialog (desktop), or a file chosen in the browser (`reanimate ui`). */
  'presets.import': method<SavedPreset | null>()(z.object({ path: filePath.optional() }).strict()),
} satisfies Record<string, MethodSpec>

export const events = {
  'settings.changed': event<Settings>(),
  'secrets.changed': event<KeyStatus>(),
  log: event<LogEntry>(),
  'media.command': event<CommandRecord>(),
  'jobs.progress': event<JobProgress>(),
  /** A batch's plan so far, as it reads its folder; the last one has `planning: false`. */
  'batch.planned': event<BatchStarted>(),
  'batch.finished': event<BatchFinished>(),
  /** A command chosen in the application menu: the window runs it as it would for its keys. */
  'app.command': event<{ id: ShortcutId }>(),
  /** Files the OS opened with the app while its window was open ("Open with", a second launch). */
  'library.filesOpened': event<OpenedFiles>(),
} satisfies Record<string, EventSpec>

export type Methods = typeof methods
export type MethodName = keyof Methods
export type Events = typeof events
export type EventName = keyof Events

export type ParamsIn<K extends MethodName> = z.input<Methods[K]['params']>
export type ParamsOut<K extends MethodName> = z.output<Methods[K]['params']>
export type Result<K extends MethodName> =
  Methods[K] extends MethodSpec<z.ZodType, infer R> ? R : never
export type Payload<E extends EventName> = Events[E] extends EventSpec<infer T> ? T : never

export const methodNames = Object.keys(methods) as MethodName[]
export const eventNames = Object.keys(events) as EventName[]

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name)
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name)
}

/** The renderer's view: `api.media.probe({path})` for `'media.probe'`. */
type Namespace<K> = K extends `${infer N}.${string}` ? N : never
export type ContractApi = {
  [N in Namespace<MethodName>]: {
    [K in MethodName as K extends `${N}.${infer M}` ? M : never]: (
      params: ParamsIn<K>,
    ) => Promise<Result<K>>
  }
}

/** Call envelopes shared by both transports. */
export type CallReply = { ok: true; value: unknown } | { ok: false; error: ErrorInfo }
