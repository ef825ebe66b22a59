import type { EndpointId } from './endpoints'
import type { Stage } from './jobs'

/**
 * How long renders take on this machine, learned from its own history: how fast it prepares
 * clips, how fast it uploads, and how long fal takes per output frame at a number of steps. Pure:
 * main records samples, the window turns them into "about 40 s at fal" and a job's ETA.
 */

/** One measurement, taken when a stage finished. */
export type EtaSample =
  | { kind: 'prepare'; secPerSourceSec: number; at: string }
  | { kind: 'upload'; bytesPerSec: number; bytesPerSourceSec: number; at: string }
  | { kind: 'fal'; endpoint: EndpointId; steps: number; secPerFrame: number; at: string }

/** The recent samples per kind (or per endpoint and steps for fal) the estimates use. */
export const SAMPLES_KEPT = 50

/** What a render takes with no history yet: deliberately middle-of-the-road guesses. */
export const PRIOR = {
  prepareSecPerSourceSec: 0.5,
  uploadBytesPerSec: 2_000_000,
  /** A prepared clip (H.264 at the prepare size) weighs about this much per second. */
  bytesPerSourceSec: 600_000,
  /** fal's time per output frame per inference step. */
  falSecPerFramePerStep: 0.06,
  /** Downloading the result and writing the output. */
  finishSec: 3,
} as const

export interface LearnedRates {
  prepareSecPerSourceSec: number
  uploadBytesPerSec: number
  bytesPerSourceSec: number
  /** fal seconds per output frame, by `${endpoint}|${steps}`. */
  falSecPerFrame: Record<string, number>
  /** How many samples each figure comes from (0: the prior). */
  samples: { prepare: number; upload: number; fal: number }
}

export const falKey = (endpoint: EndpointId, steps: number) => `${endpoint}|${steps}`

/** The median: one slow render (a busy machine, a cold fal runner) does not swing the estimate. */
function median(xs: number[]): number | undefined {
  const s = xs.filter((x) => Number.isFinite(x) && x > 0).sort((a, b) => a - b)
  if (s.length === 0) return undefined
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid] : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/** Keeps the newest SAMPLES_KEPT per kind (fal: per endpoint and steps), oldest first. */
export function boundHistory(samples: EtaSample[]): EtaSample[] {
  const counts = new Map<string, number>()
  const kept: EtaSample[] = []
  for (let i = samples.length - 1; i >= 0; i--) {
    const s = samples[i] as EtaSample
    const group = s.kind === 'fal' ? `fal|${falKey(s.endpoint, s.steps)}` : s.kind
    const n = counts.get(group) ?? 0
    if (n >= SAMPLES_KEPT) continue
    counts.set(group, n + 1)
    kept.push(s)
  }
  return kept.reverse()
}

export function learnRates(history: EtaSample[]): LearnedRates {
  const recent = boundHistory(history)
  const prepare = recent.flatMap((s) => (s.kind === 'prepare' ? [s.secPerSourceSec] : []))
  const uploads = recent.filter((s) => s.kind === 'upload')
  const byKey = new Map<string, number[]>()
  for (const s of recent)
    if (s.kind === 'fal') {
      const k = falKey(s.endpoint, s.steps)
      byKey.set(k, [...(byKey.get(k) ?? []), s.secPerFrame])
    }
  const falSecPerFrame: Record<string, number> = {}
  for (const [k, xs] of byKey) {
    const m = median(xs)
    if (m !== undefined) falSecPerFrame[k] = m
  }
  return {
    prepareSecPerSourceSec: median(prepare) ?? PRIOR.prepareSecPerSourceSec,
    uploadBytesPerSec: median(uploads.map((u) => u.bytesPerSec)) ?? PRIOR.uploadBytesPerSec,
    bytesPerSourceSec: median(uploads.map((u) => u.bytesPerSourceSec)) ?? PRIOR.bytesPerSourceSec,
    falSecPerFrame,
    samples: {
      prepare: prepare.length,
      upload: uploads.length,
      fal: [...byKey.values()].reduce((n, xs) => n + xs.length, 0),
    },
  }
}

export const NO_HISTORY: LearnedRates = learnRates([])

/**
 * fal's seconds per output frame at these steps: measured at exactly these steps if it was,
 * else scaled by steps from the nearest measured steps on the endpoint (time grows with steps),
 * else the prior.
 */
export function falSecPerFrame(rates: LearnedRates, endpoint: EndpointId, steps: number): number {
  const exact = rates.falSecPerFrame[falKey(endpoint, steps)]
  if (exact !== undefined) return exact
  let best: { steps: number; rate: number } | undefined
  for (const [k, rate] of Object.entries(rates.falSecPerFrame)) {
    const [ep, s] = k.split('|')
    if (ep !== endpoint) continue
    const n = Number(s)
    if (!best || Math.abs(n - steps) < Math.abs(best.steps - steps)) best = { steps: n, rate }
  }
  if (best && best.steps > 0) return (best.rate / best.steps) * steps
  return PRIOR.falSecPerFramePerStep * steps
}

/** What a render asks: seconds of source, frames fal returns, endpoint and steps. */
export interface RenderShape {
  sourceSec: number
  outputFrames: number
  endpoint: EndpointId
  steps: number
}

/** fal's working time for a planned render (not its queue, which nobody can know ahead). */
export function falSecFor(rates: LearnedRates, shape: RenderShape): number {
  return falSecPerFrame(rates, shape.endpoint, shape.steps) * shape.outputFrames
}

/** Each stage's expected seconds for a render, from the start of that stage. */
export function stageSeconds(rates: LearnedRates, shape: RenderShape): Record<Stage, number> {
  const bytes = rates.bytesPerSourceSec * shape.sourceSec
  return {
    prepare: rates.prepareSecPerSourceSec * shape.sourceSec,
    upload: bytes / rates.uploadBytesPerSec,
    submit: 1,
    wait: falSecFor(rates, shape),
    download: PRIOR.finishSec / 2,
    finish: PRIOR.finishSec / 2,
    done: 0,
  }
}

const ORDER: Stage[] = ['prepare', 'upload', 'submit', 'wait', 'download', 'finish', 'done']

/**
 * Seconds left for a job now at `stage`: what is left of this stage (by its reported fraction, or
 * by the time spent in it), plus every later stage. A stage running longer than expected counts
 * as nearly done rather than negative.
 */
export function remainingSec(
  rates: LearnedRates,
  shape: RenderShape,
  at: { stage: Stage; fraction?: number; inStageSec?: number },
): number {
  const per = stageSeconds(rates, shape)
  const i = ORDER.indexOf(at.stage)
  if (i < 0 || at.stage === 'done') return 0
  const whole = per[at.stage]
  const left =
    at.fraction !== undefined
      ? whole * (1 - Math.min(1, Math.max(0, at.fraction)))
      : Math.max(whole - (at.inStageSec ?? 0), whole * 0.05)
  return left + ORDER.slice(i + 1).reduce((sum, s) => sum + per[s], 0)
}

/** "about 40 s", "about 3 min": rounded, as a person would say it. */
export function aboutText(sec: number): string {
  if (sec < 60) return `about ${Math.max(1, Math.round(sec / 5) * 5 || 1)} s`
  if (sec < 3600) return `about ${Math.round(sec / 60)} min`
  const h = Math.floor(sec / 3600)
  return `about ${h} h ${Math.round((sec % 3600) / 60)} min`
}
