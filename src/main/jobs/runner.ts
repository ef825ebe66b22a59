import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import PQueue from 'p-queue'
import { AppError, toErrorInfo } from '../../shared/errors'
import {
  isTerminal,
  STAGES,
  type Job,
  type JobProgress,
  type JobSpec,
  type Stage,
} from '../../shared/jobs'
import { cancelIfQueued, downloadsDir, preparedDir, runStage, type ExecutorDeps } from './executor'
import type { Journal, LoadResult } from './journal'

export interface RunnerOptions {
  journal: Journal
  deps: ExecutorDeps
  concurrency: number
  onProgress?: (p: JobProgress) => void
  /** ffmpeg stages (prepare, finish) at once; default 2. */
  localConcurrency?: number
  /** Attempts per stage for failures that may pass (network, fal busy); default 3. */
  stageAttempts?: number
  retryBaseMs?: number
}

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
const MAX_LOG_LINES = 200

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
    if (m && !isAlive(Number(m[1]))) {
      await fs.rm(path.join(dir, name), { force: true })
      removed++
    }
  }
  return removed
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Runs jobs with a concurrency limit, writing the journal after every change. On start it picks up
 * where a crashed or closed app left off: jobs with a request id are re-attached (never submitted
 * again), jobs that were preparing or downloading start that stage over.
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
  private readonly controllers = new Map<
    string,
    { controller: AbortController; intent?: 'cancel' | 'abandon' }
  >()
  private readonly started = new Map<string, number>()

  constructor(private readonly options: RunnerOptions) {
    const fal = Math.max(1, options.concurrency)
    // Enough jobs in flight that local work for the next clips overlaps the current ones at fal.
    this.queue = new PQueue({ concurrency: fal + (options.localConcurrency ?? 2) + 1 })
    this.slots = {
      fal: new PQueue({ concurrency: fal }),
      cpu: new PQueue({ concurrency: options.localConcurrency ?? 2 }),
      transfer: new PQueue({ concurrency: 3 }),
    }
  }

  /**
   * Loads the journal. With `resume` (the app, a batch) every unfinished job is queued again; without
   * it (a single `run`) loaded jobs wait until `start(id)` or `retry(id)` names them.
   */
  async init(options: { resume: boolean } = { resume: true }): Promise<LoadResult> {
    const loaded = await this.options.journal.load()
    if (!options.resume) this.allowed = new Set()
    for (const job of loaded.jobs) {
      if (job.status === 'running') job.status = 'queued'
      this.jobs.set(job.id, job)
    }
    const { workDir } = this.options.deps
    await Promise.all([sweepPartials(preparedDir(workDir)), sweepPartials(downloadsDir(workDir))])
    for (const job of this.jobs.values())
      if (job.spec.output) await sweepPartials(path.dirname(job.spec.output))
    if (loaded.from !== 'journal' || loaded.jobs.length) await this.save()
    this.scheduleAll()
    return loaded
  }

  list(): Job[] {
    return [...this.jobs.values()].map((j) => structuredClone(j))
  }

  get(id: string): Job | undefined {
    const job = this.jobs.get(id)
    return job ? structuredClone(job) : undefined
  }

  /** Adds one clip job, or a clip job and one job per segment when `segments` has more than one. */
  async add(spec: JobSpec, extra: { batchId?: string; segments?: JobSpec[] } = {}): Promise<Job> {
    const now = new Date().toISOString()
    const base = {
      logs: [],
      attempts: 0,
      createdAt: now,
      updatedAt: now,
      status: 'queued' as const,
    }
    const parent: Job = {
      id: crypto.randomUUID(),
      spec,
      stage: 'prepare',
      ...base,
      ...(extra.batchId ? { batchId: extra.batchId } : {}),
    }
    const segments = extra.segments && extra.segments.length > 1 ? extra.segments : null
    if (segments) {
      parent.stage = 'finish'
      parent.segmentCount = segments.length
      segments.forEach((s, i) => {
        const child: Job = {
          id: crypto.randomUUID(),
          parentId: parent.id,
          segmentIndex: i,
          spec: s,
          stage: 'prepare',
          ...base,
        }
        if (extra.batchId) child.batchId = extra.batchId
        this.jobs.set(child.id, child)
      })
    }
    this.jobs.set(parent.id, parent)
    this.allow(parent)
    await this.save()
    this.scheduleAll()
    return structuredClone(parent)
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
   * already running at fal cannot be stopped, so it is abandoned with its request id kept.
   */
  async cancel(id: string): Promise<Job | undefined> {
    const job = this.jobs.get(id)
    if (!job || isTerminal(job.status)) return this.get(id)
    for (const child of this.children(job)) await this.cancel(child.id)
    const running = this.controllers.get(id)
    if (running) {
      running.intent = 'cancel'
      running.controller.abort()
      return this.get(id)
    }
    await this.settleCancelled(job, Boolean(job.requestId))
    await this.save()
    return this.get(id)
  }

  /**
   * A cancelled job that may be at fal: cancelled there if still queued (never billed), else
   * abandoned with its request id kept, because fal cannot stop a running request.
   */
  private async settleCancelled(job: Job, atFal: boolean): Promise<void> {
    if (atFal && !(await cancelIfQueued(this.options.deps, job))) {
      this.settle(
        job,
        'abandoned',
        new AppError(
          'cancelled',
          `Request ${job.requestId} was already running at fal and cannot be stopped; retry collects it.`,
        ),
      )
    } else {
      this.settle(job, 'cancelled')
    }
  }

  /** Stops waiting for a job at fal but keeps its request id, so retry collects the result. */
  async abandon(id: string): Promise<Job | undefined> {
    const job = this.jobs.get(id)
    if (!job || isTerminal(job.status)) return this.get(id)
    const running = this.controllers.get(id)
    if (running) {
      running.intent = 'abandon'
      running.controller.abort()
    } else {
      this.settle(job, 'abandoned')
      await this.save()
    }
    return this.get(id)
  }

  /** Failed, cancelled or abandoned → queued again, from the stage it stopped at. */
  async retry(id: string): Promise<Job | undefined> {
    const job = this.jobs.get(id)
    if (!job || !isTerminal(job.status) || job.status === 'done') return this.get(id)
    for (const child of this.children(job)) if (child.status !== 'done') await this.retry(child.id)
    // A cancelled request is gone at fal: start from the submit again.
    if (job.status === 'cancelled' && job.requestId) {
      delete job.requestId
      if (['wait', 'download'].includes(job.stage)) job.stage = 'submit'
    }
    job.status = 'queued'
    delete job.error
    job.attempts = 0
    this.allow(job)
    await this.save()
    this.scheduleAll()
    return this.get(id)
  }

  /** Resolves when nothing is queued or running. */
  async whenIdle(): Promise<void> {
    await this.queue.onIdle()
  }

  private children(job: Job): Job[] {
    return [...this.jobs.values()]
      .filter((j) => j.parentId === job.id)
      .sort((a, b) => (a.segmentIndex ?? 0) - (b.segmentIndex ?? 0))
  }

  private save(): Promise<void> {
    return this.options.journal.save([...this.jobs.values()])
  }

  private settle(job: Job, status: Job['status'], error?: unknown): void {
    job.status = status
    job.updatedAt = new Date().toISOString()
    if (status === 'done' || status === 'failed' || status === 'cancelled')
      job.finishedAt = job.updatedAt
    if (error !== undefined) job.error = toErrorInfo(error)
    this.emit(job)
  }

  private emit(job: Job, extra: Partial<JobProgress> = {}): void {
    const started = this.started.get(job.id)
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

  /** Queues every job that can run now: leaves first; a clip job once all its segments are done. */
  private scheduleAll(): void {
    for (const job of this.jobs.values()) {
      if (job.status !== 'queued' || this.controllers.has(job.id) || this.scheduled.has(job.id))
        continue
      if (this.allowed && !this.allowed.has(job.id)) continue
      if (job.segmentCount) {
        const kids = this.children(job)
        const failed = kids.find(
          (k) => k.status === 'failed' || k.status === 'cancelled' || k.status === 'abandoned',
        )
        if (failed) {
          this.settle(
            job,
            'failed',
            new AppError(
              'internal',
              `segment ${(failed.segmentIndex ?? 0) + 1} ${failed.status}: ${failed.error?.message ?? ''}`.trim(),
            ),
          )
          void this.save()
          continue
        }
        if (kids.some((k) => k.status !== 'done')) continue
      }
      this.scheduled.add(job.id)
      void this.queue
        .add(() => this.execute(job))
        .finally(() => {
          this.scheduled.delete(job.id)
          this.scheduleAll()
        })
    }
  }

  private readonly scheduled = new Set<string>()
  /** When set, only these jobs (and their segments) may be scheduled. */
  private allowed: Set<string> | null = null

  private allow(job: Job): void {
    this.allowed?.add(job.id)
    for (const child of this.children(job)) this.allowed?.add(child.id)
  }

  /** Lets a loaded job run (after `init({resume: false})`). */
  start(id: string): void {
    const job = this.jobs.get(id)
    if (!job) return
    this.allow(job)
    this.scheduleAll()
  }

  private async execute(job: Job): Promise<void> {
    if (job.status !== 'queued') return
    const controller = new AbortController()
    const handle: { controller: AbortController; intent?: 'cancel' | 'abandon' } = { controller }
    this.controllers.set(job.id, handle)
    this.started.set(job.id, Date.now())
    job.status = 'running'
    job.attempts++
    job.startedAt ??= new Date().toISOString()
    await this.save()
    this.emit(job)
    const attempts = this.options.stageAttempts ?? 3
    const log = (line: string) => {
      job.logs.push(`${new Date().toISOString()} ${line}`)
      if (job.logs.length > MAX_LOG_LINES) job.logs.splice(0, job.logs.length - MAX_LOG_LINES)
    }
    try {
      while (job.stage !== 'done') {
        const stage = job.stage
        this.emit(job)
        for (let attempt = 1; ; attempt++) {
          try {
            const ctx = {
              job,
              signal: controller.signal,
              save: () => this.save(),
              progress: (p: Omit<JobProgress, 'id' | 'status' | 'stage' | 'elapsedSec'>) =>
                this.emit(job, p),
              log,
              segments: () => this.children(job),
            }
            await this.slots[SLOT[stage]].add(
              async () => {
                await runStage(this.options.deps, ctx)
                // Submit and wait share one fal slot, so no other clip slips in between them.
                if (stage === 'submit' && job.stage === 'wait') {
                  this.emit(job)
                  await runStage(this.options.deps, ctx)
                }
              },
              { priority: STAGES.indexOf(stage), signal: controller.signal },
            )
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
        await this.save()
      }
      this.settle(job, 'done')
    } catch (err) {
      const intent = handle.intent
      if (intent === 'abandon') {
        this.settle(
          job,
          'abandoned',
          new AppError(
            'cancelled',
            `Stopped waiting${job.requestId ? ` for request ${job.requestId}` : ''}; retry collects the result.`,
          ),
        )
      } else if (intent === 'cancel') {
        await this.settleCancelled(job, Boolean(job.requestId) && job.stage === 'wait')
      } else {
        log(`failed: ${err instanceof Error ? err.message : String(err)}`)
        this.settle(job, 'failed', err)
      }
    } finally {
      this.controllers.delete(job.id)
      await this.save()
    }
  }
}
