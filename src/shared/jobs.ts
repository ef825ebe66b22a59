import type { ErrorInfo } from './errors'
import type { EndpointId, RenderParams } from './endpoints'

/** The stages a render goes through, in order. A job records the next one to run. */
export const STAGES = ['prepare', 'upload', 'submit', 'wait', 'download', 'finish', 'done'] as const
export type Stage = (typeof STAGES)[number]

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'abandoned'

export interface JobSpec {
  source: string
  range: { startSec: number; endSec?: number }
  endpoint: EndpointId
  params: RenderParams
  maxSide: number | 'original'
  fps: 'result' | 'source'
  output: string
  /** Seconds of crossfade at seams between segments. */
  crossfadeSec?: number
  /** What was asked (source, range, endpoint, parameters, size, fps) as a hash: same key, same render. */
  key?: string
  /** Replace `output` if it exists (the CLI's --overwrite); otherwise an existing file gets ` (2)`. */
  overwrite?: boolean
}

/** Which front end queued a job: the app resumes its own jobs, but only collects others'. */
export type JobOrigin = 'app' | 'run' | 'batch' | 'render'

/** Log lines a job keeps (fal's step logs and the app's notes), newest last. */
export const MAX_LOG_LINES = 200

/** A render of a clip (or of one segment of it), as the journal keeps it. */
export interface Job {
  id: string
  batchId?: string
  /** Segment jobs point at their clip job; the clip job finishes them into one output. */
  parentId?: string
  segmentIndex?: number
  segmentCount?: number
  spec: JobSpec
  stage: Stage
  status: JobStatus
  origin?: JobOrigin
  /**
   * The process running the job now (its id in the data folder's process registry). Another
   * process leaves the job alone while that process lives, and follows it instead.
   */
  owner?: string
  /** The process that queued the job; until someone claims it, that process is taken to hold it. */
  createdBy?: string
  /** Another process asked the owner to stop this job (`reanimate jobs cancel`, the app's Cancel). */
  stopRequest?: 'cancel' | 'abandon'
  /**
   * Set by an explicit retry: if fal says the request failed or no longer knows it, submit again.
   * Without it (a resume after a crash) such a job fails and waits for the user.
   */
  resubmitIfFailed?: boolean
  /** Requests fal failed or forgot, kept when a retry submitted again. */
  previousRequestIds?: string[]
  /**
   * What fal is asked, as a hash (endpoint, parameters, the prepared clip's and LoRAs' content):
   * two jobs with the same key share one request instead of paying twice.
   */
  falKey?: string
  /** Set just before the submit is sent: with no request id after a crash, fal may have it. */
  submitStartedAt?: string
  /** The request id came from another job with the same `falKey`: cancelling must not touch it. */
  sharedRequest?: boolean
  /** A new take (`--again`, "Render again"): never shares another job's request. */
  again?: boolean
  /** Local LoRA files uploaded for this job: path → fal storage URL. */
  loraUrls?: Record<string, string>
  /** Their content hashes (the URL changes when an upload expires; the content does not). */
  loraHashes?: Record<string, string>
  /** Identity of the source when queued (path, size, mtime); a change means a different clip. */
  sourceIdentity?: string
  preparedPath?: string
  uploadHash?: string
  uploadUrl?: string
  /** The upload was skipped: the same prepared bytes were already on fal. */
  uploadCached?: boolean
  requestId?: string
  submittedAt?: string
  resultUrl?: string
  seed?: number
  downloadedPath?: string
  resultDurationSec?: number
  /** fal's result's frame rate, as measured at download (finishing needs it). */
  resultFps?: number
  /** fal's log lines and the app's notes, newest last, capped. */
  logs: string[]
  error?: ErrorInfo
  attempts: number
  createdAt: string
  updatedAt: string
  startedAt?: string
  finishedAt?: string
}

export interface JobProgress {
  id: string
  batchId?: string
  status: JobStatus
  stage: Stage
  /** 0..1 within the current stage, when known. */
  fraction?: number
  queuePosition?: number
  requestId?: string
  newLogs?: string[]
  elapsedSec: number
  etaSec?: number | null
  error?: ErrorInfo
}

export function isTerminal(status: JobStatus): boolean {
  return (
    status === 'done' || status === 'failed' || status === 'cancelled' || status === 'abandoned'
  )
}

/**
 * Its send to fal was cut off before fal answered (a crash, a lost connection): fal may have the
 * request and bill it. Only the user's own Retry sends it again; everything else leaves it be.
 */
export function sendCutOff(job: Pick<Job, 'submitStartedAt' | 'requestId'>): boolean {
  return Boolean(job.submitStartedAt && !job.requestId)
}

export const SEND_CUT_OFF_MESSAGE =
  'Reanimate stopped while sending this render to fal, so fal may have it and be billing it (see your fal dashboard). Retry sends it again.'
