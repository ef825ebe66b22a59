import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import PQueue from 'p-queue'
import type { JobOutcome } from '../../shared/contract'
import { AppError, toErrorInfo } from '../../shared/errors'
import {
  isTerminal,
  sendCutOff,
  MAX_LOG_LINES,
  STAGES,
  type Job,
  type JobOrigin,
  type JobProgress,
  type JobSpec,
  type Stage,
} from '../../shared/jobs'
import { processAlive } from '../storage/json-file'
import { describeProcess, type ProcessRegistry } from '../storage/process-registry'
import { cancelIfQueued, downloadsDir, preparedDir, runStage, type ExecutorDeps } from './executor'
import type { Changed, Journal } from './journal'
import { durableStep } from '../storage/crash-points'

export interface RunnerOptions {
  journal: Journal
  registry: ProcessRegistry
  deps: ExecutorDeps
  concurrency: number
  /** Which front end this runner serves; recorded on the jobs it creates. */
  origin: JobOrigin
  onProgress?: (p: JobProgress) => void
  /** ffmpeg stages (prepare, finish) at once; default `DEFAULT_LOCAL_CONCURRENCY`. */
  localConcurrency?: number
  /** Attempts per stage for failures that may pass (network, fal busy); default 3. */
  stageAttempts?: number
  retryBaseMs?: number
  /** How often to read other processes' news from the journal; default 500 ms. */
  refreshMs?: number
}

/** ffmpeg stages at once unless told otherwise: one per core of the smallest machines we meet. */
export const DEFAULT_LOCAL_CONCURRENCY = 2

/** What cancel, abandon or retry did, in words the user reads (the contract's shape). */
export type Outcome = JobOutcome

/**
 * Failures worth running the same stage again for. Only the download: the fal client already
 * retries submit, status and result, upload retries itself, the wait tolerates outages, and
 * submitting again after an unclear failure could pay for the same render twice.
 */
const RETRYABLE = new Set(['network'])
const RETRYABLE_STAGES = new Set(['download'])

const SLOT: Record<Stage, 'fal' | 'cpu' | 'transfer'> = {
  prepare: 'cpu',
  upload: 'transfer',
  submit: 'fal',
  wait: 'fal',
  download: 'transfer',
  finish: 'cpu',
  done: 'cpu',
}

type Intent = 'cancel' | 'abandon' | 'lost'
interface Running {
  controller: AbortController
  intent?: Intent
  done: Promise<void>
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true })
  })

/** Removes `.x.partial-…` files a killed process left behind; they are never under a real name. */
export async function sweepPartials(dir: string): Promise<number> {
  let removed = 0
  let entries: string[]
  try {
    entries = await fs.readdir(dir)
  } catch {
    return 0
  }
  for (const name of entries) {
    const m = /^\..+\.partial-(\d+)-[a-z0-9]+(\.\w+)?$/.exec(name)
    // Only a dead process's leftovers: a live one (another runner on the same folder) is still writing.
    if (m && !processAlive(Number(m[1]))) {
      await fs.rm(path.join(dir, name), { force: true })
      removed++
    }
  }
  return removed
}

/**
 * Runs jobs with a concurrency limit over the shared journal. A job is run by one process at a time:
 * running it starts with a claim under the journal's lock, and a job another live process holds is
 * followed (its progress read from the journal) instead. A job whose runner died is taken over: a
 * submitted one is re-attached by request id, never submitted again.
 */
export class JobRunner {
  private readonly jobs = new Map<string, Job>()
  private readonly queue: PQueue
  /**
   * Each stage runs in a slot of its kind: `concurrency` requests at fal at once (fal's own limit
   * per account), ffmpeg work limited to the cores, transfers to a few at a time. Later stages go
   * first, so a clip that is nearly done is never starved by new clips being prepared.
   */
  private readonly slots: Record<'fal' | 'cpu' | 'transfer', PQueue>
  private readonly running = new Map<string, Running>()
  private readonly started = new Map<string, number>()
  private readonly scheduled = new Set<string>()
  /** Jobs this process means to run (or take over if their runner dies). */
  private readonly wanted = new Set<string>()
  private readonly waiters = new Set<() => void>()
  private timer: NodeJS.Timeout | null = null
  private resumeOthers = false
  private readonly me: string

  constructor(private readonly options: RunnerOptions) {
    const fal = Math.max(1, options.concurrency)
    this.me = options.registry.self.id
    // Enough jobs in flight that local work for the next clips overlaps the current ones at fal.
    this.queue = new PQueue({
      concurrency: fal + (options.localConcurrency ?? DEFAULT_LOCAL_CONCURRENCY) + 1,
    })
    this.slots = {
      fal: new PQueue({ concurrency: fal }),
      cpu: new PQueue({ concurrency: options.localConcurrency ?? 2 }),
      transfer: new PQueue({ concurrency: 3 }),
    }
    options.journal.onForeignChange = (changed) => this.merge(changed)
  }

  /**
   * Runs `task` in an ffmpeg slot when no stage wants one (a batch probing its next clips): work
   * that feeds fal or finishes a result always goes first.
   */
  spareCpu<T>(task: () => Promise<T>): Promise<T> {
    return this.slots.cpu.add(task, { priority: -1 })
  }

  /** Requests at fal at once, changed in Settings or the batch panel: applies to the next to start. */
  setConcurrency(concurrency: number): void {
    const fal = Math.max(1, concurrency)
    this.slots.fal.concurrency = fal
    this.queue.concurrency = fal + (this.options.localConcurrency ?? DEFAULT_LOCAL_CONCURRENCY) + 1
  }

  /**
   * Loads the journal. With `resume` (the app) unfinished jobs whose runner is gone are run again:
   * its own jobs fully, other front ends' jobs only when they were submitted (collecting costs
   * nothing; submitting a job the user queued elsewhere is theirs to decide). Without it (the CLI)
   * loaded jobs wait until `start` or `retry` names them.
   */
  async init(options: { resume: boolean } = { resume: true }): Promise<Job[]> {
    await this.options.registry.register()
    const loaded = await this.options.journal.open()
    for (const job of loaded) this.jobs.set(job.id, job)
    this.resumeOthers = options.resume
    const { workDir } = this.options.deps
    await Promise.all([sweepPartials(preparedDir(workDir)), sweepPartials(downloadsDir(workDir))])
    await this.sweepDownloads()
    const outputDirs = new Set(
      loaded.filter((j) => !isTerminal(j.status)).map((j) => path.dirname(j.spec.output)),
    )
    for (const dir of outputDirs) await sweepPartials(dir)
    if (options.resume) await this.adoptOrphans()
    this.timer = setInterval(() => void this.tick(), this.options.refreshMs ?? 500)
    this.timer.unref()
    this.scheduleAll()
    return this.list()
  }

  /** Removes downloaded results of finished jobs (a crash between "done" and the cleanup). */
  private async sweepDownloads(): Promise<void> {
    const dir = downloadsDir(this.options.deps.workDir)
    const names = await fs.readdir(dir).catch(() => [] as string[])
    for (const name of names) {
      const job = this.jobs.get(name.replace(/\.mp4$/, ''))
      const parent = job?.parentId ? this.jobs.get(job.parentId) : job
      if (job && parent?.status === 'done') await fs.rm(path.join(dir, name), { force: true })
    }
  }

  /** Stops looking at the journal and leaves the process registry. Running jobs keep running. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.options.registry.unregister()
  }

  list(): Job[] {
    return [...this.jobs.values()].map((j) => structuredClone(j))
  }

  /** The jobs without copying them, for lookups over large journals. Never modify them. */
  view(): Iterable<Readonly<Job>> {
    return this.jobs.values()
  }

  get(id: string): Job | undefined {
    const job = this.jobs.get(id)
    return job ? structuredClone(job) : undefined
  }

  /** True when this process is running the job or has it queued to run. */
  isActiveHere(id: string): boolean {
    return this.running.has(id) || this.scheduled.has(id)
  }

  /** "reanimate batch (pid 4242, since 10:02)" for the live process running a job elsewhere. */
  async runningElsewhere(id: string): Promise<string | null> {
    const job = this.jobs.get(id)
    const owner = job && !isTerminal(job.status) ? holderOf(job) : undefined
    if (!owner || owner === this.me || this.running.has(id)) return null
    if (!(await this.options.registry.isAlive(owner))) return null
    const info = await this.options.registry.info(owner)
    return info ? describeProcess(info) : 'another Reanimate process'
  }

  /**
   * Adds clip jobs (a batch) in one journal write. A spec whose key another job already has (done,
   * or queued or running anywhere) is not added: `existing` maps its index to that job, so the
   * caller reuses it. Deciding and adding under one lock is what stops two processes that asked
   * for the same render at the same moment from both adding, and paying for, it.
   */
  async addMany(
    specs: JobSpec[],
    batchId?: string,
  ): Promise<{ added: (Job | undefined)[]; existing: Map<number, Job> }> {
    const now = new Date().toISOString()
    const fresh: Job[] = specs.map((spec) => ({
      id: crypto.randomUUID(),
      spec,
      stage: 'prepare',
      logs: [],
      attempts: 0,
      createdAt: now,
      updatedAt: now,
      status: 'queued',
      origin: this.options.origin,
      createdBy: this.me,
      // Its progress says which batch it is part of (the window groups and notifies by batch).
      ...(batchId ? { batchId } : {}),
    }))
    const existing = await this.options.journal.transact((state) => {
      const byKey = new Map<string, Job>()
      for (const j of state.values())
        if (j.spec.key && !j.parentId && (j.status === 'done' || !isTerminal(j.status)))
          byKey.set(j.spec.key, j)
      const found = new Map<number, Job>()
      const save: Job[] = []
      fresh.forEach((job, i) => {
        const same = job.spec.key ? byKey.get(job.spec.key) : undefined
        if (same) found.set(i, structuredClone(same))
        else save.push(job)
      })
      return { save, result: found }
    })
    const added = fresh.map((job, i) => (existing.has(i) ? undefined : job))
    for (const job of added) if (job) this.jobs.set(job.id, job)
    for (const job of existing.values()) if (!this.jobs.has(job.id)) this.jobs.set(job.id, job)
    for (const job of added) if (job) this.wanted.add(job.id)
    this.scheduleAll()
    return { added: added.map((j) => (j ? structuredClone(j) : undefined)), existing }
  }

  /**
   * Adds one clip job, or a clip job and one job per segment when `segments` has more than one.
   * Unless `again`, an identical render already in the journal (see `addMany`) is returned instead,
   * as `existing`.
   */
  async add(
    spec: JobSpec,
    extra: { batchId?: string; segments?: JobSpec[]; again?: boolean } = {},
  ): Promise<Job & { existing?: true }> {
    const now = new Date().toISOString()
    const base = {
      logs: [],
      attempts: 0,
      createdAt: now,
      updatedAt: now,
      status: 'queued' as const,
      origin: this.options.origin,
      createdBy: this.me,
      ...(extra.batchId ? { batchId: extra.batchId } : {}),
      ...(extra.again ? { again: true } : {}),
    }
    const parent: Job = { id: crypto.randomUUID(), spec, stage: 'prepare', ...base }
    const created: Job[] = []
    const segments = extra.segments && extra.segments.length > 1 ? extra.segments : null
    if (segments) {
      parent.stage = 'finish'
      parent.segmentCount = segments.length
      segments.forEach((s, i) =>
        created.push({
          id: crypto.randomUUID(),
          parentId: parent.id,
          segmentIndex: i,
          spec: s,
          stage: 'prepare',
          ...base,
        }),
      )
    }
    created.push(parent)
    const existing = await this.options.journal.transact((state) => {
      if (!extra.again && spec.key)
        for (const j of state.values())
          if (
            j.spec.key === spec.key &&
            !j.parentId &&
            (j.status === 'done' || !isTerminal(j.status))
          )
            return { save: [], result: structuredClone(j) }
      return { save: created, result: null }
    })
    if (existing) {
      if (!this.jobs.has(existing.id)) this.jobs.set(existing.id, existing)
      return { ...existing, existing: true }
    }
    for (const job of created) this.jobs.set(job.id, job)
    this.want(parent)
    this.scheduleAll()
    return structuredClone(parent)
  }

  /**
   * Runs a job that is already in the journal (an earlier render being collected): now if nobody
   * runs it, or as soon as the process running it stops. `change` edits it first (a new output).
   */
  async start(id: string, change?: (job: Job) => void): Promise<Job | undefined> {
    const job = this.jobs.get(id)
    if (!job) return undefined
    if (change && !this.running.has(id)) await this.mutate(id, (j) => (change(j), true))
    this.want(this.jobs.get(id) ?? job)
    this.scheduleAll()
    return this.get(id)
  }

  /**
   * Changes a job this process is not running, on the journal's latest copy, under its lock: never
   * an old copy written back over another process's news. Nothing happens (null) when a live
   * process holds the job or its holder changed meanwhile; `fn` may also decline (false).
   */
  private async mutate(id: string, fn: (job: Job) => boolean): Promise<Job | null> {
    await this.refresh()
    const known = this.options.journal.get(id)
    if (!known) return null
    const holder = holderOf(known)
    if (holder && holder !== this.me && (await this.options.registry.isAlive(holder))) return null
    const next = await this.options.journal.transact((state) => {
      const cur = state.get(id)
      if (!cur || holderOf(cur) !== holder) return { save: [], result: null }
      const copy = structuredClone(cur)
      if (!fn(copy)) return { save: [], result: null }
      copy.updatedAt = new Date().toISOString()
      return { save: [copy], result: copy }
    })
    if (next && !this.running.has(id)) this.jobs.set(id, next)
    return next
  }

  pause(): void {
    this.queue.pause()
  }

  resume(): void {
    this.queue.start()
  }

  get paused(): boolean {
    return this.queue.isPaused
  }

  /**
   * Cancel: a job not at fal yet stops; one queued at fal is cancelled there (never billed). One
   * already running at fal cannot be stopped, so it is abandoned with its request id kept. A job
   * another process runs is asked to stop through the journal.
   */
  async cancel(id: string): Promise<Outcome | undefined> {
    return this.stop(id, 'cancel')
  }

  /** Stops waiting for a job at fal but keeps its request id, so retry collects the result. */
  async abandon(id: string): Promise<Outcome | undefined> {
    return this.stop(id, 'abandon')
  }

  private async stop(id: string, how: 'cancel' | 'abandon'): Promise<Outcome | undefined> {
    await this.refresh()
    const job = this.jobs.get(id)
    if (!job) return undefined
    for (const child of this.children(job)) await this.stop(child.id, how)
    const here = this.running.get(id)
    if (here) {
      here.intent = how
      here.controller.abort()
      await here.done
      return this.outcome(id)
    }
    if (isTerminal(job.status)) {
      if (how === 'cancel' && job.status === 'abandoned' && job.requestId) {
        // It may still be waiting in fal's queue: then it can be cancelled there after all.
        if ((await this.cancelAtFal(job)) === 'cancelled')
          await this.mutate(id, (j) => (settleFields(j, 'cancelled'), true))
        const after = this.outcome(id)
        if (after.action === 'cancelled') return after
        return {
          job: structuredClone(job),
          action: 'nothing',
          message: `fal has already started request ${job.requestId} and cannot stop it, so nothing changed: it stays abandoned, and retry collects its result without paying again.`,
        }
      }
      return {
        job: structuredClone(job),
        action: 'nothing',
        message: `Already ${job.status}; nothing to ${how}.`,
      }
    }
    const elsewhere = await this.runningElsewhere(id)
    if (elsewhere) {
      await this.options.journal.transact((state) => {
        const cur = state.get(id)
        if (!cur || isTerminal(cur.status)) return { save: [], result: undefined }
        return { save: [{ ...structuredClone(cur), stopRequest: how }], result: undefined }
      })
      if (await this.waitFor([id], 30_000)) return this.outcome(id)
      return {
        job: structuredClone(this.jobs.get(id) ?? job),
        action: 'requested',
        message: `Asked ${elsewhere}, which is running it, to ${how} it.`,
      }
    }
    this.wanted.delete(id)
    const end =
      how === 'cancel' && (await this.cancelAtFal(job)) !== 'running' ? 'cancelled' : 'abandoned'
    await this.mutate(id, (j) => {
      if (isTerminal(j.status)) return false
      settleFields(j, end, end === 'abandoned' ? abandonedError(j) : undefined)
      return true
    })
    const now = this.jobs.get(id)
    if (now) this.emit(now)
    this.notify()
    return this.outcome(id)
  }

  /**
   * Cancels the job's request at fal if it is still queued there: 'cancelled' (never billed, or no
   * request at all), 'running' (fal cannot stop it). A request shared with another job is never
   * cancelled: it is that job's too. Could not reach fal: an error saying so.
   */
  private async cancelAtFal(job: Job): Promise<'cancelled' | 'running'> {
    if (!job.requestId || job.sharedRequest) return job.requestId ? 'running' : 'cancelled'
    try {
      return await cancelIfQueued(this.options.deps, job)
    } catch (err) {
      throw new AppError(
        err instanceof AppError ? err.code : 'network',
        `Could not reach fal to cancel request ${job.requestId} (${err instanceof Error ? err.message : String(err)}). Nothing changed; try again.`,
      )
    }
  }

  private outcome(id: string): Outcome {
    const job = structuredClone(this.jobs.get(id) as Job)
    if (job.status === 'cancelled')
      return {
        job,
        action: 'cancelled',
        message: job.requestId
          ? `Cancelled request ${job.requestId} at fal while it was still queued there: nothing is billed.`
          : job.submitStartedAt
            ? 'Cancelled. It was being sent to fal when its process stopped, so fal may have it and bill it (see your fal dashboard).'
            : 'Cancelled before it was sent to fal: nothing is billed.',
      }
    if (job.status === 'abandoned')
      return { job, action: 'abandoned', message: abandonedError(job).message }
    return {
      job,
      action: 'nothing',
      message: `It ${job.status === 'done' ? 'finished' : `is ${job.status}`}.`,
    }
  }

  /**
   * A cancelled job that may be at fal: cancelled there if still queued (never billed), else
   * abandoned with its request id kept, because fal cannot stop a running request.
   */
  private async settleCancelled(job: Job, atFal: boolean): Promise<void> {
    // fal out of reach: the request may still run, so the job keeps its id and stays collectable.
    const there = atFal ? await this.cancelAtFal(job).catch(() => 'running' as const) : 'cancelled'
    if (there === 'running') this.settle(job, 'abandoned', abandonedError(job))
    else this.settle(job, 'cancelled')
  }

  /**
   * Failed, cancelled or abandoned → queued again, from the stage it stopped at. A submitted
   * request is collected; it is submitted again only if fal says it failed or no longer knows it.
   * A send cut off before fal's answer (fal may have it) goes out again only on the user's own
   * Retry (`explicit`); a rerun of the same render that merely picks the job up stops there again.
   */
  async retry(
    id: string,
    change?: (job: Job) => void,
    { explicit = true }: { explicit?: boolean } = {},
  ): Promise<Outcome | undefined> {
    await this.refresh()
    const job = this.jobs.get(id)
    if (!job) return undefined
    if (job.status === 'done')
      return {
        job: structuredClone(job),
        action: 'nothing',
        message: `Already done: ${job.spec.output}`,
      }
    if (!isTerminal(job.status)) {
      const elsewhere = await this.runningElsewhere(id)
      if (this.running.has(id) || this.scheduled.has(id) || elsewhere)
        return {
          job: structuredClone(job),
          action: 'already-running',
          message: elsewhere ? `Already running in ${elsewhere}.` : 'Already running.',
        }
    }
    for (const child of this.children(job))
      if (child.status !== 'done') await this.retry(child.id, undefined, { explicit })
    const next = await this.mutate(id, (j) => {
      if (!isTerminal(j.status) && holderOf(j) === this.me) return false
      if (j.status === 'done') return false
      // A cancelled request is gone at fal: start from the submit again, a send like any first one
      // (its old send was answered, so it is no cut-off send that only an explicit Retry repeats).
      if (j.status === 'cancelled' && j.requestId) {
        j.previousRequestIds = [...(j.previousRequestIds ?? []), j.requestId]
        delete j.requestId
        delete j.sharedRequest
        delete j.submitStartedAt
        delete j.submittedAt
        if (['wait', 'download'].includes(j.stage)) j.stage = 'submit'
      }
      change?.(j)
      j.status = 'queued'
      delete j.error
      delete j.owner
      j.createdBy = this.me
      j.attempts = 0
      if (explicit || !sendCutOff(j)) j.resubmitIfFailed = true
      else delete j.resubmitIfFailed
      return true
    })
    if (!next)
      return {
        job: structuredClone(this.jobs.get(id) ?? job),
        action: 'already-running',
        message: 'Another Reanimate process took it up meanwhile.',
      }
    this.want(next)
    this.scheduleAll()
    return {
      job: structuredClone(next),
      action: next.requestId ? 'collecting' : 'restarted',
      message: next.requestId
        ? `Collecting request ${next.requestId} from fal; it is submitted again only if fal says it failed.`
        : `Starting again from ${next.stage}.`,
    }
  }

  /** Resolves when nothing is queued or running in this process. */
  async whenIdle(): Promise<void> {
    await this.queue.onIdle()
  }

  /**
   * Resolves true when every job is finished (done, failed, cancelled or abandoned), whichever
   * process ran it; false if `timeoutMs` passes first.
   */
  waitFor(ids: readonly string[], timeoutMs?: number): Promise<boolean> {
    const finished = () =>
      ids.every((id) => {
        const job = this.jobs.get(id)
        return !job || isTerminal(job.status)
      })
    if (finished()) return Promise.resolve(true)
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined
      const check = () => {
        if (!finished()) return
        this.waiters.delete(check)
        if (timer) clearTimeout(timer)
        this.timer?.unref()
        resolve(true)
      }
      this.waiters.add(check)
      // Someone is waiting: keep the process alive for the journal reads that will end the wait.
      this.timer?.ref()
      if (timeoutMs !== undefined)
        timer = setTimeout(() => {
          this.waiters.delete(check)
          if (!this.waiters.size) this.timer?.unref()
          resolve(false)
        }, timeoutMs)
    })
  }

  private notify(): void {
    for (const check of [...this.waiters]) check()
  }

  /** Reads other processes' news now. */
  async refresh(): Promise<void> {
    await this.options.journal.refresh()
  }

  private async tick(): Promise<void> {
    try {
      await this.refresh()
      if (this.resumeOthers) await this.adoptOrphans()
      this.scheduleAll()
    } catch {
      // a locked or unreadable journal is tried again on the next tick
    }
  }

  /**
   * Takes the journal's news about jobs this process is not running. For a job it runs: another
   * process asked it to stop, or (after this process hung) took it over.
   */
  private merge(changed: Changed): void {
    const journal = this.options.journal
    const ids = changed === 'all' ? journal.list().map((j) => j.id) : [...changed]
    for (const id of ids) {
      const synced = journal.get(id)
      if (!synced) continue
      const here = this.running.get(id)
      const mine = this.jobs.get(id)
      if (here && mine) {
        if (synced.owner !== this.me) {
          here.intent = 'lost'
          here.controller.abort()
        } else if (synced.stopRequest && !here.intent) {
          mine.stopRequest = synced.stopRequest
          here.intent = synced.stopRequest
          here.controller.abort()
        }
        continue
      }
      const before = mine ? `${mine.status}|${mine.stage}` : ''
      this.jobs.set(id, synced)
      if (before !== `${synced.status}|${synced.stage}` && !synced.parentId) this.emit(synced)
    }
    this.notify()
  }

  /** Unfinished jobs whose runner is gone, which this process may run (see `init`). */
  private async adoptOrphans(): Promise<void> {
    for (const job of this.jobs.values()) {
      if (isTerminal(job.status) || this.wanted.has(job.id) || this.running.has(job.id)) continue
      const ours = !job.origin || job.origin === this.options.origin
      const root = job.parentId ? this.jobs.get(job.parentId) : job
      if (!ours && !job.requestId && !(job.segmentCount && root)) continue
      const holder = holderOf(job)
      if (holder && holder !== this.me && (await this.options.registry.isAlive(holder))) continue
      this.wanted.add(job.id)
    }
  }

  private want(job: Job): void {
    this.wanted.add(job.id)
    for (const child of this.children(job)) this.wanted.add(child.id)
  }

  private children(job: Job): Job[] {
    return [...this.jobs.values()]
      .filter((j) => j.parentId === job.id)
      .sort((a, b) => (a.segmentIndex ?? 0) - (b.segmentIndex ?? 0))
  }

  private settle(job: Job, status: Job['status'], error?: unknown): void {
    settleFields(job, status, error)
    this.emit(job)
  }

  private emit(job: Job, extra: Partial<JobProgress> = {}): void {
    const started = this.started.get(job.id) ?? (job.startedAt ? Date.parse(job.startedAt) : 0)
    this.options.onProgress?.({
      id: job.id,
      ...(job.batchId ? { batchId: job.batchId } : {}),
      status: job.status,
      stage: job.stage,
      ...(job.requestId ? { requestId: job.requestId } : {}),
      elapsedSec: started ? (Date.now() - started) / 1000 : 0,
      ...(job.error ? { error: job.error } : {}),
      ...extra,
    })
  }

  /** Queues every wanted job that can run now: leaves first; a clip job once all its segments are done. */
  private scheduleAll(): void {
    for (const job of this.jobs.values()) {
      if (isTerminal(job.status) || !this.wanted.has(job.id)) continue
      if (this.running.has(job.id) || this.scheduled.has(job.id)) continue
      const holder = holderOf(job)
      if (holder && holder !== this.me && !this.ownerMayBeGone(holder)) continue
      if (job.segmentCount) {
        const kids = this.children(job)
        const failed = kids.find(
          (k) => k.status === 'failed' || k.status === 'cancelled' || k.status === 'abandoned',
        )
        if (failed) {
          this.settle(
            job,
            'failed',
            // The segment's own code, so the clip says what happened (e.g. fal-unclear: Retry).
            new AppError(
              failed.error?.code ?? 'internal',
              `segment ${(failed.segmentIndex ?? 0) + 1} ${failed.status}: ${failed.error?.message ?? ''}`.trim(),
            ),
          )
          void this.options.journal.save([job]).catch(() => undefined)
          this.notify()
          continue
        }
        if (kids.some((k) => k.status !== 'done')) continue
      }
      this.scheduled.add(job.id)
      void this.queue
        .add(() => this.execute(job.id))
        .finally(() => {
          this.scheduled.delete(job.id)
          this.scheduleAll()
        })
    }
  }

  /** Owners checked recently and found alive are skipped until the next tick re-checks them. */
  private readonly liveOwners = new Map<string, number>()
  private ownerMayBeGone(holder: string): boolean {
    const seen = this.liveOwners.get(holder)
    return !seen || Date.now() - seen > (this.options.refreshMs ?? 500)
  }

  /**
   * Claims the job under the journal's lock: nobody else may be running it. Returns the job as the
   * journal has it, now ours, or null when another live process has it or it has finished.
   */
  private async claim(id: string): Promise<Job | null> {
    const known = this.options.journal.get(id)
    const previous = known ? holderOf(known) : undefined
    if (previous && previous !== this.me && (await this.options.registry.isAlive(previous))) {
      this.liveOwners.set(previous, Date.now())
      return null
    }
    return this.options.journal.transact((state) => {
      const cur = state.get(id)
      const holder = cur ? holderOf(cur) : undefined
      if (!cur || isTerminal(cur.status) || (holder && holder !== previous && holder !== this.me))
        return { save: [], result: null }
      const now = new Date().toISOString()
      const next: Job = structuredClone(cur)
      next.owner = this.me
      next.status = 'running'
      next.attempts = (next.attempts ?? 0) + 1
      next.startedAt ??= now
      next.updatedAt = now
      if (previous && previous !== this.me)
        next.logs = [...next.logs, `${now} taken over from a runner that stopped`]
      return { save: [next], result: next }
    })
  }

  /**
   * The money rule at the last moment, under the journal's lock: a request for this exact fal input
   * that another job already sent (and fal did not fail) is shared; one being sent right now by a
   * live process is waited for; otherwise this job is marked as sending it.
   */
  private async reserveSubmit(
    job: Job,
    falKey: string,
  ): Promise<{ requestId: string; submittedAt?: string } | 'submit' | 'wait'> {
    await this.refresh()
    const sending = new Set<string>()
    for (const other of this.options.journal.view()) {
      if (other.id === job.id || other.falKey !== falKey || other.requestId) continue
      if (!other.submitStartedAt || isTerminal(other.status)) continue
      const holder = holderOf(other)
      if (holder === this.me || (holder && (await this.options.registry.isAlive(holder))))
        sending.add(other.id)
    }
    const now = new Date().toISOString()
    type Reserved = { requestId: string; submittedAt?: string } | 'submit' | 'wait'
    return this.options.journal.transact<Reserved>((state) => {
      for (const other of state.values()) {
        if (other.id === job.id || other.falKey !== falKey) continue
        const failedAtFal = other.error?.code === 'fal-failed' || other.error?.code === 'fal-gone'
        if (other.requestId && other.status !== 'cancelled' && !failedAtFal)
          return {
            save: [],
            result: {
              requestId: other.requestId,
              ...(other.submittedAt ? { submittedAt: other.submittedAt } : {}),
            },
          }
        if (sending.has(other.id) && !other.requestId && !isTerminal(other.status))
          return { save: [], result: 'wait' as const }
      }
      job.falKey = falKey
      job.submitStartedAt = now
      // The user's Retry allowed this one send: if it is cut off too, only another Retry sends again.
      delete job.resubmitIfFailed
      return { save: [job], result: 'submit' as const }
    })
  }

  private async execute(id: string): Promise<void> {
    const local = this.jobs.get(id)
    if (!local || isTerminal(local.status)) return
    let done!: () => void
    const handle: Running = {
      controller: new AbortController(),
      done: new Promise<void>((r) => (done = r)),
    }
    this.running.set(id, handle)
    let job: Job | null = null
    try {
      job = await this.claim(id)
    } catch (err) {
      this.running.delete(id)
      done()
      throw err
    }
    if (!job) {
      this.running.delete(id)
      const synced = this.options.journal.get(id)
      if (synced) this.jobs.set(id, synced)
      this.notify()
      done()
      return
    }
    this.jobs.set(id, job)
    this.started.set(id, Date.now())
    this.emit(job)
    await this.runStages(job, handle).finally(() => {
      this.running.delete(id)
      this.notify()
      done()
    })
  }

  private async runStages(job: Job, handle: Running): Promise<void> {
    const { controller } = handle
    const attempts = this.options.stageAttempts ?? 3
    const log = (line: string) => {
      job.logs.push(`${new Date().toISOString()} ${line}`)
      if (job.logs.length > MAX_LOG_LINES) job.logs.splice(0, job.logs.length - MAX_LOG_LINES)
    }
    const persist = () => this.options.journal.save([job])
    try {
      while (job.stage !== 'done') {
        if (controller.signal.aborted) throw new AppError('cancelled', 'Stopped')
        const stage = job.stage
        this.emit(job)
        for (let attempt = 1; ; attempt++) {
          try {
            const ctx = {
              job,
              signal: controller.signal,
              save: persist,
              progress: (p: Omit<JobProgress, 'id' | 'status' | 'stage' | 'elapsedSec'>) =>
                this.emit(job, p),
              log,
              segments: () => this.children(job),
              reserveSubmit: (falKey: string) => this.reserveSubmit(job, falKey),
            }
            let started: Promise<void> | null = null
            try {
              await this.slots[SLOT[stage]].add(
                () =>
                  (started = (async () => {
                    await runStage(this.options.deps, ctx)
                    // Submit and wait share one fal slot, so no other clip slips in between them.
                    if (stage === 'submit' && job.stage === 'wait') {
                      this.emit(job)
                      await runStage(this.options.deps, ctx)
                    }
                  })()),
                { priority: STAGES.indexOf(stage), signal: controller.signal },
              )
            } catch (err) {
              // The slot gives up on an abort at once, but a stage that started finishes its
              // durable step first: above all a submit fal has accepted, whose id must be kept.
              if (started) await (started as Promise<void>).catch(() => undefined)
              throw err
            }
            break
          } catch (err) {
            const code = err instanceof AppError ? err.code : 'internal'
            if (
              controller.signal.aborted ||
              attempt >= attempts ||
              !RETRYABLE.has(code) ||
              !RETRYABLE_STAGES.has(stage)
            )
              throw err
            log(
              `${stage} failed (${err instanceof Error ? err.message : String(err)}); trying again (${attempt + 1}/${attempts})`,
            )
            await sleep((this.options.retryBaseMs ?? 1000) * 2 ** (attempt - 1), controller.signal)
          }
        }
        job.updatedAt = new Date().toISOString()
        await persist()
      }
      this.settle(job, 'done')
      try {
        await persist()
      } catch (err) {
        this.emit(job, { error: toErrorInfo(err) })
        return
      }
      // Only now that the journal says done: a crash before this finds the downloads still there.
      for (const part of job.segmentCount ? this.children(job) : [job])
        if (part.downloadedPath) {
          await fs.rm(part.downloadedPath, { force: true })
          durableStep('removed a downloaded result')
        }
      return
    } catch (err) {
      const intent = handle.intent
      if (intent === 'lost') {
        // Another process took the job over (this one looked dead): its record wins, write nothing.
        const synced = this.options.journal.get(job.id)
        if (synced) this.jobs.set(job.id, synced)
        return
      }
      if (intent === 'abandon') this.settle(job, 'abandoned', abandonedError(job))
      else if (intent === 'cancel')
        await this.settleCancelled(job, Boolean(job.requestId) && job.stage === 'wait')
      else {
        log(`failed: ${err instanceof Error ? err.message : String(err)}`)
        this.settle(job, 'failed', err)
      }
    }
    try {
      await persist()
    } catch (err) {
      this.emit(job, { error: toErrorInfo(err) })
    }
  }
}

/** A job's fields when it ends: nobody holds it any more. */
function settleFields(job: Job, status: Job['status'], error?: unknown): void {
  job.status = status
  job.updatedAt = new Date().toISOString()
  if (status === 'done' || status === 'failed' || status === 'cancelled')
    job.finishedAt = job.updatedAt
  if (error !== undefined) job.error = toErrorInfo(error)
  delete job.owner
  delete job.stopRequest
  if (status === 'done') delete job.resubmitIfFailed
}

/** The process holding a job: its runner, or the process that queued it until someone claims it. */
export function holderOf(job: Pick<Job, 'owner' | 'createdBy' | 'status'>): string | undefined {
  return job.owner ?? (job.status === 'queued' ? job.createdBy : undefined)
}

/** What an abandoned job says: fal keeps working on it, and retry collects the result. */
function abandonedError(job: Job): AppError {
  return new AppError(
    'abandoned',
    job.requestId
      ? `Stopped waiting for request ${job.requestId}, which fal cannot stop once it runs; retry collects its result without paying again.`
      : 'Stopped before it was sent to fal: nothing is billed.',
  )
}
