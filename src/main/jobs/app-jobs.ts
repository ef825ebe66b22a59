import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { FalClient } from '@fal-ai/client'
import type { BatchFinished, BatchStarted } from '../../shared/contract'
import { parseRenderParams, type EndpointId } from '../../shared/endpoints'
import { AppError } from '../../shared/errors'
import type { Job, JobProgress, JobSpec } from '../../shared/jobs'
import { isTerminal } from '../../shared/jobs'
import type { FileAccess } from '../access/file-access'
import type { UploadCache } from '../fal/upload-cache'
import { fileIdentity } from '../media/identity'
import type { MediaService } from '../media/media-service'
import { defaultOutputFor } from '../render/naming'
import { planBatch, writeSummary, type SummaryRow } from './batch'
import { Journal } from './journal'
import { JobRunner } from './runner'
import { specKey } from './spec-key'

export interface AppJobsOptions {
  dataDir: string
  media: MediaService
  uploads: UploadCache
  access: FileAccess
  appVersion: string
  /** A fal client for the current key and proxy; throws `key-missing` when there is neither. */
  fal: () => FalClient
  /** Fails fast, before anything is queued, when rendering cannot work (no key). */
  ensureConnection: () => Promise<void>
  concurrency: () => number
  maxSide: () => number | 'original'
  onProgress: (p: JobProgress) => void
  onBatchFinished: (b: BatchFinished) => void
  pollMs?: number
}

function validParams(endpoint: EndpointId, raw: unknown, field = 'params') {
  const parsed = parseRenderParams(endpoint, raw)
  if (!parsed.ok) {
    const first = parsed.issues[0]
    throw new AppError('invalid-params', first?.message ?? 'invalid parameters', {
      field: `${field}.${first?.field ?? ''}`,
    })
  }
  return parsed.params
}

/** The app's render queue: one journal in the data folder, resumed when the app starts. */
export class AppJobs {
  readonly runner: JobRunner
  private readonly batches = new Map<
    string,
    { outDir: string; dir: string; ids: Map<string, string>; rows: SummaryRow[] }
  >()

  constructor(private readonly o: AppJobsOptions) {
    this.runner = new JobRunner({
      journal: new Journal(o.dataDir),
      deps: {
        media: o.media,
        fal: o.fal,
        uploads: o.uploads,
        workDir: path.join(o.dataDir, 'work'),
        appVersion: o.appVersion,
        ...(o.pollMs ? { pollMs: o.pollMs } : {}),
      },
      concurrency: o.concurrency(),
      onProgress: (p) => {
        // Finished outputs become playable in the window.
        if (p.status === 'done') {
          const job = this.runner.get(p.id)
          if (job && !job.parentId) o.access.grant(job.spec.output)
        }
        o.onProgress(p)
        if (p.batchId && isTerminal(p.status)) this.checkBatch(p.batchId)
      },
    })
  }

  private initialised: Promise<unknown> | null = null
  init(): Promise<unknown> {
    this.initialised ??= this.runner.init({ resume: true }).then(() => {
      for (const j of this.runner.list())
        if (j.status === 'done' && !j.parentId) this.o.access.grant(j.spec.output)
    })
    return this.initialised
  }

  async start(req: {
    path: string
    range: { startSec: number; endSec?: number }
    endpoint: EndpointId
    params: unknown
    segments?: { startSec: number; endSec: number; params: unknown }[]
  }): Promise<Job> {
    await this.init()
    const params = validParams(req.endpoint, req.params)
    await this.o.ensureConnection()
    const output = defaultOutputFor(
      req.path,
      (p) =>
        fs.existsSync(p) ||
        this.runner.list().some((j) => j.spec.output === p && !isTerminal(j.status)),
    )
    const base: Omit<JobSpec, 'output' | 'key'> = {
      source: req.path,
      range: req.range,
      endpoint: req.endpoint,
      params,
      maxSide: this.o.maxSide(),
      fps: 'result',
    }
    const spec: JobSpec = { ...base, output, key: specKey(base, await fileIdentity(req.path)) }
    const segments = req.segments?.map((s, i) => ({
      ...base,
      range: { startSec: s.startSec, endSec: s.endSec },
      params: validParams(req.endpoint, s.params, `segments.${i}.params`),
      output: `${output}.segment-${i}`,
    }))
    return this.runner.add(spec, segments && segments.length > 1 ? { segments } : {})
  }

  async startBatch(req: {
    dir: string
    outDir: string
    recursive: boolean
    endpoint: EndpointId
    params: unknown
  }): Promise<BatchStarted> {
    await this.init()
    const params = validParams(req.endpoint, req.params)
    await this.o.ensureConnection()
    const plan = await planBatch(
      {
        dir: req.dir,
        outDir: req.outDir,
        recursive: req.recursive,
        preset: { endpoint: req.endpoint, params, fps: 'result', nameTemplate: '{stem}.reanimate' },
        maxSide: this.o.maxSide(),
      },
      this.o.media,
      this.runner.list(),
    )
    const batchId = crypto.randomUUID()
    const rel = (p: string) => path.relative(req.dir, p)
    const state = {
      outDir: req.outDir,
      dir: req.dir,
      ids: new Map<string, string>(),
      rows: [] as SummaryRow[],
    }
    for (const e of plan) {
      if (e.kind === 'skip')
        state.rows.push({ source: rel(e.source), status: 'skipped', error: e.reason })
      if (e.kind === 'invalid')
        state.rows.push({ source: rel(e.source), status: 'failed', error: e.error.message })
    }
    this.batches.set(batchId, state)
    const renders = plan.filter((e) => e.kind === 'render')
    for (const e of renders) {
      const job = await this.runner.add(e.spec, { batchId })
      state.ids.set(e.source, job.id)
    }
    if (renders.length === 0) this.checkBatch(batchId)
    return {
      batchId,
      total: renders.length,
      skipped: plan.filter((e) => e.kind === 'skip').length,
      unreadable: plan.filter((e) => e.kind === 'invalid').length,
    }
  }

  private checkBatch(batchId: string): void {
    const state = this.batches.get(batchId)
    if (!state) return
    const jobs = [...state.ids.values()].map((id) => this.runner.get(id))
    if (jobs.some((j) => j && !isTerminal(j.status))) return
    this.batches.delete(batchId)
    const rows = [...state.rows]
    for (const [source, id] of state.ids) {
      const job = this.runner.get(id)
      rows.push({
        source: path.relative(state.dir, source),
        status: job?.status === 'done' ? 'succeeded' : 'failed',
        ...(job?.status === 'done'
          ? { output: path.relative(state.outDir, job.spec.output) }
          : { error: job?.error?.message ?? `ended as ${job?.status}` }),
        ...(job?.requestId ? { requestId: job.requestId } : {}),
      })
    }
    const count = (s: SummaryRow['status']) => rows.filter((r) => r.status === s).length
    void writeSummary(state.outDir, {
      dir: state.dir,
      outDir: state.outDir,
      finishedAt: new Date().toISOString(),
      rows,
    }).then(({ json }) =>
      this.o.onBatchFinished({
        batchId,
        outDir: state.outDir,
        succeeded: count('succeeded'),
        failed: count('failed'),
        skipped: count('skipped'),
        summary: json,
      }),
    )
  }
}
