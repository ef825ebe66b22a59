/**
 * A local fal.ai for tests and offline development: the queue API, storage (single and multipart
 * uploads), a CDN for uploaded and generated files, and a stand-in for AnimateDiff video-to-video
 * that really transcodes the input with ffmpeg (every Nth frame, a visible "look", no audio).
 *
 * The unmodified `@fal-ai/client` talks to it through its object-form proxy:
 *
 *   createFalClient({ credentials, proxyUrl: { url: emulator.proxyUrl, when: 'always' } })
 *
 * so every control call arrives at `proxyUrl` with the real target in `x-fal-target-url`, while
 * upload bytes and file downloads go to the emulator's own URLs. Wire details follow
 * /work/shared/fal-protocol.md (section 10) and the client's source.
 *
 * Plain `node:http` and `node:child_process` only: this file also runs under tsx (CommonJS), where
 * ESM-only packages such as execa break.
 */
import { spawn } from 'node:child_process'
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto'
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { type ReadableStream as WebReadableStream } from 'node:stream/web'
import { setTimeout as delay } from 'node:timers/promises'
import {
  ENDPOINTS,
  inputSchema,
  isEndpointId,
  type EndpointId,
  type RenderOutput,
} from '../../src/shared/endpoints'

export const PROXY_PATH = '/api/fal/proxy'

// ---------------------------------------------------------------------------------------------
// Public types

export interface FaultCount {
  /** HTTP status to answer with. */
  code: number
  /** How many more times to fire; decremented on each use. */
  times: number
}

/** Injected failures. Counts decrement each time one fires, so `times: 1` means "fail once". */
export interface Faults {
  /** Answer submits with `code` without creating a job. */
  submitStatus?: FaultCount
  /** Answer polling status calls (not the SSE stream) with `code`. */
  statusStatus?: FaultCount
  /** Answer result fetches with `code` (the job is untouched and can be fetched again). */
  resultStatus?: FaultCount
  /** Destroy the socket after the first chunk of this many upload PUTs (single or part). */
  resetDuringUpload?: number
  /**
   * While true, jobs that finish processing stay IN_PROGRESS (holding their concurrency slot).
   * Setting it back to false through `setFaults` completes them.
   */
  neverComplete?: boolean
  /** Fail this many jobs with 500 `runner_server_error` instead of rendering. */
  failProcessing?: number
  /** Cut this many jobs' outputs to 2 frames, as a runner that stopped early would (still "OK"). */
  shortOutput?: number
  /** Hand back this many results that are not videos at all (bytes no player reads). */
  badOutput?: number
  /**
   * Create the job at once but hold the submit's answer this long (ms): a slow network, during
   * which the client may be stopped although fal already has (and bills) the request.
   */
  submitReplyDelayMs?: number
}

export interface EmulatorOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number
  /** Jobs IN_PROGRESS at once (fal's per-account limit); the rest wait IN_QUEUE. Default 2. */
  concurrency?: number
  /** Minimum time a job spends IN_PROGRESS, in ms. Default 300. */
  processingMs?: number
  /** Minimum time a job spends IN_QUEUE even when a slot is free, in ms. Default 0. */
  queueDelayMs?: number
  /** When set, every control call must carry `Authorization: Key <strictKey>` or gets 401. */
  strictKey?: string
  /** Initial faults (see `Faults`). */
  faults?: Faults
  /** The ffmpeg filter that stands in for the style transfer. Default `negate`. */
  look?: string
  /**
   * Instant processing for benchmarks of the app's own overhead: with every frame kept
   * (`select_every_nth_frame: 1`) the output is the input itself, with no ffmpeg or ffprobe run
   * (fal's work is done on fal's machines, not on the cores the app under test uses). The upload
   * is not checked to be a video then: the app's own check of the result catches one that is not.
   */
  instant?: boolean
  /**
   * The user's uplink, in bits per second: upload bytes (single PUTs and multipart parts) are read
   * no faster than this. Concurrent uploads share it, as they share one connection at home.
   * Default: as fast as loopback goes.
   */
  uploadBitsPerSec?: number
  /** Default `$FFMPEG_PATH` or `ffmpeg` on PATH. */
  ffmpegPath?: string
  /** Default `$FFPROBE_PATH` or `ffprobe` on PATH. */
  ffprobePath?: string
  /** Called after every request is answered (the CLI prints these). */
  onLog?: (entry: LogEntry) => void
}

export type LogKind =
  | 'submit'
  | 'status'
  | 'stream'
  | 'result'
  | 'cancel'
  | 'run'
  | 'initiate'
  | 'initiate-multipart'
  | 'upload'
  | 'upload-part'
  | 'complete'
  | 'file'
  | 'other'

/** Request headers worth asserting on. The key itself is never stored. */
export interface LoggedHeaders {
  /** Whether an Authorization header was present. */
  authorization: boolean
  /** `x-fal-*` headers (except x-fal-target-url, which is `target`) and `content-type`. */
  [header: string]: string | boolean
}

export interface LogEntry {
  /** Date.now() when the response was sent. */
  time: number
  method: string
  /** The logical https URL for control calls (from x-fal-target-url), else the local path. */
  target: string
  kind: LogKind
  /** HTTP status sent; 0 when the emulator destroyed the socket (resetDuringUpload). */
  status: number
  requestId?: string
  headers: LoggedHeaders
  /** Parsed JSON body for control calls; byte count for uploads and parts. */
  body?: unknown
  /** Name of the injected fault that produced this response, if any. */
  fault?: keyof Faults
}

export type QueueState = 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED'

export interface RequestLog {
  message: string
  level: 'STDERR' | 'STDOUT' | 'ERROR' | 'INFO' | 'WARN' | 'DEBUG'
  source: 'USER'
  timestamp: string
}

export interface JobError {
  /** HTTP status of the result fetch. */
  status: number
  /** JSON body of the result fetch. */
  body: unknown
  /** Request-level error type (also sent as X-Fal-Error-Type); absent for model (422) errors. */
  errorType?: string
  /** Human-readable summary reported as `error` on the COMPLETED status. */
  message: string
}

export interface EmulatorJob {
  id: string
  endpoint: EndpointId
  /** owner/alias: the path prefix of status, result and cancel URLs. */
  appId: string
  /** The submitted input exactly as received. */
  input: unknown
  state: QueueState
  /** 0-based position while IN_QUEUE, else null. */
  queuePosition: number | null
  output: RenderOutput | null
  error: JobError | null
  logs: RequestLog[]
  priority: string
  webhookUrl?: string
  /** x-fal-request-timeout, in seconds. */
  startTimeout?: number
  /** x-fal-object-lifecycle-preference, raw. */
  lifecycle?: string
  /** A cancel arrived; only queued jobs are actually removed. */
  cancelRequested: boolean
  /** Whether processing ever started. */
  ran: boolean
  submittedAt: number
  startedAt?: number
  completedAt?: number
  /** Seconds spent processing (metrics.inference_time). */
  inferenceTime?: number
}

export interface StoredFile {
  token: string
  origin: 'upload' | 'output' | 'added'
  fileName: string
  contentType: string
  size: number
  fileUrl: string
  multipart: boolean
  /** Parts received so far (multipart only). */
  partCount: number
  /** The bytes are in place and can be downloaded. */
  complete: boolean
  expired: boolean
}

export interface WebhookDelivery {
  url: string
  body: unknown
  /** Status the receiver answered, or the error. */
  status?: number
  error?: string
}

export interface FalEmulator {
  /** http://127.0.0.1:PORT */
  readonly url: string
  /** http://127.0.0.1:PORT/api/fal/proxy — pass as `proxyUrl: { url, when: 'always' }`. */
  readonly proxyUrl: string
  readonly port: number
  /** The temp dir holding stored files and work files; deleted by close(). */
  readonly dataDir: string
  /** Live fault settings; mutate directly or through `setFaults`. */
  readonly faults: Faults
  /** Merges into `faults`; clearing `neverComplete` completes parked jobs. */
  setFaults(faults: Faults): void
  /** Every answered request, oldest first. */
  readonly log: LogEntry[]
  clearLog(): void
  /** Submit entries that created a job. */
  submits(): LogEntry[]
  /** Files stored through the storage API (outputs excluded). */
  uploads(): StoredFile[]
  /** Upload bytes received since start (single PUTs and parts, cut-off ones included). */
  readonly uploadedBytes: number
  readonly jobs: Map<string, EmulatorJob>
  /** Webhook POSTs made (loopback URLs only; others are recorded with an error). */
  readonly webhooks: WebhookDelivery[]
  /** Stores a local file as if uploaded and returns its file URL. */
  addFile(filePath: string, options?: { contentType?: string; fileName?: string }): Promise<string>
  /** Makes a file URL (upload or output) answer 404 from now on, like an expired CDN URL. */
  expireFile(url: string): boolean
  /** Resolves when the job reaches `state` (default COMPLETED). */
  waitForJob(requestId: string, state?: QueueState, timeoutMs?: number): Promise<EmulatorJob>
  /** Resolves when no job is queued or running (parked neverComplete jobs count as running). */
  idle(timeoutMs?: number): Promise<void>
  /** Stops the server, kills ffmpeg, closes sockets, clears timers, deletes the temp dir. */
  close(): Promise<void>
}

// ---------------------------------------------------------------------------------------------
// Internals

const QUEUE_HOST = 'queue.fal.run'
const RUN_HOST = 'fal.run'
const REST_HOSTS = new Set(['rest.fal.ai', 'rest.alpha.fal.ai'])
const MAX_JSON_BODY = 64 * 1024 * 1024
/** Idle time the throttled uplink may make up for (see throughUplink). */
const UPLINK_SLACK_MS = 50
/** fal's request error types by status (docs "Request Error Types"). */
const ERROR_TYPES: Record<number, string> = {
  500: 'internal_error',
  502: 'runner_incomplete_response',
  503: 'runner_scheduling_failure',
  504: 'request_timeout',
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`)
  }
}

/** A model-level failure: the job completes and the result fetch answers with it. */
class JobFailure extends Error {
  constructor(readonly error: JobError) {
    super(error.message)
  }
}

interface Ctx {
  req: http.IncomingMessage
  res: http.ServerResponse
  method: string
  target: string
  kind: LogKind
  requestId?: string
  body?: unknown
  fault?: keyof Faults
  logged: boolean
}

interface FileRecord extends StoredFile {
  sig: string
  dataPath: string
  parts: Map<number, { path: string; etag: string; size: number }>
}

interface JobInternal extends EmulatorJob {
  seq: number
  listeners: Set<() => void>
  /** Set while parked by neverComplete: completes the job when called. */
  release?: () => void
  startTimer?: NodeJS.Timeout
}

function modelError(field: string, msg: string, type: string, input?: unknown): JobError {
  return {
    status: 422,
    body: {
      detail: [{ loc: ['body', field], msg, type, ...(input === undefined ? {} : { input }) }],
    },
    message: msg,
  }
}

function requestError(status: number, detail: string, errorType: string): JobError {
  return { status, body: { detail, error_type: errorType }, errorType, message: detail }
}

function valueAt(raw: unknown, p: readonly PropertyKey[]): unknown {
  let v: unknown = raw
  for (const k of p) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<PropertyKey, unknown>)[k]
  }
  return v
}

interface IssueLike {
  code: string
  path: PropertyKey[]
  message: string
  keys?: string[]
}

/** zod issues → FastAPI/pydantic style `detail` entries. */
function toDetail(issues: readonly IssueLike[], raw: unknown, endpoint: EndpointId) {
  const detail: { loc: (string | number)[]; msg: string; type: string }[] = []
  for (const issue of issues) {
    const loc = ['body', ...issue.path.map((k) => (typeof k === 'number' ? k : String(k)))]
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys ?? []) {
        detail.push({
          loc: [...loc, key],
          msg: `${key} is not accepted by ${endpoint}`,
          type: 'extra_forbidden',
        })
      }
      continue
    }
    const missing = issue.path.length > 0 && valueAt(raw, issue.path) === undefined
    const type = missing
      ? 'missing'
      : issue.code === 'too_small'
        ? 'greater_than_equal'
        : issue.code === 'too_big'
          ? 'less_than_equal'
          : issue.code === 'invalid_type'
            ? 'type_error'
            : 'value_error'
    detail.push({ loc, msg: missing ? 'Field required' : issue.message, type })
  }
  return detail
}

const isLoopback = (host: string) =>
  host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1'

function fps(rate: string | undefined): number | null {
  if (!rate) return null
  const [n, d] = rate.split('/').map(Number)
  if (!n || !Number.isFinite(n)) return null
  const v = d ? n / d : n
  return Number.isFinite(v) && v > 0 ? v : null
}

function loggedHeaders(req: http.IncomingMessage): LoggedHeaders {
  const out: LoggedHeaders = { authorization: typeof req.headers.authorization === 'string' }
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'x-fal-target-url') continue
    if (name.startsWith('x-fal-') || name === 'content-type') {
      out[name] = Array.isArray(value) ? value.join(', ') : value
    }
  }
  return out
}

async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) throw new HttpError(413, { detail: 'Request body too large' })
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

// ---------------------------------------------------------------------------------------------

class Emulator implements FalEmulator {
  url = ''
  proxyUrl = ''
  port = 0
  readonly dataDir: string
  readonly faults: Faults
  readonly log: LogEntry[] = []
  readonly jobs = new Map<string, JobInternal>()
  readonly webhooks: WebhookDelivery[] = []
  uploadedBytes = 0

  private readonly server: http.Server
  private readonly files = new Map<string, FileRecord>()
  private readonly waiting: JobInternal[] = []
  private readonly running = new Set<JobInternal>()
  private readonly tasks = new Set<Promise<unknown>>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly abort = new AbortController()
  private pumpTimer: NodeJS.Timeout | undefined
  private seq = 0
  private closing: Promise<void> | undefined
  private readonly concurrency: number
  private readonly processingMs: number
  private readonly queueDelayMs: number
  private readonly ffmpeg: string
  private readonly ffprobe: string
  private readonly look: string
  private readonly instant: boolean
  private readonly uploadBitsPerSec: number | undefined
  /** When the throttled uplink has sent everything given to it so far (performance.now() ms). */
  private uplinkFreeAt = 0

  constructor(
    private readonly options: EmulatorOptions,
    private readonly dir: string,
  ) {
    this.dataDir = dir
    this.faults = { ...options.faults }
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 2))
    this.processingMs = Math.max(0, options.processingMs ?? 300)
    this.queueDelayMs = Math.max(0, options.queueDelayMs ?? 0)
    this.ffmpeg = options.ffmpegPath ?? process.env.FFMPEG_PATH ?? 'ffmpeg'
    this.ffprobe = options.ffprobePath ?? process.env.FFPROBE_PATH ?? 'ffprobe'
    this.look = options.look ?? 'negate'
    this.instant = options.instant ?? false
    if (options.uploadBitsPerSec !== undefined && !(options.uploadBitsPerSec > 0))
      throw new Error('fal emulator: uploadBitsPerSec must be positive')
    this.uploadBitsPerSec = options.uploadBitsPerSec
    this.server = http.createServer((req, res) => {
      this.track(this.handle(req, res))
    })
    // Upload PUTs can be slow; never let Node time them out.
    this.server.requestTimeout = 0
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject)
        resolve()
      })
    })
    const addr = this.server.address()
    if (!addr || typeof addr === 'string') throw new Error('fal emulator: no TCP address')
    this.port = addr.port
    this.url = `http://127.0.0.1:${addr.port}`
    this.proxyUrl = `${this.url}${PROXY_PATH}`
  }

  // ----- public helpers

  setFaults(faults: Faults): void {
    Object.assign(this.faults, faults)
    if (faults.neverComplete === false) {
      for (const job of this.running) job.release?.()
    }
  }

  clearLog(): void {
    this.log.length = 0
  }

  submits(): LogEntry[] {
    return this.log.filter((e) => e.kind === 'submit' && e.status === 200)
  }

  uploads(): StoredFile[] {
    return [...this.files.values()].filter((f) => f.origin === 'upload').map((f) => this.info(f))
  }

  async addFile(
    filePath: string,
    options: { contentType?: string; fileName?: string } = {},
  ): Promise<string> {
    const rec = this.newFile(
      'added',
      options.fileName ?? path.basename(filePath),
      options.contentType ?? 'video/mp4',
      false,
    )
    await fsp.copyFile(filePath, rec.dataPath)
    rec.size = (await fsp.stat(rec.dataPath)).size
    rec.complete = true
    return rec.fileUrl
  }

  expireFile(url: string): boolean {
    const rec = this.fileFromUrl(url)
    if (!rec || rec.expired) return false
    rec.expired = true
    void fsp.rm(rec.dataPath, { force: true }).catch(() => undefined)
    return true
  }

  waitForJob(requestId: string, state: QueueState = 'COMPLETED', timeoutMs = 30_000) {
    const order: QueueState[] = ['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED']
    return new Promise<EmulatorJob>((resolve, reject) => {
      const job = this.jobs.get(requestId)
      if (!job) return reject(new Error(`fal emulator: no job ${requestId}`))
      const check = () => {
        if (order.indexOf(job.state) < order.indexOf(state)) return false
        cleanup()
        resolve(job)
        return true
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`fal emulator: job ${requestId} still ${job.state} after ${timeoutMs} ms`))
      }, timeoutMs)
      const cleanup = () => {
        clearTimeout(timer)
        job.listeners.delete(check)
      }
      if (!check()) job.listeners.add(check)
    })
  }

  async idle(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs
    while (this.waiting.length > 0 || this.running.size > 0) {
      if (Date.now() > until) throw new Error('fal emulator: still busy')
      await delay(10)
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown()
    return this.closing
  }

  private async shutdown(): Promise<void> {
    this.abort.abort()
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    if (this.pumpTimer) clearTimeout(this.pumpTimer)
    for (const job of this.jobs.values()) {
      if (job.startTimer) clearTimeout(job.startTimer)
      job.listeners.clear()
    }
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks])
    await fsp.rm(this.dir, { recursive: true, force: true })
  }

  // ----- plumbing

  private get closed() {
    return this.abort.signal.aborted
  }

  private track<T>(p: Promise<T>): void {
    const settled = p.then(
      () => undefined,
      (err: unknown) => {
        if (!this.closed) console.error('fal emulator:', err)
      },
    )
    this.tasks.add(settled)
    void settled.finally(() => this.tasks.delete(settled))
  }

  private later(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t)
      fn()
    }, ms)
    this.timers.add(t)
    return t
  }

  private sleep(ms: number): Promise<void> {
    return delay(Math.max(0, ms), undefined, { signal: this.abort.signal })
  }

  private take(name: 'submitStatus' | 'statusStatus' | 'resultStatus'): number | undefined {
    const f = this.faults[name]
    if (!f || f.times <= 0) return undefined
    f.times -= 1
    return f.code
  }

  private takeCount(
    name: 'resetDuringUpload' | 'failProcessing' | 'shortOutput' | 'badOutput',
  ): boolean {
    const n = this.faults[name] ?? 0
    if (n <= 0) return false
    this.faults[name] = n - 1
    return true
  }

  private record(ctx: Ctx, status: number): void {
    if (ctx.logged) return
    ctx.logged = true
    const entry: LogEntry = {
      time: Date.now(),
      method: ctx.method,
      target: ctx.target,
      kind: ctx.kind,
      status,
      headers: loggedHeaders(ctx.req),
    }
    if (ctx.requestId !== undefined) entry.requestId = ctx.requestId
    if (ctx.body !== undefined) entry.body = ctx.body
    if (ctx.fault !== undefined) entry.fault = ctx.fault
    this.log.push(entry)
    this.options.onLog?.(entry)
  }

  private json(ctx: Ctx, status: number, body: unknown, headers: Record<string, string> = {}) {
    const text = JSON.stringify(body)
    // Node has no reason phrase for 499; the client uses it as the ApiError message.
    if (status === 499) ctx.res.statusMessage = 'Client Closed Request'
    ctx.res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      ...headers,
    })
    ctx.res.end(text)
    this.record(ctx, status)
  }

  private faultReply(ctx: Ctx, name: keyof Faults, code: number): void {
    ctx.fault = name
    if (code === 429) return this.json(ctx, 429, { detail: 'Rate limited' })
    const errorType = ERROR_TYPES[code]
    const detail = http.STATUS_CODES[code] ?? 'Error'
    if (!errorType) return this.json(ctx, code, { detail })
    this.json(ctx, code, { detail, error_type: errorType }, { 'X-Fal-Error-Type': errorType })
  }

  /**
   * Holds a chunk of upload bytes until the uplink would have delivered it: each chunk takes
   * bytes × 8 / rate on the link, after whatever is already on it. While a chunk waits the request
   * stream is not read, so TCP backpressure slows the sender to the same rate. The link may make
   * up for up to UPLINK_SLACK_MS it stood idle: a timer that fires late on a busy machine (every
   * 64 KiB chunk waits on one) must not slow a long upload below the rate.
   */
  private async throughUplink(bytes: number): Promise<void> {
    if (this.uploadBitsPerSec === undefined) return
    const now = performance.now()
    const from = Math.max(now - UPLINK_SLACK_MS, this.uplinkFreeAt)
    this.uplinkFreeAt = from + (bytes * 8 * 1000) / this.uploadBitsPerSec
    const wait = this.uplinkFreeAt - now
    if (wait >= 1) await delay(wait, undefined, { signal: this.abort.signal })
  }

  // ----- routing

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const ctx: Ctx = {
      req,
      res,
      method: req.method ?? 'GET',
      target: url.pathname + url.search,
      kind: 'other',
      logged: false,
    }
    try {
      if (url.pathname === PROXY_PATH) await this.control(ctx)
      else if (url.pathname.startsWith('/upload/')) await this.upload(ctx, url)
      else if (url.pathname.startsWith('/files/')) await this.serveFile(ctx, url)
      else throw new HttpError(404, { detail: 'Not Found' })
    } catch (err) {
      if (res.headersSent || res.destroyed) {
        this.record(ctx, res.headersSent ? res.statusCode : 0)
        res.destroy()
        return
      }
      if (err instanceof HttpError) return this.json(ctx, err.status, err.body, err.headers)
      if (this.closed) return
      this.json(ctx, 500, { detail: `fal emulator error: ${(err as Error).message}` })
    }
  }

  private async control(ctx: Ctx): Promise<void> {
    const header = ctx.req.headers['x-fal-target-url']
    if (typeof header !== 'string' || header === '') {
      throw new HttpError(400, { detail: 'Missing the x-fal-target-url header' })
    }
    let target: URL
    try {
      target = new URL(header)
    } catch {
      throw new HttpError(400, { detail: `Invalid x-fal-target-url: ${header}` })
    }
    ctx.target = target.href
    const host = target.hostname
    if (!/(^|\.)fal\.(ai|run)$/.test(host)) {
      throw new HttpError(412, { detail: `Invalid target host: ${host}` })
    }
    const segments = target.pathname.split('/').filter(Boolean)
    ctx.kind = classify(host, segments)
    const raw = await readBody(ctx.req, MAX_JSON_BODY)
    if (raw.length > 0) {
      try {
        ctx.body = JSON.parse(raw.toString('utf8'))
      } catch {
        ctx.body = raw.toString('utf8').slice(0, 1000)
        throw new HttpError(400, { detail: 'Request body is not valid JSON' })
      }
    }
    const strict = this.options.strictKey
    if (strict !== undefined && ctx.req.headers.authorization !== `Key ${strict}`) {
      throw new HttpError(401, { detail: 'Invalid credentials' })
    }
    if (host === QUEUE_HOST) return this.queueRoute(ctx, target, segments)
    if (host === RUN_HOST) return this.runRoute(ctx, segments)
    if (REST_HOSTS.has(host)) return this.storageRoute(ctx, target)
    throw new HttpError(404, { detail: `The fal emulator does not serve ${host}` })
  }

  private queueRoute(ctx: Ctx, target: URL, segments: string[]): void | Promise<void> {
    const at = segments.indexOf('requests')
    if (at < 0) return this.submit(ctx, target, segments)
    const appId = segments.slice(0, at).join('/')
    const id = segments[at + 1] ?? ''
    const rest = segments.slice(at + 2).join('/')
    ctx.requestId = id
    const job = this.jobs.get(id)
    const found = job && job.appId === appId ? job : undefined
    const want = (method: string) => {
      if (ctx.method !== method) throw new HttpError(405, { detail: 'Method Not Allowed' })
    }
    if (rest === 'cancel') {
      want('PUT')
      return this.cancel(ctx, found)
    }
    if (rest !== '' && rest !== 'status' && rest !== 'status/stream') {
      throw new HttpError(404, { detail: 'Not Found' })
    }
    want('GET')
    if (!found) throw new HttpError(404, { detail: `Request ${id} not found` })
    if (rest === 'status') return this.status(ctx, target, found)
    if (rest === 'status/stream') return this.stream(ctx, target, found)
    return this.result(ctx, found)
  }

  // ----- queue

  private urls(job: EmulatorJob) {
    const base = `https://${QUEUE_HOST}/${job.appId}/requests/${job.id}`
    return { response_url: base, status_url: `${base}/status`, cancel_url: `${base}/cancel` }
  }

  private createJob(ctx: Ctx, endpoint: EndpointId, webhookUrl: string | null): JobInternal {
    const h = ctx.req.headers
    const str = (v: string | string[] | undefined) => (typeof v === 'string' ? v : undefined)
    const job: JobInternal = {
      id: randomUUID(),
      endpoint,
      appId: endpoint.split('/').slice(0, 2).join('/'),
      input: ctx.body,
      state: 'IN_QUEUE',
      queuePosition: 0,
      output: null,
      error: null,
      logs: [],
      priority: str(h['x-fal-queue-priority']) ?? 'normal',
      cancelRequested: false,
      ran: false,
      submittedAt: Date.now(),
      seq: this.seq++,
      listeners: new Set(),
    }
    if (webhookUrl) job.webhookUrl = webhookUrl
    const lifecycle = str(h['x-fal-object-lifecycle-preference'])
    if (lifecycle) job.lifecycle = lifecycle
    const timeout = Number(str(h['x-fal-request-timeout']))
    if (Number.isFinite(timeout) && timeout > 0) {
      job.startTimeout = timeout
      job.startTimer = this.later(timeout * 1000, () => this.startTimedOut(job))
    }
    this.jobs.set(job.id, job)
    this.waiting.push(job)
    this.sortQueue()
    job.queuePosition = this.waiting.indexOf(job)
    return job
  }

  private submit(ctx: Ctx, target: URL, segments: string[]): void {
    ctx.kind = 'submit'
    const endpoint = segments.join('/')
    if (ctx.method !== 'POST') throw new HttpError(405, { detail: 'Method Not Allowed' })
    if (!isEndpointId(endpoint)) {
      throw new HttpError(404, { detail: `Application '${endpoint}' not found` })
    }
    const code = this.take('submitStatus')
    if (code !== undefined) return this.faultReply(ctx, 'submitStatus', code)
    const job = this.createJob(ctx, endpoint, target.searchParams.get('fal_webhook'))
    ctx.requestId = job.id
    const delay = this.faults.submitReplyDelayMs ?? 0
    if (delay > 0) {
      this.pump()
      this.later(delay, () => {
        if (!ctx.res.writableEnded && !ctx.res.destroyed) this.replySubmitted(ctx, job)
      })
      return
    }
    this.replySubmitted(ctx, job)
    this.pump()
  }

  private replySubmitted(ctx: Ctx, job: JobInternal): void {
    this.json(
      ctx,
      200,
      {
        status: 'IN_QUEUE',
        request_id: job.id,
        ...this.urls(job),
        queue_position: job.queuePosition,
      },
      { 'x-fal-request-id': job.id },
    )
  }

  private snapshot(job: JobInternal, logs: RequestLog[] | null) {
    const base = { status: job.state, request_id: job.id, ...this.urls(job) }
    if (job.state === 'IN_QUEUE') return { ...base, queue_position: job.queuePosition ?? 0 }
    if (job.state === 'IN_PROGRESS') return { ...base, logs }
    return {
      ...base,
      logs,
      metrics: job.inferenceTime === undefined ? {} : { inference_time: job.inferenceTime },
      ...(job.error
        ? {
            error: job.error.message,
            ...(job.error.errorType ? { error_type: job.error.errorType } : {}),
          }
        : {}),
    }
  }

  private status(ctx: Ctx, target: URL, job: JobInternal): void {
    const code = this.take('statusStatus')
    if (code !== undefined) return this.faultReply(ctx, 'statusStatus', code)
    const logs = target.searchParams.get('logs') === '1' ? [...job.logs] : null
    this.json(ctx, job.state === 'COMPLETED' ? 200 : 202, this.snapshot(job, logs), {
      'x-fal-request-id': job.id,
    })
  }

  private stream(ctx: Ctx, target: URL, job: JobInternal): void {
    const wantLogs = target.searchParams.get('logs') === '1'
    const { res } = ctx
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'x-fal-request-id': job.id,
    })
    this.record(ctx, 200)
    let sentLogs = 0
    let lastKey = ''
    const send = () => {
      if (res.writableEnded || res.destroyed) return
      const key = `${job.state}|${job.queuePosition}`
      const fresh = job.logs.length > sentLogs
      if (key === lastKey && !(wantLogs && fresh)) return
      lastKey = key
      const delta = wantLogs ? job.logs.slice(sentLogs) : null
      sentLogs = job.logs.length
      res.write(`data: ${JSON.stringify(this.snapshot(job, delta))}\n\n`)
      if (job.state === 'COMPLETED') {
        cleanup()
        res.end()
      }
    }
    const cleanup = () => job.listeners.delete(send)
    job.listeners.add(send)
    res.on('close', cleanup)
    send()
  }

  private resultReply(ctx: Ctx, job: JobInternal): void {
    if (job.error) {
      const headers: Record<string, string> = { 'x-fal-request-id': job.id }
      if (job.error.errorType) headers['X-Fal-Error-Type'] = job.error.errorType
      if (job.error.errorType === 'request_timeout' && job.startTimeout !== undefined) {
        headers['x-fal-request-timeout-type'] = 'user'
      }
      return this.json(ctx, job.error.status, job.error.body, headers)
    }
    this.json(ctx, 200, job.output, { 'x-fal-request-id': job.id })
  }

  private result(ctx: Ctx, job: JobInternal): void {
    const code = this.take('resultStatus')
    if (code !== undefined) return this.faultReply(ctx, 'resultStatus', code)
    if (job.state !== 'COMPLETED') {
      throw new HttpError(400, { detail: 'Request is still in progress' })
    }
    this.resultReply(ctx, job)
  }

  private cancel(ctx: Ctx, job: JobInternal | undefined): void {
    if (!job) throw new HttpError(404, { status: 'NOT_FOUND' })
    if (job.state === 'COMPLETED') throw new HttpError(400, { status: 'ALREADY_COMPLETED' })
    job.cancelRequested = true
    if (job.state === 'IN_QUEUE') {
      this.dequeue(job)
      this.complete(job, {
        error: requestError(499, 'Request was cancelled', 'client_cancelled'),
      })
    } else {
      // fal can only signal a running job; AnimateDiff does not stop, so it finishes and bills.
      this.addLog(job, 'Cancellation requested; the running request will finish', 'WARN')
    }
    this.json(ctx, 202, { status: 'CANCELLATION_REQUESTED' })
    this.pump()
  }

  private async runRoute(ctx: Ctx, segments: string[]): Promise<void> {
    ctx.kind = 'run'
    const endpoint = segments.join('/')
    if (ctx.method !== 'POST') throw new HttpError(405, { detail: 'Method Not Allowed' })
    if (!isEndpointId(endpoint)) {
      throw new HttpError(404, { detail: `Application '${endpoint}' not found` })
    }
    const job = this.createJob(ctx, endpoint, null)
    ctx.requestId = job.id
    this.pump()
    await new Promise<void>((resolve) => {
      const check = () => {
        if (job.state !== 'COMPLETED') return
        job.listeners.delete(check)
        resolve()
      }
      job.listeners.add(check)
      ctx.res.on('close', () => {
        job.listeners.delete(check)
        resolve()
      })
      check()
    })
    if (job.state === 'COMPLETED' && !ctx.res.destroyed) this.resultReply(ctx, job)
  }

  private sortQueue(): void {
    const rank = (j: JobInternal) => (j.priority === 'low' ? 1 : 0)
    this.waiting.sort((a, b) => rank(a) - rank(b) || a.seq - b.seq)
  }

  private dequeue(job: JobInternal): void {
    const i = this.waiting.indexOf(job)
    if (i >= 0) this.waiting.splice(i, 1)
  }

  /** Starts queued jobs while slots are free and refreshes queue positions. */
  private pump(): void {
    if (this.closed) return
    this.sortQueue()
    while (this.running.size < this.concurrency && this.waiting.length > 0) {
      const head = this.waiting[0] as JobInternal
      const readyAt = head.submittedAt + this.queueDelayMs
      const now = Date.now()
      if (readyAt > now) {
        if (this.pumpTimer) {
          this.timers.delete(this.pumpTimer)
          clearTimeout(this.pumpTimer)
        }
        this.pumpTimer = this.later(readyAt - now, () => {
          this.pumpTimer = undefined
          this.pump()
        })
        break
      }
      this.waiting.shift()
      this.running.add(head)
      this.track(this.process(head))
    }
    this.waiting.forEach((job, i) => {
      if (job.queuePosition !== i) {
        job.queuePosition = i
        this.emit(job)
      }
    })
  }

  private startTimedOut(job: JobInternal): void {
    job.startTimer = undefined
    if (job.state !== 'IN_QUEUE') return
    this.dequeue(job)
    this.complete(job, {
      error: requestError(504, 'Request timed out before processing started', 'request_timeout'),
    })
    this.pump()
  }

  private emit(job: JobInternal): void {
    for (const fn of [...job.listeners]) fn()
  }

  private addLog(job: JobInternal, message: string, level: RequestLog['level'] = 'INFO'): void {
    job.logs.push({ message, level, source: 'USER', timestamp: new Date().toISOString() })
    this.emit(job)
  }

  private complete(job: JobInternal, outcome: { output?: RenderOutput; error?: JobError }) {
    if (job.state === 'COMPLETED') return
    if (job.startTimer) {
      this.timers.delete(job.startTimer)
      clearTimeout(job.startTimer)
      job.startTimer = undefined
    }
    job.state = 'COMPLETED'
    job.queuePosition = null
    job.completedAt = Date.now()
    job.output = outcome.output ?? null
    job.error = outcome.error ?? null
    if (job.startedAt !== undefined) job.inferenceTime = (job.completedAt - job.startedAt) / 1000
    this.running.delete(job)
    job.release = undefined
    this.emit(job)
    if (job.webhookUrl) this.track(this.deliverWebhook(job, job.webhookUrl))
    this.pump()
  }

  /** Finishes a processed job, or parks it while `neverComplete` is set. */
  private finish(job: JobInternal, outcome: { output?: RenderOutput; error?: JobError }) {
    if (this.closed) return
    if (this.faults.neverComplete) {
      job.release = () => this.complete(job, outcome)
      return
    }
    this.complete(job, outcome)
  }

  private async deliverWebhook(job: JobInternal, url: string): Promise<void> {
    const body = {
      request_id: job.id,
      gateway_request_id: job.id,
      status: job.error ? 'ERROR' : 'OK',
      payload: job.error ? job.error.body : job.output,
      error: job.error ? `Invalid status code: ${job.error.status}` : null,
    }
    const delivery: WebhookDelivery = { url, body }
    this.webhooks.push(delivery)
    try {
      const u = new URL(url)
      if (!isLoopback(u.hostname)) throw new Error('the emulator only calls loopback webhooks')
      const res = await fetch(u, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal: this.abort.signal,
      })
      delivery.status = res.status
      await res.arrayBuffer()
    } catch (err) {
      delivery.error = (err as Error).message
    }
  }

  // ----- processing

  private async process(job: JobInternal): Promise<void> {
    job.state = 'IN_PROGRESS'
    job.ran = true
    job.queuePosition = null
    job.startedAt = Date.now()
    if (job.startTimer) {
      this.timers.delete(job.startTimer)
      clearTimeout(job.startTimer)
      job.startTimer = undefined
    }
    const minEnd = job.startedAt + this.processingMs
    const work = path.join(this.dir, 'work', job.id)
    let active = true
    try {
      this.addLog(job, 'Loading model')
      const parsed = inputSchema(job.endpoint).safeParse(job.input)
      if (!parsed.success) {
        const detail = toDetail(parsed.error.issues as IssueLike[], job.input, job.endpoint)
        const first = detail[0]
        this.addLog(job, `Invalid input: ${first?.msg ?? 'validation failed'}`, 'ERROR')
        return this.finish(job, {
          error: { status: 422, body: { detail }, message: first?.msg ?? 'Invalid input' },
        })
      }
      const input = parsed.data
      if (this.takeCount('failProcessing')) {
        await this.sleep(Math.min(this.processingMs, 100))
        this.addLog(job, 'Runner crashed while processing', 'ERROR')
        return this.finish(job, {
          error: requestError(
            500,
            'The runner encountered an internal server error',
            'runner_server_error',
          ),
        })
      }
      await fsp.mkdir(work, { recursive: true })
      const source = await this.fetchSource(input.video_url, work)
      const nth = input.select_every_nth_frame
      const handBack = this.instant && nth === 1
      const info = handBack ? { fps: 0, frames: null } : await this.probe(source)
      const frames = info.frames === null ? null : Math.ceil(info.frames / nth)
      this.addLog(
        job,
        handBack
          ? 'Processing every frame'
          : frames === null
            ? `Processing every ${nth} frame(s) at ${info.fps / nth} fps`
            : `Processing ${frames} frames (every ${nth} of ${info.frames}) at ${info.fps / nth} fps`,
      )
      const out = this.newFile('output', 'output.mp4', 'video/mp4', false)
      const steps = input.num_inference_steps
      const stepLogs = (async () => {
        for (let i = 1; i <= steps; i++) {
          await this.sleep((minEnd - Date.now()) / (steps - i + 1))
          if (!active) return
          this.addLog(job, `Step ${i}/${steps}`)
        }
      })()
      const short = this.takeCount('shortOutput')
      const bad = this.takeCount('badOutput')
      await Promise.all([
        stepLogs,
        bad
          ? fsp.writeFile(out.dataPath, Buffer.alloc(4096, 7))
          : handBack && !short
            ? fsp.copyFile(source, out.dataPath)
            : this.render(source, nth, out.dataPath, short ? 2 : undefined),
      ])
      await this.sleep(minEnd - Date.now())
      out.size = (await fsp.stat(out.dataPath)).size
      out.complete = true
      const seed = input.seed ?? randomInt(0, 2 ** 31 - 1)
      this.addLog(job, 'Done')
      this.finish(job, {
        output: {
          video: {
            url: out.fileUrl,
            content_type: 'video/mp4',
            file_name: out.fileName,
            file_size: out.size,
          },
          seed,
          timings: { inference: (Date.now() - job.startedAt) / 1000 },
        },
      })
    } catch (err) {
      if (this.closed) return
      if (err instanceof JobFailure) {
        this.addLog(job, err.message, 'ERROR')
        return this.finish(job, { error: err.error })
      }
      this.addLog(job, `Internal error: ${(err as Error).message}`, 'ERROR')
      this.finish(job, {
        error: requestError(500, 'An unexpected internal error occurred', 'internal_error'),
      })
    } finally {
      active = false
      await fsp.rm(work, { recursive: true, force: true }).catch(() => undefined)
    }
  }

  /** Resolves `video_url` to a local file: emulator files directly, loopback http, data: URIs. */
  private async fetchSource(videoUrl: string, work: string): Promise<string> {
    const fail = (why: string) =>
      new JobFailure(
        modelError(
          'video_url',
          `Failed to download the file from video_url: ${why}`,
          'file_download_error',
          videoUrl,
        ),
      )
    let u: URL
    try {
      u = new URL(videoUrl)
    } catch {
      throw fail('not a URL')
    }
    const dest = path.join(work, 'input')
    if (u.protocol === 'data:') {
      const m = /^data:([^,]*?)(;base64)?,(.*)$/s.exec(videoUrl)
      if (!m) throw fail('malformed data URI')
      const payload = m[3] ?? ''
      const bytes = m[2]
        ? Buffer.from(payload, 'base64')
        : Buffer.from(decodeURIComponent(payload), 'utf8')
      await fsp.writeFile(dest, bytes)
      return dest
    }
    if (u.origin === this.url) {
      const rec = this.fileFromUrl(videoUrl)
      if (!rec || rec.expired || !rec.complete) throw fail('404 Not Found')
      return rec.dataPath
    }
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !isLoopback(u.hostname)) {
      throw fail(`the offline emulator cannot reach ${u.host || u.protocol}`)
    }
    let res: Response
    try {
      res = await fetch(u, { signal: this.abort.signal })
    } catch (err) {
      if (this.closed) throw err
      throw fail((err as Error).message)
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel()
      throw fail(`HTTP ${res.status}`)
    }
    await pipeline(Readable.fromWeb(res.body as WebReadableStream), fs.createWriteStream(dest))
    return dest
  }

  private exec(cmd: string, args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        signal: this.abort.signal,
        killSignal: 'SIGKILL',
      })
      let out = ''
      let err = ''
      child.stdout.on('data', (d: Buffer) => {
        if (out.length < 1_000_000) out += d.toString()
      })
      child.stderr.on('data', (d: Buffer) => {
        if (err.length < 20_000) err += d.toString()
      })
      child.on('error', reject)
      child.on('close', (code) => {
        if (code === 0) resolve(out)
        else reject(new Error(`${path.basename(cmd)} exited ${code}: ${err.trim().slice(-2000)}`))
      })
    })
  }

  private async probe(file: string): Promise<{ fps: number; frames: number | null }> {
    const notVideo = (why: string) =>
      new JobFailure(
        modelError('video_url', `video_url is not a readable video: ${why}`, 'value_error'),
      )
    let text: string
    try {
      text = await this.exec(this.ffprobe, [
        '-v',
        'error',
        '-select_streams',
        'v:0',
        '-count_packets',
        '-show_entries',
        'stream=codec_type,avg_frame_rate,r_frame_rate,nb_read_packets',
        '-of',
        'json',
        file,
      ])
    } catch (err) {
      if (this.closed) throw err
      throw notVideo((err as Error).message.split('\n')[0] ?? 'ffprobe failed')
    }
    const parsed = JSON.parse(text) as {
      streams?: {
        codec_type?: string
        avg_frame_rate?: string
        r_frame_rate?: string
        nb_read_packets?: string
      }[]
    }
    const s = parsed.streams?.[0]
    if (!s || s.codec_type !== 'video') throw notVideo('no video stream')
    const rate = fps(s.avg_frame_rate) ?? fps(s.r_frame_rate)
    if (!rate) throw notVideo('unknown frame rate')
    const frames = Number(s.nb_read_packets)
    return { fps: rate, frames: Number.isFinite(frames) && frames > 0 ? frames : null }
  }

  private async render(
    source: string,
    nth: number,
    dest: string,
    maxFrames?: number,
  ): Promise<void> {
    try {
      await this.exec(this.ffmpeg, [
        '-hide_banner',
        '-loglevel',
        'error',
        '-nostdin',
        '-y',
        '-i',
        source,
        '-map',
        '0:v:0',
        '-vf',
        `framestep=${nth},crop=trunc(iw/2)*2:trunc(ih/2)*2,${this.look}`,
        '-an',
        '-sn',
        '-dn',
        '-map_metadata',
        '-1',
        ...(maxFrames ? ['-frames:v', String(maxFrames)] : []),
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        '-movflags',
        '+faststart',
        '-f',
        'mp4',
        dest,
      ])
    } catch (err) {
      if (this.closed) throw err
      throw new JobFailure(
        modelError(
          'video_url',
          `Could not process the video: ${(err as Error).message.slice(0, 500)}`,
          'value_error',
        ),
      )
    }
  }

  // ----- storage

  private newFile(
    origin: StoredFile['origin'],
    fileName: string,
    contentType: string,
    multipart: boolean,
  ): FileRecord {
    const token = randomBytes(12).toString('hex')
    const safeName = path.basename(fileName).replace(/[^\w.-]+/g, '_') || 'file'
    const rec: FileRecord = {
      token,
      origin,
      fileName: safeName,
      contentType,
      size: 0,
      fileUrl: `${this.url}/files/${token}/${encodeURIComponent(safeName)}`,
      multipart,
      partCount: 0,
      complete: false,
      expired: false,
      sig: randomBytes(8).toString('hex'),
      dataPath: path.join(this.dir, 'files', token),
      parts: new Map(),
    }
    this.files.set(token, rec)
    return rec
  }

  private info(rec: FileRecord): StoredFile {
    return {
      token: rec.token,
      origin: rec.origin,
      fileName: rec.fileName,
      contentType: rec.contentType,
      size: rec.size,
      fileUrl: rec.fileUrl,
      multipart: rec.multipart,
      partCount: rec.parts.size,
      complete: rec.complete,
      expired: rec.expired,
    }
  }

  private fileFromUrl(url: string): FileRecord | undefined {
    let u: URL
    try {
      u = new URL(url)
    } catch {
      return undefined
    }
    if (u.origin !== this.url) return undefined
    const m = /^\/files\/([0-9a-f]+)(?:\/|$)/.exec(u.pathname)
    return m ? this.files.get(m[1] as string) : undefined
  }

  private storageRoute(ctx: Ctx, target: URL): void {
    const p = target.pathname.replace(/\/+$/, '')
    if (p !== '/storage/upload/initiate' && p !== '/storage/upload/initiate-multipart') {
      throw new HttpError(404, { detail: 'Not Found' })
    }
    if (ctx.method !== 'POST') throw new HttpError(405, { detail: 'Method Not Allowed' })
    const body = (ctx.body ?? {}) as { content_type?: unknown; file_name?: unknown }
    if (typeof body.file_name !== 'string' || typeof body.content_type !== 'string') {
      throw new HttpError(422, {
        detail: [
          ...(typeof body.file_name === 'string'
            ? []
            : [{ loc: ['body', 'file_name'], msg: 'Field required', type: 'missing' }]),
          ...(typeof body.content_type === 'string'
            ? []
            : [{ loc: ['body', 'content_type'], msg: 'Field required', type: 'missing' }]),
        ],
      })
    }
    const rec = this.newFile(
      'upload',
      body.file_name,
      body.content_type,
      ctx.kind === 'initiate-multipart',
    )
    this.json(ctx, 200, {
      upload_url: `${this.url}/upload/${rec.token}?signature=${rec.sig}`,
      file_url: rec.fileUrl,
    })
  }

  /** PUT /upload/<token>, PUT /upload/<token>/<n>, POST /upload/<token>/complete. */
  private async upload(ctx: Ctx, url: URL): Promise<void> {
    const m = /^\/upload\/([0-9a-f]+)(?:\/(\d+|complete))?\/?$/.exec(url.pathname)
    if (!m) throw new HttpError(404, { detail: 'Not Found' })
    const sub = m[2]
    ctx.kind = sub === undefined ? 'upload' : sub === 'complete' ? 'complete' : 'upload-part'
    const rec = this.files.get(m[1] as string)
    if (!rec || rec.origin !== 'upload') throw new HttpError(404, { detail: 'Upload not found' })
    if (url.searchParams.get('signature') !== rec.sig) {
      throw new HttpError(403, { detail: 'Invalid upload signature' })
    }
    if (ctx.kind === 'complete') return this.completeMultipart(ctx, rec)
    if (ctx.method !== 'PUT') throw new HttpError(405, { detail: 'Method Not Allowed' })
    if (rec.multipart !== (ctx.kind === 'upload-part')) {
      throw new HttpError(400, {
        detail: rec.multipart ? 'Multipart uploads take numbered parts' : 'Not a multipart upload',
      })
    }
    if (rec.complete) throw new HttpError(409, { detail: 'Upload already completed' })
    if (this.takeCount('resetDuringUpload')) return this.resetUpload(ctx)

    const partNumber = ctx.kind === 'upload-part' ? Number(sub) : 0
    if (ctx.kind === 'upload-part' && (partNumber < 1 || partNumber > 10_000)) {
      throw new HttpError(400, { detail: 'Part numbers run from 1 to 10000' })
    }
    const dest = ctx.kind === 'upload' ? `${rec.dataPath}.tmp` : `${rec.dataPath}.part${partNumber}`
    const hash = createHash('md5')
    let size = 0
    await fsp.mkdir(path.dirname(dest), { recursive: true })
    const received = async function* (this: Emulator, source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        await this.throughUplink(chunk.length)
        size += chunk.length
        this.uploadedBytes += chunk.length
        hash.update(chunk)
        yield chunk
      }
    }.bind(this)
    try {
      await pipeline(ctx.req, received, fs.createWriteStream(dest))
    } catch (err) {
      await fsp.rm(dest, { force: true })
      throw err
    }
    ctx.body = size
    if (ctx.kind === 'upload') {
      await fsp.rename(dest, rec.dataPath)
      rec.size = size
      const type = ctx.req.headers['content-type']
      if (typeof type === 'string' && type !== '') rec.contentType = type
      rec.complete = true
      ctx.res.writeHead(200, { 'Content-Length': 0 })
      ctx.res.end()
      this.record(ctx, 200)
      return
    }
    const etag = `"${hash.digest('hex')}"`
    const old = rec.parts.get(partNumber)
    if (old && old.path !== dest) await fsp.rm(old.path, { force: true })
    rec.parts.set(partNumber, { path: dest, etag, size })
    rec.partCount = rec.parts.size
    this.json(ctx, 200, { partNumber, etag }, { ETag: etag })
  }

  private resetUpload(ctx: Ctx): void {
    ctx.fault = 'resetDuringUpload'
    let done = false
    const kill = () => {
      if (done) return
      done = true
      this.record(ctx, 0)
      ctx.req.socket.destroy()
    }
    ctx.req.once('data', kill)
    ctx.req.once('end', kill)
  }

  private async completeMultipart(ctx: Ctx, rec: FileRecord): Promise<void> {
    if (ctx.method !== 'POST') throw new HttpError(405, { detail: 'Method Not Allowed' })
    if (!rec.multipart) throw new HttpError(400, { detail: 'Not a multipart upload' })
    const raw = await readBody(ctx.req, MAX_JSON_BODY)
    let body: { parts?: { partNumber?: unknown; etag?: unknown }[] }
    try {
      body = JSON.parse(raw.toString('utf8')) as typeof body
    } catch {
      throw new HttpError(400, { detail: 'Body must be JSON {"parts":[…]}' })
    }
    ctx.body = body
    if (!Array.isArray(body.parts) || body.parts.length === 0) {
      throw new HttpError(400, { detail: 'parts is required' })
    }
    const numbers = body.parts.map((p) => Number(p.partNumber))
    const ordered = [...body.parts].sort((a, b) => Number(a.partNumber) - Number(b.partNumber))
    if (new Set(numbers).size !== numbers.length) {
      throw new HttpError(400, { detail: 'Duplicate part numbers' })
    }
    for (const p of ordered) {
      const stored = rec.parts.get(Number(p.partNumber))
      if (!stored) throw new HttpError(400, { detail: `Part ${String(p.partNumber)} missing` })
      if (stored.etag !== p.etag) {
        throw new HttpError(400, { detail: `Part ${String(p.partNumber)} etag mismatch` })
      }
    }
    const out = fs.createWriteStream(rec.dataPath)
    const paths = ordered.map((p) => (rec.parts.get(Number(p.partNumber)) as { path: string }).path)
    await pipeline(async function* () {
      for (const p of paths) yield* fs.createReadStream(p)
    }, out)
    rec.size = (await fsp.stat(rec.dataPath)).size
    rec.complete = true
    for (const part of rec.parts.values()) await fsp.rm(part.path, { force: true })
    this.json(ctx, 200, { file_url: rec.fileUrl })
  }

  private async serveFile(ctx: Ctx, url: URL): Promise<void> {
    ctx.kind = 'file'
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      throw new HttpError(405, { detail: 'Method Not Allowed' })
    }
    const rec = this.fileFromUrl(`${this.url}${url.pathname}`)
    if (!rec || rec.expired || !rec.complete) throw new HttpError(404, { detail: 'File not found' })
    const size = rec.size
    let start = 0
    let end = size - 1
    let status = 200
    const range = ctx.req.headers.range
    if (typeof range === 'string' && range !== '') {
      const r = /^bytes=(\d*)-(\d*)$/.exec(range.trim())
      if (r && (r[1] !== '' || r[2] !== '')) {
        if (r[1] === '') {
          start = Math.max(0, size - Number(r[2]))
        } else {
          start = Number(r[1])
          if (r[2] !== '') end = Math.min(Number(r[2]), size - 1)
        }
        if (start >= size || start > end) {
          throw new HttpError(
            416,
            { detail: 'Range Not Satisfiable' },
            {
              'Content-Range': `bytes */${size}`,
            },
          )
        }
        status = 206
      }
    }
    const headers: Record<string, string | number> = {
      'Content-Type': rec.contentType,
      'Content-Length': size === 0 ? 0 : end - start + 1,
      'Accept-Ranges': 'bytes',
      'Cache-Control': 'public, max-age=3600',
    }
    if (status === 206) headers['Content-Range'] = `bytes ${start}-${end}/${size}`
    ctx.res.writeHead(status, headers)
    this.record(ctx, status)
    if (ctx.method === 'HEAD' || size === 0) {
      ctx.res.end()
      return
    }
    await pipeline(fs.createReadStream(rec.dataPath, { start, end }), ctx.res)
  }
}

function classify(host: string, segments: string[]): LogKind {
  if (REST_HOSTS.has(host)) {
    const last = segments[segments.length - 1]
    return last === 'initiate'
      ? 'initiate'
      : last === 'initiate-multipart'
        ? 'initiate-multipart'
        : 'other'
  }
  if (host === RUN_HOST) return 'run'
  if (host !== QUEUE_HOST) return 'other'
  const at = segments.indexOf('requests')
  if (at < 0) return 'submit'
  const rest = segments.slice(at + 2).join('/')
  if (rest === '') return 'result'
  if (rest === 'status') return 'status'
  if (rest === 'status/stream') return 'stream'
  if (rest === 'cancel') return 'cancel'
  return 'other'
}

/** Starts a local fal on 127.0.0.1. Always `close()` it. */
export async function startFalEmulator(options: EmulatorOptions = {}): Promise<FalEmulator> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'fal-emulator-'))
  await fsp.mkdir(path.join(dir, 'files'), { recursive: true })
  const emulator = new Emulator(options, dir)
  try {
    await emulator.listen(options.port ?? 0)
  } catch (err) {
    await fsp.rm(dir, { recursive: true, force: true })
    throw err
  }
  return emulator
}

/** The endpoint ids the emulator serves. */
export const EMULATED_ENDPOINTS = Object.keys(ENDPOINTS) as EndpointId[]
