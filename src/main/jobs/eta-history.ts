import fs from 'node:fs/promises'
import path from 'node:path'
import { boundHistory, learnRates, type EtaSample, type LearnedRates } from '../../shared/eta'
import type { EndpointId } from '../../shared/endpoints'
import type { Job, JobProgress, Stage } from '../../shared/jobs'
import { writeJsonAtomic } from '../storage/json-file'

export const ETA_HISTORY_FILE = 'eta-history.json'

/**
 * This machine's render timings, in their own small file in the data folder (the journal's format
 * is left alone). Bounded (the newest samples per kind), written atomically; a missing or
 * unreadable file is an empty history: estimates fall back to the priors.
 */
export class EtaHistory {
  private samples: EtaSample[] = []
  private loaded: Promise<void> | null = null
  private writing: Promise<void> = Promise.resolve()

  constructor(private readonly dataDir: string) {}

  private get file(): string {
    return path.join(this.dataDir, ETA_HISTORY_FILE)
  }

  load(): Promise<void> {
    return (this.loaded ??= fs
      .readFile(this.file, 'utf8')
      .then((text) => {
        const parsed = JSON.parse(text) as { samples?: unknown }
        if (Array.isArray(parsed.samples))
          this.samples = boundHistory(parsed.samples.filter(isSample))
      })
      .catch(() => undefined))
  }

  async add(sample: EtaSample): Promise<void> {
    await this.load()
    this.samples = boundHistory([...this.samples, sample])
    const snapshot = { version: 1, samples: this.samples }
    // One write at a time, in order: the last one holds every sample.
    this.writing = this.writing
      .then(() => fs.mkdir(this.dataDir, { recursive: true }))
      .then(() => writeJsonAtomic(this.file, snapshot, { compact: true }))
      .then(
        () => undefined,
        () => undefined,
      )
    await this.writing
  }

  async rates(): Promise<LearnedRates> {
    await this.load()
    return learnRates(this.samples)
  }

  list(): EtaSample[] {
    return [...this.samples]
  }
}

function isSample(x: unknown): x is EtaSample {
  if (!x || typeof x !== 'object') return false
  const s = x as Record<string, unknown>
  const pos = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0
  if (s.kind === 'prepare') return pos(s.secPerSourceSec)
  if (s.kind === 'upload') return pos(s.bytesPerSec) && pos(s.bytesPerSourceSec)
  if (s.kind === 'fal') return typeof s.endpoint === 'string' && pos(s.steps) && pos(s.secPerFrame)
  return false
}

interface Watch {
  stage: Stage
  since: number
  /** ffmpeg reported progress: prepare really ran (not a prepared clip reused). */
  worked: boolean
  /** fal said the request is running (not queued): its working time starts here. */
  runningSince?: number
}

export interface StageClockDeps {
  history: EtaHistory
  job: (id: string) => Job | undefined
  /** Seconds of source in the job's range and the frames fal returns for it. */
  measure: (job: Job) => Promise<{ sourceSec: number; outputFrames: number }>
  fileSize: (file: string) => Promise<number | undefined>
  now?: () => number
}

/**
 * Watches jobs' progress and records how long their stages took, when they finish: prepare per
 * second of source (only when ffmpeg ran), upload speed (not a cached upload), and fal's working
 * time per output frame (from when fal said it runs the request, so its queue does not count).
 */
export class StageClock {
  private readonly watches = new Map<string, Watch>()
  constructor(private readonly deps: StageClockDeps) {}

  /** Called with every progress event; resolves once any sample it took is recorded. */
  async observe(p: JobProgress): Promise<void> {
    const now = (this.deps.now ?? Date.now)()
    const w = this.watches.get(p.id)
    if (w && w.stage !== p.stage) {
      this.watches.delete(p.id)
      await this.stageEnded(p.id, w, now).catch(() => undefined)
    }
    if (p.status !== 'running' || p.stage === 'done') {
      this.watches.delete(p.id)
      return
    }
    let cur = this.watches.get(p.id)
    if (!cur) {
      cur = { stage: p.stage, since: now, worked: false }
      this.watches.set(p.id, cur)
    }
    if (cur.stage === 'prepare' && p.fraction !== undefined) cur.worked = true
    if (cur.stage === 'wait' && p.newLogs !== undefined && cur.runningSince === undefined)
      cur.runningSince = now
  }

  private async stageEnded(id: string, w: Watch, now: number): Promise<void> {
    const job = this.deps.job(id)
    if (!job || job.status === 'failed' || job.status === 'cancelled') return
    const sec = (now - w.since) / 1000
    const at = new Date(now).toISOString()
    if (sec <= 0) return
    if (w.stage === 'prepare' && w.worked) {
      const { sourceSec } = await this.deps.measure(job)
      if (sourceSec > 0)
        await this.deps.history.add({ kind: 'prepare', secPerSourceSec: sec / sourceSec, at })
    } else if (w.stage === 'upload' && !job.uploadCached && job.preparedPath) {
      const bytes = await this.deps.fileSize(job.preparedPath)
      const { sourceSec } = await this.deps.measure(job)
      if (bytes && sourceSec > 0)
        await this.deps.history.add({
          kind: 'upload',
          bytesPerSec: bytes / sec,
          bytesPerSourceSec: bytes / sourceSec,
          at,
        })
    } else if (w.stage === 'wait' && !job.sharedRequest) {
      const falSec = (now - (w.runningSince ?? w.since)) / 1000
      const { outputFrames } = await this.deps.measure(job)
      const steps = Number(job.spec.params.num_inference_steps)
      if (outputFrames > 0 && steps > 0 && falSec > 0)
        await this.deps.history.add({
          kind: 'fal',
          endpoint: job.spec.endpoint as EndpointId,
          steps,
          secPerFrame: falSec / outputFrames,
          at,
        })
    }
  }
}
