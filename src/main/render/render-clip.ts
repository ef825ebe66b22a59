import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import type { FalClient } from '@fal-ai/client'
import { AppError } from '../../shared/errors'
import type { EndpointId, RenderParams } from '../../shared/endpoints'
import type { MediaProgress, ProbeResult, TimeRange } from '../../shared/media'
import { downloadTo } from '../fal/download'
import { cancelRequest, fetchResult, submit, waitForCompletion, type FalLog } from '../fal/queue'
import { uploadPrepared } from '../fal/upload'
import type { UploadCache } from '../fal/upload-cache'
import { fileIdentity } from '../media/identity'
import type { MediaService } from '../media/media-service'
import { resolveRange, targetFrameRate } from '../media/prepare-plan'
import type { PendingRequests } from './pending-requests'

export type RenderStage =
  'probe' | 'prepare' | 'upload' | 'submit' | 'queued' | 'running' | 'download' | 'finish' | 'done'

export interface RenderProgress {
  stage: RenderStage
  /** Within the stage, when known. */
  fraction?: number
  etaSec?: number | null
  queuePosition?: number
  logs?: FalLog[]
  requestId?: string
  elapsedSec: number
}

export interface RenderRequest {
  source: string
  range: TimeRange
  endpoint: EndpointId
  /** Already validated against the endpoint's schema (defaults filled). */
  params: RenderParams
  output: string
  maxSide: number | 'original'
  fps: 'result' | 'source'
}

export interface RenderResult {
  output: string
  sidecar: string
  requestId: string
  seed: number
  /** The upload was skipped: the same prepared bytes were already on fal. */
  uploadCached: boolean
  /** A request submitted earlier (crash, lost connection) was collected instead of a new submit. */
  reattached: boolean
  resultFps: number
}

export interface RenderDeps {
  media: MediaService
  /** Built lazily so a missing key fails where it matters, after local checks. */
  fal: () => FalClient
  uploads: UploadCache
  pending: PendingRequests
  workDir: string
  appVersion: string
  pollMs?: number
}

/** Bumped when prepare's output for the same inputs changes, so old prepared files are not reused. */
const PREPARE_VERSION = 1

/** What was asked of fal, as a key: the same bytes, endpoint and parameters give the same key. */
export function requestKey(uploadHash: string, endpoint: string, params: RenderParams): string {
  const canonical = JSON.stringify(
    Object.fromEntries(Object.entries(params).sort(([a], [b]) => a.localeCompare(b))),
  )
  return crypto
    .createHash('sha256')
    .update(`${uploadHash}\n${endpoint}\n${canonical}`)
    .digest('hex')
}

/**
 * One clip, end to end: probe → prepare (cached) → upload (cached) → submit (request id saved at
 * once) → wait with logs and queue position → result → download → finish (source audio re-muxed,
 * parameters embedded). Aborting while queued cancels at fal; while running it abandons the wait
 * and keeps the request id, so running the same render again collects it instead of paying twice.
 */
export async function renderClip(
  deps: RenderDeps,
  req: RenderRequest,
  control: { signal?: AbortSignal; onProgress?: (p: RenderProgress) => void } = {},
): Promise<RenderResult> {
  const started = Date.now()
  const emit = (p: Omit<RenderProgress, 'elapsedSec'>) =>
    control.onProgress?.({ ...p, elapsedSec: (Date.now() - started) / 1000 })
  const { signal } = control

  emit({ stage: 'probe' })
  const probe: ProbeResult = await deps.media.probe(req.source, signal)
  const range = resolveRange(req.range, probe.durationSec, req.source)

  emit({ stage: 'prepare', fraction: 0 })
  const prepared = await preparedFile(deps, req, range, signal, (p) =>
    emit({ stage: 'prepare', fraction: p.fraction, etaSec: p.etaSec }),
  )

  const fal = deps.fal()
  emit({ stage: 'upload' })
  const upload = await uploadPrepared(fal, deps.uploads, prepared, signal ? { signal } : {})

  const key = requestKey(upload.hash, req.endpoint, req.params)
  const earlier = await deps.pending.get(key)
  let requestId: string
  if (earlier) {
    requestId = earlier.requestId
  } else {
    emit({ stage: 'submit' })
    requestId = await submit(fal, req.endpoint, { ...req.params, video_url: upload.url }, signal)
    // Persisted before anything else: from here on this render is paid work.
    await deps.pending.set(key, {
      requestId,
      endpoint: req.endpoint,
      submittedAt: new Date().toISOString(),
    })
  }

  let lastState: 'queued' | 'running' = 'queued'
  try {
    await waitForCompletion(fal, req.endpoint, requestId, {
      ...(signal ? { signal } : {}),
      pollMs: deps.pollMs ?? 1000,
      onUpdate: (u) => {
        if (u.state === 'queued') {
          lastState = 'queued'
          emit({ stage: 'queued', queuePosition: u.position, requestId })
        } else {
          lastState = 'running'
          emit({ stage: 'running', logs: u.logs, requestId })
        }
      },
    })
  } catch (err) {
    if (err instanceof AppError && err.code === 'cancelled') {
      if (lastState === 'queued' && (await cancelIfQueued(fal, req.endpoint, requestId))) {
        await deps.pending.delete(key)
        throw new AppError(
          'cancelled',
          `Cancelled request ${requestId} while it was queued; it will not run or be billed.`,
        )
      }
      throw new AppError(
        'cancelled',
        `Stopped waiting for request ${requestId}; it keeps running at fal (a running request cannot be stopped). Run the same render again to collect it.`,
      )
    }
    throw err
  }

  let output
  try {
    output = await fetchResult(fal, req.endpoint, requestId)
  } catch (err) {
    // A definite answer (invalid parameters, failed job) ends the request; retrying cannot help.
    if (err instanceof AppError && (err.code === 'fal-validation' || err.code === 'fal-bad-output'))
      await deps.pending.delete(key)
    throw err
  }

  emit({ stage: 'download', requestId })
  const resultsDir = path.join(deps.workDir, 'results')
  await fs.mkdir(resultsDir, { recursive: true })
  const downloaded = path.join(resultsDir, `${requestId.replace(/[^\w-]/g, '_')}.mp4`)
  await downloadTo(output.video.url, downloaded, { ...(signal ? { signal } : {}), requestId })
  let result: ProbeResult
  try {
    result = await deps.media.probe(downloaded, signal)
  } catch (err) {
    await fs.rm(downloaded, { force: true })
    throw new AppError(
      'fal-bad-output',
      `fal's result for request ${requestId} is not a playable video (${err instanceof Error ? err.message : String(err)}).`,
      { cause: err },
    )
  }

  emit({ stage: 'finish', fraction: 0, requestId })
  const metadata = {
    app: `Reanimate ${deps.appVersion}`,
    endpoint: req.endpoint,
    request_id: requestId,
    source: path.basename(req.source),
    range: { start: range.startSec, end: range.endSec },
    prompt: req.params.prompt,
    negative_prompt: req.params.negative_prompt,
    loras: req.params.loras,
    num_inference_steps: req.params.num_inference_steps,
    guidance_scale: req.params.guidance_scale,
    seed: output.seed ?? req.params.seed ?? null,
    select_every_nth_frame: req.params.select_every_nth_frame,
    ...(req.params.base_model ? { base_model: req.params.base_model } : {}),
    created: new Date().toISOString(),
  }
  const finished = await deps.media.finish(
    {
      segments: [{ file: downloaded, durationSec: result.durationSec }],
      source: { path: req.source, hasAudio: probe.audio.length > 0 },
      range,
      crossfadeSec: 0,
      fps:
        req.fps === 'source'
          ? { mode: 'source', rational: targetFrameRate(probe).rational }
          : { mode: 'result' },
      metadata,
      title: `${path.basename(req.source)} — ${req.params.prompt.slice(0, 80)}`,
      output: req.output,
    },
    {
      ...(signal ? { signal } : {}),
      onProgress: (p: MediaProgress) => emit({ stage: 'finish', fraction: p.fraction, requestId }),
    },
  )
  await deps.pending.delete(key)
  await fs.rm(downloaded, { force: true })
  emit({ stage: 'done', requestId, fraction: 1 })
  return {
    output: finished.output,
    sidecar: finished.sidecar,
    requestId,
    seed: metadata.seed ?? 0,
    uploadCached: upload.cached,
    reattached: Boolean(earlier),
    resultFps: result.fpsNominal,
  }
}

/**
 * Asks fal to cancel, then checks: only a request that never started ends COMPLETED right away
 * (cancelled). One that slipped into IN_PROGRESS keeps running, so its id must be kept.
 */
async function cancelIfQueued(
  fal: FalClient,
  endpoint: EndpointId,
  requestId: string,
): Promise<boolean> {
  try {
    await cancelRequest(fal, endpoint, requestId)
    const status = await fal.queue.status(endpoint, { requestId, logs: false })
    return status.status === 'COMPLETED'
  } catch {
    return false
  }
}

/** The prepared clip for this source, range and size, made once and reused (so its hash is stable). */
async function preparedFile(
  deps: RenderDeps,
  req: RenderRequest,
  range: { startSec: number; endSec: number },
  signal: AbortSignal | undefined,
  onProgress: (p: MediaProgress) => void,
): Promise<string> {
  const id = await fileIdentity(
    req.source,
    'prepared',
    PREPARE_VERSION,
    range.startSec,
    range.endSec,
    req.maxSide,
  )
  const dir = path.join(deps.workDir, 'prepared')
  const file = path.join(dir, `${id}.mp4`)
  try {
    await fs.access(file)
    onProgress({ fraction: 1, speed: 0, etaSec: 0, elapsedSec: 0 })
    return file
  } catch {
    // not prepared yet
  }
  await fs.mkdir(dir, { recursive: true })
  await deps.media.prepare(req.source, range, { maxSide: req.maxSide }, file, {
    ...(signal ? { signal } : {}),
    onProgress,
  })
  return file
}
