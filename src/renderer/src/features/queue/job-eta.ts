import { ENDPOINTS } from '@shared/endpoints'
import { remainingSec, type LearnedRates, type RenderShape } from '@shared/eta'
import { framesIn, resultFrames, targetFrameRate } from '@shared/frames'
import type { Job, JobProgress, Stage } from '@shared/jobs'
import type { ProbeResult } from '@shared/media'
import {
  effectiveParams,
  segmentOutputFrames,
  segmentsOf,
  type ClipDoc,
} from '@shared/project/clip'

/** When a clip's frame rate is not known yet, a common one: the estimate is rough anyway. */
const FALLBACK_FPS = 25

const stepsOf = (endpoint: Job['spec']['endpoint'], steps: unknown) =>
  Number(steps) > 0 ? Number(steps) : ENDPOINTS[endpoint].steps.default

/** What a queued job asks of this machine and fal; null when its length is not known. */
export function shapeOfJob(job: Job, probe?: ProbeResult): RenderShape | null {
  const end = job.spec.range.endSec ?? probe?.durationSec
  if (end === undefined) return null
  const sourceSec = Math.max(0, end - job.spec.range.startSec)
  const fps = probe ? targetFrameRate(probe).fps : FALLBACK_FPS
  const nth = Number(job.spec.params.select_every_nth_frame) || 2
  return {
    sourceSec,
    outputFrames: resultFrames(framesIn(sourceSec, fps), nth),
    endpoint: job.spec.endpoint,
    steps: stepsOf(job.spec.endpoint, job.spec.params.num_inference_steps),
  }
}

/** A clip in the editor as fal will render it: every segment's frames at its own steps. */
export function shapesOfClip(clip: ClipDoc, probe?: ProbeResult): RenderShape[] {
  const fps = probe ? targetFrameRate(probe).fps : FALLBACK_FPS
  return segmentsOf(clip).map((seg) => {
    const p = effectiveParams(clip, seg)
    return {
      sourceSec: seg.end - seg.start,
      outputFrames: segmentOutputFrames(seg, fps, p.select_every_nth_frame ?? 2),
      endpoint: clip.endpoint,
      steps: stepsOf(clip.endpoint, p.num_inference_steps),
    }
  })
}

/**
 * Seconds left for a running or queued job, from the learned rates: by its stage's fraction when
 * main reports one, else by the time spent in the stage. null when it cannot be said (length
 * unknown, or waiting in fal's queue, whose length nobody can time).
 */
export function jobEtaSec(
  job: Job,
  rates: LearnedRates,
  now: number,
  live?: JobProgress,
  stageSince?: { stage: Stage; at: number },
  probe?: ProbeResult,
): number | null {
  if (job.status !== 'running' && job.status !== 'queued') return null
  const shape = shapeOfJob(job, probe)
  if (!shape) return null
  if (job.status === 'queued' || !live) return remainingSec(rates, shape, { stage: job.stage })
  if (live.queuePosition !== undefined && live.stage === 'wait') return null
  const inStageSec =
    stageSince && stageSince.stage === live.stage ? (now - stageSince.at) / 1000 : undefined
  return remainingSec(rates, shape, {
    stage: live.stage,
    ...(live.fraction !== undefined ? { fraction: live.fraction } : {}),
    ...(inStageSec !== undefined ? { inStageSec } : {}),
  })
}
