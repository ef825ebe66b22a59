import fs from 'node:fs/promises'
import path from 'node:path'
import type { FalClient } from '@fal-ai/client'
import { AppError } from '../../shared/errors'
import type { Job, JobProgress } from '../../shared/jobs'
import { downloadTo } from '../fal/download'
import { cancelRequest, fetchResult, submit, waitForCompletion } from '../fal/queue'
import { uploadPrepared } from '../fal/upload'
import type { UploadCache } from '../fal/upload-cache'
import { fileIdentity } from '../media/identity'
import type { MediaService } from '../media/media-service'
import { resolveRange, targetFrameRate } from '../media/prepare-plan'
import { freeOutputName } from '../render/naming'

export interface ExecutorDeps {
  media: MediaService
  /** Built on first use, so a missing key fails at upload, after everything local. */
  fal: () => FalClient
  uploads: UploadCache
  /** Prepared clips, downloads: the app's data folder, or a batch's `.reanimate` folder. */
  workDir: string
  appVersion: string
  pollMs?: number
}

export interface StageContext {
  /** The job being run; stages write their results into it. */
  job: Job
  signal: AbortSignal
  /** Persists the journal now (after a submit, before anything else). */
  save: () => Promise<void>
  progress: (p: Omit<JobProgress, 'id' | 'status' | 'stage' | 'elapsedSec'>) => void
  log: (line: string) => void
  /** A parent's segment jobs, in order. */
  segments: () => Job[]
}

/** Bumped when prepare's output for the same inputs changes, so old prepared files are not reused. */
const PREPARE_VERSION = 1

const preparing = new Map<string, Promise<void>>()

export const preparedDir = (workDir: string) => path.join(workDir, 'prepared')
export const downloadsDir = (workDir: string) => path.join(workDir, 'downloads')

/**
 * Runs the job's next stage and advances `job.stage`. Each stage is safe to run again after a crash:
 * prepare and download start over (partial files are never under the real name), submit is skipped
 * once a request id exists, and wait re-attaches by request id.
 */
export async function runStage(deps: ExecutorDeps, ctx: StageContext): Promise<void> {
  const { job } = ctx
  switch (job.stage) {
    case 'prepare':
      return prepare(deps, ctx)
    case 'upload': {
      if (!job.preparedPath) throw new AppError('internal', 'upload before prepare')
      const up = await uploadPrepared(deps.fal(), deps.uploads, job.preparedPath, {
        signal: ctx.signal,
      })
      job.uploadUrl = up.url
      job.uploadHash = up.hash
      job.uploadCached = up.cached
      ctx.log(up.cached ? 'upload skipped: the same clip is already on fal' : 'uploaded')
      job.stage = 'submit'
      return
    }
    case 'submit': {
      if (!job.requestId) {
        if (!job.uploadUrl) throw new AppError('internal', 'submit before upload')
        job.requestId = await submit(
          deps.fal(),
          job.spec.endpoint,
          { ...job.spec.params, video_url: job.uploadUrl },
          ctx.signal,
        )
        job.submittedAt = new Date().toISOString()
        ctx.log(`submitted as request ${job.requestId}`)
        // From here on this render is paid work: the id is on disk before anything else happens.
        await ctx.save()
      }
      job.stage = 'wait'
      return
    }
    case 'wait': {
      const requestId = job.requestId
      if (!requestId) throw new AppError('internal', 'wait without a request id')
      await waitForCompletion(deps.fal(), job.spec.endpoint, requestId, {
        signal: ctx.signal,
        pollMs: deps.pollMs ?? 1000,
        onUpdate: (u) => {
          if (u.state === 'queued') ctx.progress({ queuePosition: u.position, requestId })
          else {
            for (const l of u.logs) ctx.log(`fal: ${l.message}`)
            ctx.progress({ requestId, newLogs: u.logs.map((l) => l.message) })
          }
        },
      })
      job.stage = 'download'
      return
    }
    case 'download':
      return download(deps, ctx)
    case 'finish':
      return finish(deps, ctx)
    case 'done':
      return
  }
}

async function prepare(deps: ExecutorDeps, ctx: StageContext): Promise<void> {
  const { job } = ctx
  const { spec } = job
  const identity = await fileIdentity(spec.source).catch(() => {
    throw new AppError('not-found', `${path.basename(spec.source)}: the source file is gone`, {
      file: spec.source,
    })
  })
  if (job.sourceIdentity && job.sourceIdentity !== identity) {
    throw new AppError(
      'invalid-input',
      `${path.basename(spec.source)} changed since it was queued; queue it again`,
      { file: spec.source },
    )
  }
  job.sourceIdentity = identity
  const probe = await deps.media.probe(spec.source, ctx.signal)
  const range = resolveRange(spec.range, probe.durationSec, spec.source)
  const id = await fileIdentity(
    spec.source,
    'prepared',
    PREPARE_VERSION,
    range.startSec,
    range.endSec,
    spec.maxSide,
  )
  const file = path.join(preparedDir(deps.workDir), `${id}.mp4`)
  const exists = await fs
    .access(file)
    .then(() => true)
    .catch(() => false)
  if (!exists) {
    // Two jobs on the same clip and range (two prompts) share one prepare instead of racing.
    let pending = preparing.get(file)
    if (!pending) {
      pending = (async () => {
        await fs.mkdir(preparedDir(deps.workDir), { recursive: true })
        await deps.media.prepare(spec.source, range, { maxSide: spec.maxSide }, file, {
          signal: ctx.signal,
          onProgress: (p) => ctx.progress({ fraction: p.fraction, etaSec: p.etaSec }),
        })
      })().finally(() => preparing.delete(file))
      preparing.set(file, pending)
    }
    await pending
  }
  job.preparedPath = file
  job.stage = 'upload'
}

async function download(deps: ExecutorDeps, ctx: StageContext): Promise<void> {
  const { job } = ctx
  const requestId = job.requestId
  if (!requestId) throw new AppError('internal', 'download without a request id')
  const output = await fetchResult(deps.fal(), job.spec.endpoint, requestId)
  job.resultUrl = output.video.url
  job.seed = output.seed
  const target = path.join(downloadsDir(deps.workDir), `${job.id}.mp4`)
  await fs.mkdir(path.dirname(target), { recursive: true })
  await downloadTo(output.video.url, target, { signal: ctx.signal, requestId })
  try {
    const result = await deps.media.probe(target, ctx.signal)
    job.resultDurationSec = result.durationSec
  } catch (err) {
    await fs.rm(target, { force: true })
    throw new AppError(
      'fal-bad-output',
      `fal's result for request ${requestId} is not a playable video`,
      { cause: err },
    )
  }
  job.downloadedPath = target
  job.stage = 'finish'
}

/** Parameters embedded in the result and written to its sidecar. */
function metadataFor(
  deps: ExecutorDeps,
  job: Job,
  parts: Job[],
  range: { startSec: number; endSec: number },
) {
  const { params } = job.spec
  return {
    app: `Reanimate ${deps.appVersion}`,
    ...(job.spec.key ? { params_key: job.spec.key } : {}),
    endpoint: job.spec.endpoint,
    request_id: parts.length === 1 ? parts[0]?.requestId : parts.map((p) => p.requestId),
    source: path.basename(job.spec.source),
    range: { start: range.startSec, end: range.endSec },
    prompt: params.prompt,
    negative_prompt: params.negative_prompt,
    loras: params.loras,
    num_inference_steps: params.num_inference_steps,
    guidance_scale: params.guidance_scale,
    seed:
      parts.length === 1
        ? (parts[0]?.seed ?? params.seed ?? null)
        : parts.map((p) => p.seed ?? null),
    select_every_nth_frame: params.select_every_nth_frame,
    ...(params.base_model ? { base_model: params.base_model } : {}),
    ...(parts.length > 1
      ? {
          segments: parts.map((p) => ({
            range: p.spec.range,
            prompt: p.spec.params.prompt,
            request_id: p.requestId,
            seed: p.seed,
          })),
        }
      : {}),
    created: new Date().toISOString(),
  }
}

async function finish(deps: ExecutorDeps, ctx: StageContext): Promise<void> {
  const { job } = ctx
  // A segment's result is finished by its clip job, together with the other segments.
  if (job.parentId) {
    job.stage = 'done'
    return
  }
  const parts = job.segmentCount ? ctx.segments() : [job]
  const missing = parts.find((p) => !p.downloadedPath)
  if (missing)
    throw new AppError('internal', `segment ${missing.segmentIndex ?? 0} has no result to finish`)
  const probe = await deps.media.probe(job.spec.source, ctx.signal)
  const range = resolveRange(job.spec.range, probe.durationSec, job.spec.source)
  // Never write over a file that appeared since the job was queued.
  const exists = async (p: string) =>
    fs
      .access(p)
      .then(() => true)
      .catch(() => false)
  let output = job.spec.output
  if (await exists(output)) {
    const dir = path.dirname(output)
    const stem = path.basename(output, '.mp4').replace(/\.reanimate( \(\d+\))?$/, '')
    const taken = new Set<string>()
    for (const f of await fs.readdir(dir)) taken.add(path.join(dir, f))
    output = freeOutputName(dir, stem, '.mp4', (c) => taken.has(c))
    ctx.log(`${path.basename(job.spec.output)} exists; writing ${path.basename(output)} instead`)
  }
  await fs.mkdir(path.dirname(output), { recursive: true })
  await deps.media.finish(
    {
      segments: parts.map((p) => ({
        file: p.downloadedPath as string,
        durationSec: p.resultDurationSec ?? 0,
      })),
      source: { path: job.spec.source, hasAudio: probe.audio.length > 0 },
      range,
      crossfadeSec: job.spec.crossfadeSec ?? 0,
      fps:
        job.spec.fps === 'source'
          ? { mode: 'source', rational: targetFrameRate(probe).rational }
          : { mode: 'result' },
      metadata: metadataFor(deps, job, parts, range),
      title: `${path.basename(job.spec.source)} — ${job.spec.params.prompt.slice(0, 80)}`,
      output,
    },
    { signal: ctx.signal, onProgress: (p) => ctx.progress({ fraction: p.fraction }) },
  )
  job.spec = { ...job.spec, output }
  for (const p of parts) {
    if (p.downloadedPath) await fs.rm(p.downloadedPath, { force: true })
  }
  job.stage = 'done'
}

/**
 * Cancels at fal if the request is still queued there. Returns true when fal dropped it (it will
 * never run); false when it had started (fal cannot stop it) or the answer was unclear.
 */
export async function cancelIfQueued(deps: ExecutorDeps, job: Job): Promise<boolean> {
  if (!job.requestId) return true
  try {
    const fal = deps.fal()
    await cancelRequest(fal, job.spec.endpoint, job.requestId)
    const status = (await fal.queue.status(job.spec.endpoint, {
      requestId: job.requestId,
      logs: false,
    })) as {
      status: string
      error_type?: string
    }
    // COMPLETED without a cancellation mark means it ran to the end: keep it, it can be collected.
    return status.status === 'COMPLETED' && status.error_type === 'client_cancelled'
  } catch {
    return false
  }
}
