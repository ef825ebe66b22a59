import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import type { FalClient } from '@fal-ai/client'
import { AppError } from '../../shared/errors'
import { SEND_CUT_OFF_MESSAGE, type Job, type JobProgress } from '../../shared/jobs'
import { downloadTo } from '../fal/download'
import { mapFalError } from '../fal/errors'
import { cancelRequest, fetchResult, submit, waitForCompletion } from '../fal/queue'
import { uploadPrepared } from '../fal/upload'
import type { UploadCache } from '../fal/upload-cache'
import { fileIdentity } from '../media/identity'
import type { MediaService } from '../media/media-service'
import { plannedFrames, resolveRange, targetFrameRate } from '../media/prepare-plan'
import { resultFrames } from '../../shared/frames'
import { writtenShortfall, type WrittenVideo } from '../media/written-check'
import { numberedName } from '../render/naming'
import { isResultOf } from '../render/result-owner'
import { ensureRoomFor } from '../render/output-check'
import { makeFolder } from '../storage/make-folder'
import { isLocalLora } from '../../shared/endpoints'

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
  /**
   * Under the journal's lock: another job's request for exactly this fal input to share, 'wait'
   * while another live job is sending it, or 'submit' (this job is now marked as sending it).
   */
  reserveSubmit: (
    falKey: string,
  ) => Promise<{ requestId: string; submittedAt?: string } | 'submit' | 'wait'>
}

/** Bumped when prepare's output for the same inputs changes, so old prepared files are not reused. */
const PREPARE_VERSION = 2

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
      const prepared = await fs.stat(job.preparedPath).catch(() => null)
      if (!prepared) {
        // Removed since (a cleaned cache, a crash): the earliest stage that rebuilds it.
        ctx.log('the prepared clip is gone; preparing it again')
        job.stage = 'prepare'
        return
      }
      // A full disk is found now, before anything is sent or paid for.
      await ensureRoomFor(path.dirname(job.spec.output), prepared.size)
      const up = await uploadPrepared(deps.fal(), deps.uploads, job.preparedPath, {
        signal: ctx.signal,
      })
      job.uploadUrl = up.url
      job.uploadHash = up.hash
      job.uploadCached = up.cached
      ctx.log(up.cached ? 'upload skipped: the same clip is already on fal' : 'uploaded')
      await uploadLocalLoras(deps, ctx)
      job.stage = 'submit'
      return
    }
    case 'submit': {
      if (!job.requestId) await submitOnce(deps, ctx)
      job.stage = 'wait'
      return
    }
    case 'wait': {
      const requestId = job.requestId
      if (!requestId) throw new AppError('internal', 'wait without a request id')
      try {
        const end = await waitForCompletion(deps.fal(), job.spec.endpoint, requestId, {
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
        if (end.failure) {
          const detail = `${end.failure.type}${end.failure.message ? `: ${end.failure.message}` : ''}`
          return falEnded(
            ctx,
            new AppError(
              'fal-failed',
              `fal could not render it (request ${requestId}, ${detail}). Retry submits the render again.`,
            ),
          )
        }
      } catch (err) {
        if (err instanceof AppError && err.code === 'fal-gone') return falEnded(ctx, err)
        throw err
      }
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

/** What fal is asked, as a hash: the same key is the same request, and is paid for once. */
export function falKeyOf(job: Job, input: Record<string, unknown>): string {
  const loras = job.spec.params.loras.map((l) => ({
    scale: l.scale,
    // Local LoRAs by content: their URL changes when an upload expires, their bytes do not.
    weights: isLocalLora(l.path) ? `sha256:${job.loraHashes?.[l.path] ?? l.path}` : l.path,
  }))
  const sorted = Object.fromEntries(
    Object.entries({
      ...input,
      loras,
      video_url: `sha256:${job.uploadHash ?? input.video_url}`,
    }).sort(([a], [b]) => a.localeCompare(b)),
  )
  return (
    crypto
      .createHash('sha256')
      // A new take ("Render again", --again) is its own request, never another's.
      .update(JSON.stringify([job.spec.endpoint, sorted, job.again ? job.id : null]))
      .digest('hex')
      .slice(0, 32)
  )
}

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new AppError('cancelled', 'Stopped'))
    const t = setTimeout(resolve, ms)
    signal.addEventListener(
      'abort',
      () => (clearTimeout(t), reject(new AppError('cancelled', 'Stopped'))),
      { once: true },
    )
  })

/**
 * Sends the render to fal, once. The same fal input already sent by another job (a touched or
 * copied clip, an option that changes nothing at fal) shares that request instead of paying again.
 * The send is marked in the journal first and is never aborted halfway: a crash or Ctrl-C during
 * it leaves a job that knows fal may have the request, which only an explicit retry sends again.
 */
async function submitOnce(deps: ExecutorDeps, ctx: StageContext): Promise<void> {
  const { job } = ctx
  if (!job.uploadUrl) throw new AppError('internal', 'submit before upload')
  const loras = job.spec.params.loras.map((l) =>
    isLocalLora(l.path) ? { ...l, path: job.loraUrls?.[l.path] ?? l.path } : l,
  )
  const input = { ...job.spec.params, loras, video_url: job.uploadUrl }
  if (job.submitStartedAt && !job.resubmitIfFailed)
    throw new AppError('fal-unclear', SEND_CUT_OFF_MESSAGE)
  job.falKey = falKeyOf(job, input)
  for (;;) {
    // Stopped while waiting for its turn at fal: nothing is sent (once reserved, the send goes out).
    if (ctx.signal.aborted) throw new AppError('cancelled', 'Stopped')
    const reserved = await ctx.reserveSubmit(job.falKey)
    if (reserved === 'wait') {
      await pause(500, ctx.signal)
      continue
    }
    if (reserved !== 'submit') {
      job.requestId = reserved.requestId
      if (reserved.submittedAt) job.submittedAt = reserved.submittedAt
      job.sharedRequest = true
      delete job.resubmitIfFailed
      ctx.log(
        `fal already has this exact render as request ${job.requestId}: sharing it, not paying again`,
      )
      await ctx.save()
      return
    }
    break
  }
  try {
    // No abort signal: a request fal accepted must never be dropped unread.
    job.requestId = await submit(deps.fal(), job.spec.endpoint, input)
  } catch (err) {
    // An answer from fal means it created nothing: safe to send again. A lost connection does not.
    if (!(err instanceof AppError && err.code === 'network')) delete job.submitStartedAt
    throw err
  }
  job.submittedAt = new Date().toISOString()
  delete job.resubmitIfFailed
  delete job.sharedRequest
  ctx.log(`submitted as request ${job.requestId}`)
  // From here on this render is paid work: the id is on disk before anything else happens.
  job.stage = 'wait'
  await ctx.save()
}

/**
 * fal ended the request without a result (its runner failed, or it no longer knows the request).
 * After an explicit retry that is the user's go-ahead to submit again; on a resume it is not, so the
 * job fails with a message saying that Retry submits again.
 */
function falEnded(ctx: StageContext, err: AppError): void {
  const { job } = ctx
  if (!job.resubmitIfFailed || !job.requestId) throw err
  ctx.log(
    `${err.message.replace(/ Retry submits the render again\.$/, '')}; submitting again, as Retry asked`,
  )
  job.previousRequestIds = [...(job.previousRequestIds ?? []), job.requestId]
  delete job.requestId
  delete job.submittedAt
  delete job.submitStartedAt
  delete job.sharedRequest
  delete job.resultUrl
  delete job.seed
  job.stage = 'submit'
}

/** Local `.safetensors` LoRAs go up through the same content-hash cache as clips. */
async function uploadLocalLoras(deps: ExecutorDeps, ctx: StageContext): Promise<void> {
  const { job } = ctx
  for (const lora of job.spec.params.loras) {
    if (!isLocalLora(lora.path)) continue
    const up = await uploadPrepared(deps.fal(), deps.uploads, lora.path, {
      signal: ctx.signal,
      contentType: 'application/octet-stream',
    }).catch((err: unknown) => {
      if (err instanceof AppError && err.code !== 'internal') throw err
      throw new AppError('not-found', `LoRA ${path.basename(lora.path)} could not be read`, {
        file: lora.path,
        cause: err,
      })
    })
    job.loraUrls = { ...job.loraUrls, [lora.path]: up.url }
    job.loraHashes = { ...job.loraHashes, [lora.path]: up.hash }
    ctx.log(`LoRA ${path.basename(lora.path)} ${up.cached ? 'already on fal' : 'uploaded'}`)
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
  const target = path.join(downloadsDir(deps.workDir), `${job.id}.mp4`)
  try {
    const output = await fetchResult(deps.fal(), job.spec.endpoint, requestId)
    job.resultUrl = output.video.url
    job.seed = output.seed
    await fs.mkdir(path.dirname(target), { recursive: true })
    await downloadTo(output.video.url, target, { signal: ctx.signal, requestId })
  } catch (err) {
    if (err instanceof AppError && (err.code === 'fal-failed' || err.code === 'fal-gone'))
      return falEnded(ctx, err)
    throw err
  }
  const result = await checkResultFrames(deps, ctx, target)
  job.resultDurationSec = result.durationSec
  if (result.fps > 0) job.resultFps = result.fps
  job.downloadedPath = target
  job.stage = 'finish'
}

/**
 * fal's result against what it was asked for: every frame of the uploaded range at source fps /
 * nth. A result that is not a video, or is short by more than a frame, is not finished into the
 * user's output. One read of the file (its packets counted) answers both; gives its duration.
 */
async function checkResultFrames(
  deps: ExecutorDeps,
  ctx: StageContext,
  target: string,
): Promise<WrittenVideo> {
  const { job } = ctx
  const source = await deps.media.probe(job.spec.source, ctx.signal)
  const sent = plannedFrames(source, job.spec.range)
  const nth = Math.max(1, Number(job.spec.params.select_every_nth_frame) || 1)
  const fps = targetFrameRate(source).fps / nth
  const written = await deps.media.measure(target, ctx.signal)
  if (written.frames === 0) {
    await fs.rm(target, { force: true })
    throw new AppError(
      'fal-bad-output',
      `fal's result for request ${job.requestId} is not a playable video`,
      { file: job.spec.source },
    )
  }
  const problem = writtenShortfall({ frames: resultFrames(sent, nth), fps }, written)
  if (!problem) return written
  await fs.rm(target, { force: true })
  throw new AppError(
    'incomplete-output',
    `fal's result for request ${job.requestId} ${problem.replace(/^wrote/, 'holds')}. It was not saved as your result; Render again for a new take.`,
    { file: job.spec.source },
  )
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
    job_id: job.id,
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
  // A result removed since it was downloaded (a crash in between, a cleaned folder) is fetched
  // again from fal by request id: never submitted again.
  for (const part of parts) {
    if (part.downloadedPath && (await exists(part.downloadedPath))) continue
    if (!part.requestId)
      throw new AppError('internal', `segment ${part.segmentIndex ?? 0} has no result to finish`)
    ctx.log(`the downloaded result of request ${part.requestId} is gone; downloading it again`)
    const stage = part.stage
    await download(deps, { ...ctx, job: part })
    part.stage = stage === 'done' ? 'done' : part.stage
  }
  const probe = await deps.media.probe(job.spec.source, ctx.signal)
  const range = resolveRange(job.spec.range, probe.durationSec, job.spec.source)
  const output = await outputFor(job)
  if (output.adopt) {
    // This job's own result, written before a crash cut the journal short: keep it.
    ctx.log(`${path.basename(output.path)} is already this render's result`)
  } else {
    if (output.path !== job.spec.output)
      ctx.log(
        `${path.basename(job.spec.output)} exists; writing ${path.basename(output.path)} instead`,
      )
    await makeFolder(path.dirname(output.path))
    await deps.media.finish(
      {
        segments: parts.map((p) => ({
          file: p.downloadedPath as string,
          durationSec: p.resultDurationSec ?? 0,
          ...(p.resultFps ? { fps: p.resultFps } : {}),
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
        output: output.path,
      },
      { signal: ctx.signal, onProgress: (p) => ctx.progress({ fraction: p.fraction }) },
    )
  }
  job.spec = { ...job.spec, output: output.path }
  // The downloads are removed by the runner once the journal says done: a crash before that
  // finds them still there.
  job.stage = 'done'
}

const exists = (p: string) =>
  fs
    .access(p)
    .then(() => true)
    .catch(() => false)

/**
 * Where the result goes: the asked-for name if free (or --overwrite), else the first free ` (n)`
 * name. A name already holding this job's own result is adopted instead, so finishing again after
 * a crash never makes a second copy.
 */
async function outputFor(job: Job): Promise<{ path: string; adopt: boolean }> {
  const wanted = job.spec.output
  const candidates = [wanted]
  for (let n = 2; n < 1000; n++) {
    const c = numberedName(wanted, n)
    if (c !== wanted) candidates.push(c)
  }
  for (const candidate of candidates) {
    const there = await exists(candidate)
    // The sidecar is written before the file itself: a file with our sidecar is our finished result.
    if (there && (await isResultOf(candidate, { id: job.id })))
      return { path: candidate, adopt: true }
    if (!there || (candidate === wanted && job.spec.overwrite))
      return { path: candidate, adopt: false }
  }
  throw new AppError('output-exists', `no free name for ${path.basename(wanted)}`, {
    file: wanted,
  })
}

/**
 * Cancels at fal if the request is still queued there: 'cancelled' when fal dropped it (it will
 * never run, nothing is billed), 'running' when it had started or finished (fal cannot stop it).
 * Throws when fal cannot be reached (or there is no key): then nobody knows, and nothing changes.
 */
export async function cancelIfQueued(
  deps: ExecutorDeps,
  job: Job,
): Promise<'cancelled' | 'running'> {
  if (!job.requestId) return 'cancelled'
  const fal = deps.fal()
  try {
    await cancelRequest(fal, job.spec.endpoint, job.requestId)
  } catch (err) {
    if (err instanceof AppError && (err.code === 'network' || err.code === 'key-rejected'))
      throw err
    // fal answered (already completed, unknown...): it will not drop it now.
    return 'running'
  }
  let status: { status: string; error_type?: string }
  try {
    status = (await fal.queue.status(job.spec.endpoint, {
      requestId: job.requestId,
      logs: false,
    })) as { status: string; error_type?: string }
  } catch (err) {
    throw mapFalError(err, { stage: 'checking the cancel', requestId: job.requestId })
  }
  // COMPLETED without a cancellation mark means it ran to the end: keep it, it can be collected.
  return status.status === 'COMPLETED' && status.error_type === 'client_cancelled'
    ? 'cancelled'
    : 'running'
}
