import crypto from 'node:crypto'
import { existsSync } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import type { FalClient } from '@fal-ai/client'
import { AppError, type ErrorInfo } from '../../shared/errors'
import {
  isTerminal,
  SEND_CUT_OFF_MESSAGE,
  sendCutOff,
  type Job,
  type JobOrigin,
  type JobProgress,
  type JobSpec,
} from '../../shared/jobs'
import type { NameStyle } from '../../shared/param-names'
import type { Preset } from '../../shared/presets'
import type { BatchPreviewItem } from '../../shared/contract'
import type { UploadCache } from '../fal/upload-cache'
import type { MediaService } from '../media/media-service'
import { targetFrameRate } from '../../shared/frames'
import {
  findCandidates,
  isDoneOutput,
  folderFiles,
  mirroredOutput,
  sortFiles,
  writeSummary,
  type Candidate,
  type SummaryRow,
} from '../jobs/batch'
import { Journal } from '../jobs/journal'
import { JobRunner, type Outcome } from '../jobs/runner'
import type { ProcessRegistry } from '../storage/process-registry'
import { defaultOutputFor, numberedName, templatedOutputFor } from './naming'
import { DEFAULT_NAME_TEMPLATE } from '../../shared/name-template'
import { writeAtomically } from '../media/ffmpeg-run'
import { sweepAtomicLeftovers } from '../storage/json-file'
import { ensureWritableFolder } from './output-check'
import { makeFolder } from '../storage/make-folder'
import { buildSpec, type SpecInput } from './render-spec'
import { isResultOf } from './result-owner'

export interface RenderServiceOptions {
  dataDir: string
  media: MediaService
  uploads: UploadCache
  registry: ProcessRegistry
  /** Which front end this is; the app resumes its own jobs, the CLI runs only what it is asked. */
  origin: JobOrigin
  /** A fal client for the current key and proxy; throws `key-missing` when there is neither. */
  fal: () => FalClient
  concurrency: number
  /** Run unfinished jobs found at start (the app); the CLI runs only what it is asked. */
  resume: boolean
  appVersion: string
  onProgress?: (p: JobProgress) => void
  pollMs?: number
  refreshMs?: number
  lockWaitMs?: number
  compactMinBytes?: number
}

/** One render as a front end asks for it; parameters are raw and checked here. */
export interface RenderRequest extends Omit<SpecInput, 'crossfade'> {
  /** "Crossfade at borders" in result frames (the editor's control, `--crossfade`); 0 = hard cut. */
  crossfadeFrames?: number
  /** Where the result goes (the CLI's --out); default: beside the source, never overwriting. */
  output?: string
  /** Without `output`: the folder results go to (Settings' "Output folder"); default beside the source. */
  outDir?: string
  /** Without `output`: the result's name, `{stem}` the source's (Settings' "Output name"). */
  nameTemplate?: string
  overwrite?: boolean
  /** A new take even if the same render exists (the app's "Render again", the CLI's --again). */
  again?: boolean
}

/**
 * What starting a render did. Only `new` sends anything to fal; the rest reuse a render that was
 * already paid for (or is being made).
 */
export type StartAction = 'new' | 'done' | 'copied' | 'collecting' | 'resuming' | 'following'

export interface StartResult {
  job: Job
  action: StartAction
  /** For the user: what happened and, when an earlier render was reused, how to get a new take. */
  message: string
  /** The file the result is (or will be) at. */
  output: string
}

export interface BatchRequest {
  dir: string
  outDir: string
  recursive: boolean
  preset: Preset
  maxSide: number | 'original'
  names: NameStyle
  resolveLocal: (p: string) => string
  /** Each chunk of the plan, in folder order, once its jobs are queued (the CLI names them). */
  onPlanned?: (entries: readonly BatchEntry[]) => void
}

export type BatchEntry =
  | { source: string; kind: 'skip'; reason: string }
  | { source: string; kind: 'invalid'; error: ErrorInfo }
  /** Already rendered with these parameters: nothing to do. */
  | { source: string; kind: 'done'; output: string; requestId?: string }
  | {
      source: string
      kind: 'job'
      action: StartAction
      jobId: string
      message: string
      /** Where this batch wants the result (a followed render is copied here when done). */
      output: string
    }

export interface BatchSummary {
  summary: string
  csv: string
  succeeded: number
  failed: number
  skipped: number
  rows: SummaryRow[]
}

/**
 * A batch being run. The plan grows while the folder is probed: `entries` (folder order), `counts`
 * and `jobIds` hold what is planned so far, and are complete once `planned` settles.
 */
export interface BatchRun {
  batchId: string
  entries: BatchEntry[]
  counts: {
    /** Finished before this run: skipped. */
    done: number
    /** Sent to fal by this run (new renders). */
    toRender: number
    /** Earlier requests collected from fal, or runs another process is making. */
    collecting: number
    skipped: number
    unreadable: number
  }
  jobIds: string[]
  /** Files in the folder; `entries` has one per file planned so far. */
  files: number
  /** Settles when every file is planned (or, after `stop`, when planning has stopped). */
  planned: Promise<void>
  /** Settles when every job has ended (or, after `stop`, every job this process runs), summary written. */
  finished: Promise<BatchSummary>
  /**
   * Ctrl-C: abandons the jobs this process runs (their request ids are kept; the same batch again
   * collects them) and stops waiting for those another process is making.
   */
  stop(): Promise<void>
  /**
   * Stop batch, in the window: no further file is planned; the jobs this process runs are cancelled
   * (those not at fal stop, those waiting in fal's queue are cancelled there, never billed; one fal
   * has started is abandoned with its request id kept, so the same batch again collects it).
   */
  cancel(): Promise<{ cancelled: number; kept: number }>
}

type Decision =
  | { kind: 'new' }
  | { kind: 'done'; job: Job }
  | { kind: 'copy'; job: Job }
  | { kind: 'redownload'; job: Job }
  | { kind: 'collect'; job: Job }
  /** Being made: by another process (`elsewhere` names it) or already queued in this one. */
  | { kind: 'follow'; job: Job; elsewhere: string | null }

const exists = (p: string) =>
  fs
    .access(p)
    .then(() => true)
    .catch(() => false)

const samePath = (a: string, b: string) => path.resolve(a) === path.resolve(b)

function clockOf(iso: string | undefined): string {
  const d = iso ? new Date(iso) : null
  return d && !Number.isNaN(d.getTime()) ? d.toLocaleString() : 'earlier'
}

/**
 * The money rules, in one place for the app and the CLI: every way to start, retry, collect or
 * batch a render goes through here. A render identical to one already paid for (or being made) is
 * reused, never submitted again, unless the user asks for a new take. Outputs are checked before
 * anything is uploaded.
 */
export class RenderService {
  readonly runner: JobRunner
  readonly journal: Journal
  private opened: Promise<unknown> | null = null

  constructor(private readonly o: RenderServiceOptions) {
    this.journal = new Journal(o.dataDir, o.registry, {
      ...(o.lockWaitMs !== undefined ? { lockWaitMs: o.lockWaitMs } : {}),
      ...(o.compactMinBytes !== undefined ? { compactMinBytes: o.compactMinBytes } : {}),
    })
    this.runner = new JobRunner({
      journal: this.journal,
      registry: o.registry,
      deps: {
        media: o.media,
        fal: o.fal,
        uploads: o.uploads,
        workDir: path.join(o.dataDir, 'work'),
        appVersion: o.appVersion,
        ...(o.pollMs ? { pollMs: o.pollMs } : {}),
      },
      concurrency: o.concurrency,
      origin: o.origin,
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      ...(o.refreshMs ? { refreshMs: o.refreshMs } : {}),
    })
  }

  /**
   * Opens the journal once. The app resumes its unfinished jobs; the CLI waits to be asked. First
   * the data folder loses what a killed process was writing (the learned timings, an autosave).
   */
  init(): Promise<unknown> {
    this.opened ??= sweepAtomicLeftovers(this.o.dataDir).then(() =>
      this.runner.init({ resume: this.o.resume }),
    )
    return this.opened
  }

  async close(): Promise<void> {
    await this.runner.close()
  }

  list(): Job[] {
    return this.runner.list()
  }

  /** Bytes the upload cache wrote in this process (for the benchmarks). */
  uploadsBytesWritten(): number {
    return this.o.uploads.bytesWritten
  }

  get(id: string): Job | undefined {
    return this.runner.get(id)
  }

  /** A job by its id or a unique prefix of it (the CLI's `jobs retry 1f3a`). */
  find(idOrPrefix: string): Job {
    const matches = this.runner
      .list()
      .filter((j) => !j.parentId && (j.id === idOrPrefix || j.id.startsWith(idOrPrefix)))
    if (matches.length === 1) return matches[0] as Job
    throw new AppError(
      'not-found',
      matches.length
        ? `"${idOrPrefix}" matches ${matches.length} jobs; give more of the ID`
        : `no job "${idOrPrefix}"`,
      { field: 'ID' },
    )
  }

  waitFor(ids: readonly string[], timeoutMs?: number): Promise<boolean> {
    return this.runner.waitFor(ids, timeoutMs)
  }

  retry(id: string): Promise<Outcome | undefined> {
    return this.runner.retry(id)
  }

  cancel(id: string): Promise<Outcome | undefined> {
    return this.runner.cancel(id)
  }

  abandon(id: string): Promise<Outcome | undefined> {
    return this.runner.abandon(id)
  }

  /**
   * Starts a render, or reuses the identical one: collected from fal if it was submitted, followed
   * if another process is making it, left alone if it is done. Everything that can be checked
   * locally (parameters, LoRA files, the output folder) is checked before anything is sent.
   */
  async start(req: RenderRequest): Promise<StartResult> {
    await this.init()
    const blend = Boolean(req.crossfadeFrames && (req.segments?.length ?? 0) > 1)
    const { base, segments } = await buildSpec({
      ...req,
      ...(blend
        ? {
            crossfade: {
              frames: req.crossfadeFrames as number,
              fps: targetFrameRate(await this.o.media.probe(req.source)).fps,
            },
          }
        : {}),
    })
    const wanted = req.output ? path.resolve(req.output) : undefined
    if (wanted && samePath(wanted, req.source))
      throw new AppError(
        'invalid-params',
        `${flagOrLabel(req.names, 'out')} must not be the source file`,
        { field: 'out', file: wanted },
      )
    const again = againHint(req.names)
    // Decided again if another process added the same render between our look and our add.
    for (let turn = 0; ; turn++) {
      const decision = await this.decide(
        base.key as string,
        wanted,
        Boolean(req.again) && turn === 0,
      )
      const earlier = decision.kind === 'new' ? undefined : decision.job
      if (
        wanted &&
        !req.overwrite &&
        decision.kind !== 'done' &&
        !(earlier && samePath(earlier.spec.output, wanted)) &&
        (await exists(wanted))
      ) {
        throw new AppError(
          'output-exists',
          req.names === 'flag'
            ? `${wanted} exists. Choose another --out or pass --overwrite.`
            : `${wanted} exists; choose another output file.`,
          { field: 'out', file: wanted },
        )
      }
      switch (decision.kind) {
        case 'done':
          return {
            job: decision.job,
            action: 'done',
            output: decision.job.spec.output,
            message: `Already rendered: ${decision.job.spec.output}${requestOf(decision.job)}. ${again}`,
          }
        case 'copy': {
          const target = wanted as string
          await ensureWritableFolder(path.dirname(target), { field: 'out' })
          await copyResult(decision.job.spec.output, target)
          return {
            job: decision.job,
            action: 'copied',
            output: target,
            message: `Already rendered as ${decision.job.spec.output}${requestOf(decision.job)}; copied to ${target} without paying again. ${again}`,
          }
        }
        case 'follow':
          await this.runner.start(decision.job.id)
          return {
            job: decision.job,
            action: 'following',
            // The other process writes its own output; ours is a copy of it once it is done.
            output: wanted ?? decision.job.spec.output,
            message: decision.elsewhere
              ? `The same render is already running in ${decision.elsewhere}; waiting for it instead of paying again. ${again}`
              : `This exact render is already in the queue; it was not sent again. ${again}`,
          }
        case 'redownload':
        case 'collect': {
          const output = wanted ?? decision.job.spec.output
          await ensureWritableFolder(path.dirname(output), { field: 'out' })
          const job = await this.reuse(decision, output, req.overwrite)
          return {
            job,
            action: collects(decision.job) ? 'collecting' : 'resuming',
            output,
            message: reuseMessage(decision, again),
          }
        }
        case 'new': {
          const claimed = this.claimedOutputs()
          const taken = (p: string) => existsSync(p) || claimed.has(p)
          const output =
            wanted ??
            (req.outDir || req.nameTemplate
              ? templatedOutputFor(
                  req.source,
                  req.outDir,
                  req.nameTemplate ?? DEFAULT_NAME_TEMPLATE,
                  taken,
                )
              : defaultOutputFor(req.source, taken))
          await ensureWritableFolder(path.dirname(output), {
            field: wanted ? 'out' : req.outDir ? 'outputDir' : 'output',
          })
          const spec: JobSpec = { ...base, output, ...(req.overwrite ? { overwrite: true } : {}) }
          const job = await this.runner.add(spec, {
            ...(req.again && turn === 0 ? { again: true } : {}),
            ...(segments.length > 1
              ? { segments: segments.map((s, i) => ({ ...s, output: `${output}.segment-${i}` })) }
              : {}),
          })
          if (job.existing && turn < 3) continue
          return { job, action: 'new', output, message: '' }
        }
      }
    }
  }

  /**
   * Puts a finished render where this caller asked for it when another process made it under its
   * own name (a followed render): a copy, never over an existing file unless `overwrite`.
   */
  async deliver(jobId: string, target: string, overwrite = false): Promise<string> {
    const job = this.runner.get(jobId)
    if (!job || job.status !== 'done' || samePath(job.spec.output, target))
      return job?.spec.output ?? target
    let to = path.resolve(target)
    if (!overwrite)
      for (let n = 2; await exists(to); n++) to = numberedName(path.resolve(target), n)
    await copyResult(job.spec.output, to)
    return to
  }

  /** Outputs that unfinished jobs will write: a new job must not pick the same name. */
  private claimedOutputs(): Set<string> {
    const out = new Set<string>()
    for (const j of this.runner.view()) if (!isTerminal(j.status)) out.add(j.spec.output)
    return out
  }

  /**
   * What to do for a render with this key. The journal decides: a done render is reused (copied if
   * the user wants it elsewhere, downloaded again if its file is gone); one at fal or stopped is
   * collected (retry submits again only if fal says it failed); one another process runs is
   * followed. Only no earlier render, or `again`, means a new one.
   */
  private async decide(key: string, wanted: string | undefined, again: boolean): Promise<Decision> {
    if (again) return { kind: 'new' }
    await this.runner.refresh()
    const same: Job[] = []
    for (const j of this.runner.view())
      if (j.spec.key === key && !j.parentId) same.push(structuredClone(j))
    same.sort((a, b) => rank(a) - rank(b) || b.createdAt.localeCompare(a.createdAt))
    for (const job of same) {
      if (job.status === 'done') {
        // Only the job's own file counts: one replaced since (another render's --overwrite) does not.
        if ((await exists(job.spec.output)) && (await isResultOf(job.spec.output, job))) {
          if (!wanted || samePath(wanted, job.spec.output)) return { kind: 'done', job }
          return { kind: 'copy', job }
        }
        if (job.requestId) return { kind: 'redownload', job }
        continue
      }
      if (!isTerminal(job.status)) {
        if (this.runner.isActiveHere(job.id)) return { kind: 'follow', job, elsewhere: null }
        const elsewhere = await this.runner.runningElsewhere(job.id)
        if (elsewhere) return { kind: 'follow', job, elsewhere }
      }
      return { kind: 'collect', job }
    }
    return { kind: 'new' }
  }

  /** Runs an earlier job again towards `output`, without submitting it again unless fal failed it. */
  private async reuse(
    decision: Extract<Decision, { kind: 'collect' | 'redownload' }>,
    output: string,
    overwrite: boolean | undefined,
  ): Promise<Job> {
    const retarget = (job: Job) => {
      job.spec = { ...job.spec, output }
      if (overwrite) job.spec.overwrite = true
      else delete job.spec.overwrite
    }
    const { job } = decision
    if (decision.kind === 'redownload') {
      const started = await this.runner.start(job.id, (j) => {
        retarget(j)
        j.status = 'queued'
        j.stage = 'download'
        delete j.downloadedPath
        delete j.finishedAt
      })
      return started ?? job
    }
    // Picking an earlier render up is not the user's Retry: a send cut off mid-way stays unsent.
    if (isTerminal(job.status))
      return (await this.runner.retry(job.id, retarget, { explicit: false }))?.job ?? job
    return (await this.runner.start(job.id, retarget)) ?? job
  }

  /**
   * What `startBatch` would do with a folder, without doing any of it: each file, whether it would
   * be rendered (paid for), reused (already rendered, or collected from fal: not paid again), or
   * skipped and why. Hidden and system files are named too. With no preset (or no output folder),
   * only the folder's own rules apply: every video counts as "to render".
   */
  async previewBatch(req: {
    dir: string
    recursive: boolean
    outDir?: string
    preset?: Preset
    maxSide: number | 'original'
    names: NameStyle
    resolveLocal: (p: string) => string
  }): Promise<BatchPreviewItem[]> {
    const outDir = req.outDir ? path.resolve(req.outDir) : undefined
    const candidates = await findCandidates(
      { dir: req.dir, recursive: req.recursive, reportHidden: true, ...(outDir ? { outDir } : {}) },
      this.o.media,
    )
    if (outDir && req.preset) {
      await this.init()
      await this.runner.refresh()
    }
    const items: BatchPreviewItem[] = []
    for (const c of candidates) {
      if (c.kind === 'skip') {
        items.push({ source: c.source, status: 'skip', reason: c.reason })
        continue
      }
      if (c.kind === 'invalid') {
        items.push({
          source: c.source,
          status: 'unreadable',
          // The message names the file; the preview lists it beside its name already.
          reason: `cannot be read as a video (${c.error.message.replace(`${path.basename(c.source)}: `, '')})`,
        })
        continue
      }
      if (!outDir || !req.preset) {
        items.push({ source: c.source, status: 'render' })
        continue
      }
      const {
        decision,
        wanted: output,
        doneOutput,
      } = await this.clipOfBatch({ ...req, preset: req.preset }, outDir, c.source)
      if (doneOutput)
        items.push({ source: c.source, status: 'reuse', reason: 'already rendered', output })
      else if (decision.kind === 'new') items.push({ source: c.source, status: 'render', output })
      else if (decision.kind === 'collect' && sendCutOff(decision.job))
        items.push({
          source: c.source,
          status: 'skip',
          reason:
            'its send to fal was cut off, so fal may have it: check your fal dashboard, then Retry it in the queue',
          output,
        })
      else if (decision.kind === 'collect' && !collects(decision.job))
        // Never reached fal, or failed there: sent (and paid for) once more.
        items.push({
          source: c.source,
          status: 'render',
          reason: decision.job.requestId ? 'failed at fal before: sent again' : 'queued before',
          output,
        })
      else
        items.push({
          source: c.source,
          status: 'reuse',
          reason:
            decision.kind === 'done' || decision.kind === 'copy'
              ? 'already rendered with these settings: kept, not paid again'
              : decision.kind === 'follow'
                ? 'already being rendered: followed, not paid again'
                : 'sent to fal before: collected, not paid again',
          output,
        })
    }
    return items
  }

  /**
   * One clip of a folder batch: its spec, its output under the mirrored tree and what the money
   * rule decides for it. The preview and the batch both ask here, so what the preview promises is
   * what the batch does. `doneOutput`: rendered before the journal knew (another machine, a
   * cleared data folder), which the output's sidecar says.
   */
  private async clipOfBatch(
    req: Pick<BatchRequest, 'dir' | 'preset' | 'maxSide' | 'names' | 'resolveLocal'>,
    outDir: string,
    source: string,
  ) {
    const { base } = await buildSpec({
      source,
      range: { startSec: 0 },
      endpoint: req.preset.endpoint,
      params: req.preset.params,
      maxSide: req.maxSide,
      fps: req.preset.fps,
      names: req.names,
      resolveLocal: req.resolveLocal,
    })
    const wanted = mirroredOutput(req.dir, outDir, source, req.preset.nameTemplate)
    const decision = await this.decide(base.key as string, wanted, false)
    const doneOutput = decision.kind === 'new' && (await isDoneOutput(wanted, base.key as string))
    return { base, wanted, decision, doneOutput }
  }

  /**
   * Plans a folder: each video becomes a render of the preset, unless it is already rendered with
   * these parameters (skipped), at fal (collected), failed (retried) or being made by another
   * process (followed). The output folder is checked before anything else.
   */
  async startBatch(req: BatchRequest): Promise<BatchRun> {
    const batchId = crypto.randomUUID()
    const outDir = path.resolve(req.outDir)
    const field = req.names === 'flag' ? 'out-dir' : 'outDir'
    await ensureWritableFolder(outDir, { field })
    // A batch killed while writing its summary left the temporary beside it.
    await sweepAtomicLeftovers(outDir)
    await this.init()
    // Batches made before the shared journal kept their own; bring its request ids in once.
    await this.journal.importLegacy(path.join(outDir, '.reanimate', 'journal.json'))
    await this.runner.refresh()

    // Files are probed as the plan goes: the first clips are queued (and sent) while later ones
    // are still being read, whatever the folder's size.
    // A folder that cannot be read fails here, before anything is queued.
    const { files } = await folderFiles({ dir: req.dir, outDir, recursive: req.recursive })
    const sorted = sortFiles(files, [], this.o.media, (task) => this.runner.spareCpu(task))
    let read = 0
    const entries: BatchEntry[] = []
    const jobIds: string[] = []
    const counts: BatchRun['counts'] = {
      done: 0,
      toRender: 0,
      collecting: 0,
      skipped: 0,
      unreadable: 0,
    }
    // Outputs this batch gave out, across chunks: two clips never get the same (numbered) name.
    const claimed = new Set<string>()
    const again = againHint(req.names)
    let stopRequested = false

    /** Plans a run of candidates: one journal write for its new renders, then its entries are in. */
    const planChunk = async (candidates: Candidate[]): Promise<void> => {
      const chunkEntries: BatchEntry[] = []
      const running = this.claimedOutputs()
      const planned: {
        source: string
        base: Omit<JobSpec, 'output'>
        decision: Decision
        wanted: string
        entry: Extract<BatchEntry, { kind: 'job' }>
      }[] = []
      for (const c of candidates) {
        if (c.kind === 'skip')
          chunkEntries.push({ source: c.source, kind: 'skip', reason: c.reason })
        if (c.kind === 'invalid')
          chunkEntries.push({ source: c.source, kind: 'invalid', error: c.error })
        if (c.kind !== 'video') continue
        const { base, wanted, decision, doneOutput } = await this.clipOfBatch(req, outDir, c.source)
        if (doneOutput) {
          chunkEntries.push({ source: c.source, kind: 'done', output: wanted })
          continue
        }
        if (decision.kind === 'done') {
          chunkEntries.push({
            source: c.source,
            kind: 'done',
            output: decision.job.spec.output,
            ...(decision.job.requestId ? { requestId: decision.job.requestId } : {}),
          })
          continue
        }
        if (decision.kind === 'copy') {
          // Never over another render's file under that name: count up beside it instead.
          let to = wanted
          for (let n = 2; existsSync(to) || claimed.has(to); n++) to = numberedName(wanted, n)
          claimed.add(to)
          await copyResult(decision.job.spec.output, to)
          chunkEntries.push({
            source: c.source,
            kind: 'done',
            output: to,
            ...(decision.job.requestId ? { requestId: decision.job.requestId } : {}),
          })
          continue
        }
        let target = wanted
        if (decision.kind === 'new') {
          // Changed parameters render beside the old output: count up instead of replacing anything.
          const taken = (p: string) =>
            p === c.source || claimed.has(p) || existsSync(p) || running.has(p)
          for (let n = 2; taken(target); n++) target = numberedName(wanted, n)
        }
        claimed.add(target)
        const entry: Extract<BatchEntry, { kind: 'job' }> = {
          source: c.source,
          kind: 'job',
          action: 'new',
          jobId: '',
          message: '',
          output: target,
        }
        planned.push({ source: c.source, base, decision, wanted: target, entry })
        chunkEntries.push(entry)
      }

      // The chunk's new renders go into the journal in one write.
      const fresh = planned.filter((p) => p.decision.kind === 'new')
      const { added, existing } = fresh.length
        ? await this.runner.addMany(
            fresh.map((p) => ({ ...p.base, output: p.wanted })),
            batchId,
          )
        : { added: [], existing: new Map<number, Job>() }
      const addedBySource = new Map<string, Job>()
      for (const [i, p] of fresh.entries()) {
        const job = added[i]
        if (job) addedBySource.set(p.source, job)
        // Another process added the same render since we looked: take that one up instead.
        else if (existing.has(i))
          p.decision = await this.decide(p.base.key as string, p.wanted, false)
      }
      for (const p of planned) {
        const { entry } = p
        let job: Job
        const mine = addedBySource.get(p.source)
        if (mine) {
          job = mine
          entry.action = 'new'
        } else if (p.decision.kind === 'done' || p.decision.kind === 'copy') {
          // Finished between our look and our add (another process): copied here when the batch ends.
          job = p.decision.job
          entry.action = 'following'
          entry.message = 'already rendered'
        } else if (p.decision.kind === 'follow') {
          job = (await this.runner.start(p.decision.job.id)) ?? p.decision.job
          entry.action = 'following'
          entry.message = p.decision.elsewhere
            ? `already running in ${p.decision.elsewhere}`
            : 'already in the queue'
        } else if (p.decision.kind === 'collect' || p.decision.kind === 'redownload') {
          job = await this.reuse(p.decision, p.wanted, false)
          entry.action = collects(p.decision.job) ? 'collecting' : 'resuming'
          entry.message = reuseMessage(p.decision, again)
        } else continue
        entry.jobId = job.id
        jobIds.push(job.id)
      }
      entries.push(...chunkEntries)
      addCounts(counts, chunkEntries)
      req.onPlanned?.(chunkEntries)
    }

    // The first chunk is small so the queue starts at once; later ones grow to bound journal writes.
    let size = FIRST_CHUNK
    const nextChunk = async (): Promise<Candidate[]> => {
      const chunk: Candidate[] = []
      while (chunk.length < size && !stopRequested) {
        const next = await sorted.next()
        if (next.done) break
        chunk.push(next.value)
        read++
      }
      size = Math.min(size * 2, MAX_CHUNK)
      return chunk
    }
    await planChunk(await nextChunk())
    const planned = (async () => {
      for (let chunk = await nextChunk(); chunk.length > 0; chunk = await nextChunk())
        await planChunk(chunk)
      if (read === files.length) return
      // Stopped mid-folder: the files not read yet are not probed, and the summary still names them.
      await sorted.return()
      const rest: BatchEntry[] = files.slice(read).map((source) => ({
        source,
        kind: 'skip',
        reason: 'not started: the batch was stopped; run it again to include it',
      }))
      entries.push(...rest)
      addCounts(counts, rest)
    })()
    planned.catch(() => undefined)

    let stopped = (): void => undefined
    const stopping = new Promise<void>((resolve) => (stopped = resolve))
    const halt = async (how: 'abandon' | 'cancel') => {
      // No further chunk is planned; the one being planned is queued, then stopped with the rest.
      stopRequested = true
      await planned.catch(() => undefined)
      const own: string[] = []
      for (const id of jobIds) if (!(await this.runner.runningElsewhere(id))) own.push(id)
      const outcomes: (Outcome | undefined)[] = []
      if (how === 'abandon')
        outcomes.push(...(await Promise.all(own.map((id) => this.runner.abandon(id)))))
      else {
        // Those not started, then those not at fal yet, then those at fal: a fal slot freed by a
        // cancel is never taken by a clip of this batch on its way there.
        const phase = (id: string) => {
          const job = this.runner.get(id)
          return job?.status === 'queued' ? 0 : job?.requestId ? 2 : 1
        }
        for (const p of [0, 1, 2]) {
          const ids = own.filter((id) => phase(id) === p)
          outcomes.push(...(await Promise.all(ids.map((id) => this.runner.cancel(id)))))
        }
      }
      stopped()
      const count = (action: string) => outcomes.filter((o) => o?.action === action).length
      return { cancelled: count('cancelled'), kept: count('abandoned') }
    }
    const finished = planned
      .then(() => Promise.race([this.waitFor(jobIds), stopping]))
      .then(async () => {
        // Renders another process made under its own name: copied to where this batch wants them.
        for (const e of entries)
          if (
            e.kind === 'job' &&
            e.action === 'following' &&
            this.runner.get(e.jobId)?.status === 'done'
          )
            e.output = await this.deliver(e.jobId, e.output)
        return this.summarise(req.dir, outDir, entries)
      })
    finished.catch(() => undefined)
    return {
      batchId,
      entries,
      counts,
      jobIds,
      files: files.length,
      planned,
      finished,
      stop: async () => void (await halt('abandon')),
      cancel: () => halt('cancel'),
    }
  }

  /** `<out-dir>/reanimate-summary.json` and `.csv`: every file of the folder, this run and earlier. */
  private async summarise(
    dir: string,
    outDir: string,
    entries: BatchEntry[],
  ): Promise<BatchSummary> {
    const rel = (p: string) => path.relative(dir, p)
    const rows: SummaryRow[] = entries.map((e) => {
      switch (e.kind) {
        case 'skip':
          return { source: rel(e.source), status: 'skipped', error: e.reason }
        case 'invalid':
          return { source: rel(e.source), status: 'failed', error: e.error.message }
        case 'done':
          return {
            source: rel(e.source),
            status: 'succeeded',
            output: path.relative(outDir, e.output),
            ...(e.requestId ? { requestId: e.requestId } : {}),
            note: 'already rendered',
          }
        case 'job': {
          const job = this.runner.get(e.jobId)
          // Stopped, not failed: Stop batch, Ctrl-C, or the queue's Cancel or Abandon. The same
          // batch again renders it, or collects what fal had started without paying again.
          if (job?.status === 'cancelled' || job?.status === 'abandoned')
            return {
              source: rel(e.source),
              status: 'skipped',
              error:
                job.status === 'abandoned' && job.requestId
                  ? 'stopped while fal was rendering it; run the batch again to collect it without paying again'
                  : 'stopped before it was rendered; run the batch again to include it',
              ...(job.requestId ? { requestId: job.requestId } : {}),
            }
          const ok = job?.status === 'done'
          const error =
            job && !isTerminal(job.status)
              ? 'still being made by another Reanimate process; run the batch again to collect it'
              : (job?.error?.message ?? `ended as ${job?.status ?? 'unknown'}`)
          return {
            source: rel(e.source),
            status: ok ? 'succeeded' : 'failed',
            ...(ok
              ? {
                  output: path.relative(
                    outDir,
                    e.action === 'following' ? e.output : job.spec.output,
                  ),
                }
              : { error }),
            ...(job?.requestId ? { requestId: job.requestId } : {}),
            note: e.action === 'new' ? 'rendered' : e.action,
          }
        }
      }
    })
    const succeeded = rows.filter((r) => r.status === 'succeeded').length
    const failed = rows.filter((r) => r.status === 'failed').length
    const skipped = rows.filter((r) => r.status === 'skipped').length
    const files = await writeSummary(outDir, {
      dir,
      outDir,
      finishedAt: new Date().toISOString(),
      succeeded,
      failed,
      skipped,
      rows,
    })
    return { summary: files.json, csv: files.csv, succeeded, failed, skipped, rows }
  }
}

/** The first chunk of a batch's plan (queued at once), and the most later ones grow to. */
const FIRST_CHUNK = 1
const MAX_CHUNK = 64

/** Adds a chunk's entries to a batch's counts. */
function addCounts(counts: BatchRun['counts'], entries: readonly BatchEntry[]): void {
  for (const e of entries) {
    if (e.kind === 'done') counts.done++
    else if (e.kind === 'skip') counts.skipped++
    else if (e.kind === 'invalid') counts.unreadable++
    else if (e.action === 'new' || e.action === 'resuming') counts.toRender++
    else if (e.action === 'collecting' || e.action === 'following') counts.collecting++
  }
}

/** Live renders first, then finished ones, then stopped ones: the best earlier render to reuse. */
function rank(job: Job): number {
  if (!isTerminal(job.status)) return 0
  if (job.status === 'done') return 1
  return job.requestId ? 2 : 3
}

function requestOf(job: Job): string {
  return job.requestId ? ` (request ${job.requestId})` : ''
}

function againHint(names: NameStyle): string {
  return names === 'flag' ? 'Pass --again for a new take.' : 'Use "Render again" for a new take.'
}

function flagOrLabel(names: NameStyle, flag: string): string {
  return names === 'flag' ? `--${flag}` : 'The output file'
}

/** A request fal still has (or had) a result for: reusing it collects; a cancelled one never ran. */
function collects(job: Job): boolean {
  const failedAtFal = job.error?.code === 'fal-failed' || job.error?.code === 'fal-gone'
  return Boolean(job.requestId) && job.status !== 'cancelled' && !failedAtFal
}

function reuseMessage(decision: Decision & { job: Job }, again: string): string {
  const { job } = decision
  if (decision.kind === 'redownload')
    return `Downloading the result of request ${job.requestId} again (its earlier output is gone): not paying again. ${again}`
  if (job.requestId && (job.error?.code === 'fal-failed' || job.error?.code === 'fal-gone'))
    return `Request ${job.requestId} failed at fal (${job.error.message.replace(/ Retry submits the render again\.$/, '')}); sending the render again.`
  if (job.requestId && job.status === 'cancelled')
    return `Request ${job.requestId} was cancelled at fal before it ran (nothing was billed); sending the render again.`
  if (sendCutOff(job)) return SEND_CUT_OFF_MESSAGE
  if (job.requestId)
    return `Collecting request ${job.requestId}, submitted ${clockOf(job.submittedAt)} for the same clip and parameters: not paying again. ${again}`
  return `Resuming the same render queued ${clockOf(job.createdAt)}; it had not reached fal yet.`
}

/** Copies a finished result (and its sidecar) to another name, never leaving half a file. */
async function copyResult(from: string, to: string): Promise<void> {
  await makeFolder(path.dirname(to))
  for (const [a, b] of [
    [from, to],
    [`${from}.json`, `${to}.json`],
  ] as const) {
    if (await exists(a)) await writeAtomically(b, (partial) => fs.copyFile(a, partial))
  }
}
