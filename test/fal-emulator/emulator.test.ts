/**
 * The local fal emulator driven by the real, unmodified @fal-ai/client through its object-form
 * proxy, exactly as the app uses it. Outputs are checked with ffprobe.
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import http from 'node:http'
import path from 'node:path'
import { promisify } from 'node:util'
import { ApiError, ValidationError, createFalClient, type QueueStatus } from '@fal-ai/client'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { STANDARD, TURBO } from '../../src/shared/endpoints'
import { FFPROBE, ffmpeg, tempDir } from '../media/clips'
import {
  startFalEmulator,
  type EmulatorOptions,
  type FalEmulator,
  type LogEntry,
  type RequestLog,
} from './emulator'

const run = promisify(execFile)
const MiB = 1024 * 1024

let dir: string
let clip: string
const open: FalEmulator[] = []

async function emulator(options: EmulatorOptions = {}): Promise<FalEmulator> {
  const em = await startFalEmulator({ processingMs: 150, ...options })
  open.push(em)
  return em
}

function client(em: FalEmulator, credentials = 'test-key') {
  return createFalClient({ credentials, proxyUrl: { url: em.proxyUrl, when: 'always' } })
}

async function upload(fal: ReturnType<typeof client>): Promise<string> {
  return fal.storage.upload(await fs.openAsBlob(clip, { type: 'video/mp4' }))
}

interface Probe {
  streams: {
    codec_type: string
    codec_name: string
    pix_fmt?: string
    width?: number
    height?: number
    r_frame_rate?: string
    nb_read_frames?: string
  }[]
}

async function probe(file: string): Promise<Probe> {
  const { stdout } = await run(FFPROBE, [
    '-v',
    'error',
    '-count_frames',
    '-show_entries',
    'stream=codec_type,codec_name,pix_fmt,width,height,r_frame_rate,nb_read_frames',
    '-of',
    'json',
    file,
  ])
  return JSON.parse(stdout) as Probe
}

async function download(url: string, name: string): Promise<string> {
  const res = await fetch(url)
  expect(res.status).toBe(200)
  const file = path.join(dir, name)
  await fsp.writeFile(file, Buffer.from(await res.arrayBuffer()))
  return file
}

/** A control call sent the way the client's proxy middleware sends it. */
function control(em: FalEmulator, target: string | null, init: RequestInit = {}) {
  const headers = new Headers(init.headers)
  headers.set('content-type', 'application/json')
  if (target !== null) headers.set('x-fal-target-url', target)
  return fetch(em.proxyUrl, { ...init, headers })
}

const kinds = (em: FalEmulator) => em.log.map((e: LogEntry) => `${e.kind} ${e.status}`)

beforeAll(async () => {
  dir = await tempDir('fal-emulator-test-')
  clip = path.join(dir, 'source.mp4')
  await ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=160x120:rate=25:duration=2',
    '-f',
    'lavfi',
    '-i',
    'sine=duration=2',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    clip,
  ])
})

afterEach(async () => {
  await Promise.all(open.splice(0).map((em) => em.close()))
})

afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true })
})

describe('fal emulator with the real @fal-ai/client', () => {
  it('uploads, queues, logs and renders every 2nd frame with a visible look', async () => {
    const em = await emulator()
    const fal = client(em)
    const videoUrl = await upload(fal)
    expect(videoUrl.startsWith(`${em.url}/files/`)).toBe(true)

    const updates: QueueStatus[] = []
    const input = { video_url: videoUrl, prompt: 'a charcoal sketch', seed: 42 }
    const { data, requestId } = await fal.subscribe(TURBO, {
      input,
      pollInterval: 50,
      logs: true,
      onQueueUpdate: (s) => updates.push(s),
    })

    // requestId comes from the x-fal-request-id header of the result.
    const [submit] = em.submits()
    expect(em.submits()).toHaveLength(1)
    expect(requestId).toBe(submit?.requestId)
    expect(submit?.target).toBe(`https://queue.fal.run/${TURBO}`)
    expect(submit?.body).toEqual(input)
    expect(submit?.headers).toMatchObject({ authorization: true, 'x-fal-queue-priority': 'normal' })
    expect(JSON.stringify(em.log)).not.toContain('test-key')

    // Status and result drop /turbo; logs were requested.
    const follow = em.log.filter((e) => e.kind === 'status' || e.kind === 'result')
    expect(follow.length).toBeGreaterThan(1)
    for (const e of follow) {
      expect(e.target.startsWith(`https://queue.fal.run/${STANDARD}/requests/${requestId}`)).toBe(
        true,
      )
    }
    expect(
      follow.filter((e) => e.kind === 'status').every((e) => e.target.endsWith('?logs=1')),
    ).toBe(true)
    expect(follow.at(-1)).toMatchObject({ kind: 'result', status: 200 })

    // Logs arrive while IN_PROGRESS and grow.
    const last = updates.at(-1)
    expect(last?.status).toBe('COMPLETED')
    const messages = (last && 'logs' in last ? last.logs : []).map((l: RequestLog) => l.message)
    expect(messages[0]).toBe('Loading model')
    expect(messages).toContain('Processing 25 frames (every 2 of 50) at 12.5 fps')
    expect(messages).toContain('Step 8/8')
    expect(updates.some((u) => u.status === 'IN_PROGRESS' && u.logs.length > 0)).toBe(true)

    // The output: H.264 yuv420p, same size, 12.5 fps, half the frames, no audio, not the source.
    expect(data.seed).toBe(42)
    expect(data.video).toMatchObject({ content_type: 'video/mp4', file_name: 'output.mp4' })
    expect(data.video.url.startsWith(`${em.url}/files/`)).toBe(true)
    expect(data.timings.inference).toBeGreaterThan(0)
    const out = await download(data.video.url, 'out.mp4')
    expect((await fsp.stat(out)).size).toBe(data.video.file_size)
    const { streams } = await probe(out)
    expect(streams).toHaveLength(1)
    expect(streams[0]).toMatchObject({
      codec_type: 'video',
      codec_name: 'h264',
      pix_fmt: 'yuv420p',
      width: 160,
      height: 120,
      r_frame_rate: '25/2',
    })
    expect(Math.abs(Number(streams[0]?.nb_read_frames) - 25)).toBeLessThanOrEqual(1)
    const psnr = await run('ffmpeg', [
      '-hide_banner',
      '-i',
      out,
      '-i',
      clip,
      '-lavfi',
      '[1:v]framestep=2[ref];[0:v][ref]psnr',
      '-f',
      'null',
      '-',
    ])
    const average = Number(/average:([\d.]+)/.exec(psnr.stderr)?.[1])
    expect(average).toBeLessThan(15)

    const [stored] = em.uploads()
    expect(em.uploads()).toHaveLength(1)
    expect(stored).toMatchObject({
      contentType: 'video/mp4',
      size: (await fsp.stat(clip)).size,
      complete: true,
    })
  })

  it('holds jobs beyond the concurrency limit IN_QUEUE with live queue positions', async () => {
    const em = await emulator({ concurrency: 1, processingMs: 600 })
    const fal = client(em)
    const videoUrl = await upload(fal)
    const input = { video_url: videoUrl, prompt: 'x' }
    const first = await fal.queue.submit(TURBO, { input })
    const second = await fal.queue.submit(TURBO, { input })
    const third = await fal.queue.submit(TURBO, { input })
    expect(first).toMatchObject({ status: 'IN_QUEUE', queue_position: 0 })
    expect(second.response_url).toBe(
      `https://queue.fal.run/${STANDARD}/requests/${second.request_id}`,
    )

    expect(await fal.queue.status(TURBO, { requestId: first.request_id })).toMatchObject({
      status: 'IN_PROGRESS',
      logs: null,
    })
    expect(await fal.queue.status(TURBO, { requestId: second.request_id })).toMatchObject({
      status: 'IN_QUEUE',
      queue_position: 0,
    })
    expect(await fal.queue.status(TURBO, { requestId: third.request_id })).toMatchObject({
      status: 'IN_QUEUE',
      queue_position: 1,
    })

    await em.waitForJob(first.request_id)
    expect(em.jobs.get(second.request_id)?.state).toBe('IN_PROGRESS')
    expect(await fal.queue.status(TURBO, { requestId: third.request_id })).toMatchObject({
      status: 'IN_QUEUE',
      queue_position: 0,
    })
    const done = await fal.queue.status(TURBO, { requestId: first.request_id, logs: true })
    expect(done.status).toBe('COMPLETED')
    expect(done).toMatchObject({ metrics: { inference_time: expect.any(Number) } })
    await em.idle()
    expect([...em.jobs.values()].map((j) => j.state)).toEqual([
      'COMPLETED',
      'COMPLETED',
      'COMPLETED',
    ])
  })

  it('records submit options and posts the webhook', async () => {
    const received: unknown[] = []
    const hook = http.createServer((req, res) => {
      let text = ''
      req.on('data', (c: Buffer) => (text += c.toString()))
      req.on('end', () => {
        received.push(JSON.parse(text))
        res.end('ok')
      })
    })
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve))
    const hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook?x=1`
    try {
      const em = await emulator()
      const fal = client(em)
      const videoUrl = await upload(fal)
      const { request_id } = await fal.queue.submit(TURBO, {
        input: { video_url: videoUrl, prompt: 'x' },
        webhookUrl: hookUrl,
        priority: 'low',
        startTimeout: 30,
        storageSettings: { expiresIn: '1d' },
      })
      const [submit] = em.submits()
      expect(submit?.target).toBe(
        `https://queue.fal.run/${TURBO}?fal_webhook=${encodeURIComponent(hookUrl)}`,
      )
      expect(submit?.headers).toMatchObject({
        'x-fal-queue-priority': 'low',
        'x-fal-request-timeout': '30',
        'x-fal-object-lifecycle-preference': '{"expiration_duration_seconds":86400}',
      })
      const job = await em.waitForJob(request_id)
      expect(job).toMatchObject({ webhookUrl: hookUrl, priority: 'low', startTimeout: 30 })
      await expect.poll(() => received.length).toBe(1)
      expect(received[0]).toMatchObject({ request_id, status: 'OK', payload: { video: {} } })
    } finally {
      hook.closeAllConnections()
      await new Promise((resolve) => hook.close(resolve))
    }
  })

  it('answers invalid input on the result fetch with a 422 the client turns into ValidationError', async () => {
    const em = await emulator()
    const fal = client(em)
    const error = await fal
      .subscribe(TURBO, {
        input: {
          video_url: 'http://127.0.0.1:9/never-fetched.mp4',
          prompt: 'x',
          num_inference_steps: 20,
          base_model: 'cardosAnimev20',
        },
        pollInterval: 50,
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    const v = error as ValidationError
    expect(v.status).toBe(422)
    expect(v.requestId).toBe(em.submits()[0]?.requestId)
    expect(v.getFieldErrors('num_inference_steps')[0]?.loc).toEqual(['body', 'num_inference_steps'])
    expect(v.getFieldErrors('base_model')).toHaveLength(1)
    // The submit was accepted; the failure surfaced as COMPLETED, then 422 on the result.
    expect(kinds(em)).toEqual(['submit 200', 'status 200', 'result 422'])
    const status = await fal.queue.status(TURBO, { requestId: v.requestId })
    expect(status).toMatchObject({ status: 'COMPLETED', error: expect.stringContaining('4 to 12') })
  })

  it('fails unreadable inputs with model errors and crashed runners with a request error', async () => {
    const em = await emulator()
    const fal = client(em)
    const expiredUrl = await upload(fal)
    expect(em.expireFile(expiredUrl)).toBe(true)
    expect((await fetch(expiredUrl)).status).toBe(404)

    const expired = await fal
      .subscribe(TURBO, { input: { video_url: expiredUrl, prompt: 'x' }, pollInterval: 50 })
      .catch((e: unknown) => e)
    expect(expired).toBeInstanceOf(ValidationError)
    expect((expired as ValidationError).fieldErrors[0]).toMatchObject({
      loc: ['body', 'video_url'],
      type: 'file_download_error',
    })

    const text = await fal.storage.upload(new Blob(['not a video'], { type: 'video/mp4' }))
    const notVideo = await fal
      .subscribe(TURBO, { input: { video_url: text, prompt: 'x' }, pollInterval: 50 })
      .catch((e: unknown) => e)
    expect((notVideo as ValidationError).fieldErrors[0]?.loc).toEqual(['body', 'video_url'])

    em.setFaults({ failProcessing: 1 })
    const crashed = await fal
      .subscribe(TURBO, { input: { video_url: text, prompt: 'x' }, pollInterval: 50 })
      .catch((e: unknown) => e)
    expect(crashed).toBeInstanceOf(ApiError)
    expect(crashed).not.toBeInstanceOf(ValidationError)
    expect(crashed).toMatchObject({ status: 500, body: { error_type: 'runner_server_error' } })
    const id = (crashed as ApiError<unknown>).requestId
    expect(await fal.queue.status(TURBO, { requestId: id })).toMatchObject({
      status: 'COMPLETED',
      error_type: 'runner_server_error',
    })
    expect(em.faults.failProcessing).toBe(0)
  })

  it('rejects the wrong key with 401 when strict, and accepts no key by default', async () => {
    const strict = await emulator({ strictKey: 'abc' })
    const wrong = await client(strict, 'nope')
      .queue.submit(TURBO, { input: { video_url: 'x', prompt: 'x' } })
      .catch((e: unknown) => e)
    expect(wrong).toBeInstanceOf(ApiError)
    expect(wrong).toMatchObject({ status: 401, body: { detail: 'Invalid credentials' } })
    expect(strict.submits()).toHaveLength(0)
    expect(kinds(strict)).toEqual(['submit 401'])
    await expect(
      client(strict, 'abc').storage.upload(new Blob(['x'], { type: 'text/plain' })),
    ).resolves.toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\//)

    const open = await emulator()
    const keyless = client(open, '')
    await keyless.queue.submit(TURBO, { input: { video_url: 'x', prompt: 'x' } })
    expect(open.submits()[0]?.headers.authorization).toBe(false)
  })

  it('retries a 503 submit once and creates exactly one job', async () => {
    const em = await emulator({ faults: { submitStatus: { code: 503, times: 1 } } })
    const fal = client(em)
    const videoUrl = await upload(fal)
    const { data } = await fal.subscribe(TURBO, {
      input: { video_url: videoUrl, prompt: 'x' },
      pollInterval: 50,
    })
    expect(data.video.url).toBeTruthy()
    const submits = em.log.filter((e) => e.kind === 'submit')
    expect(submits.map((e) => [e.status, e.fault])).toEqual([
      [503, 'submitStatus'],
      [200, undefined],
    ])
    expect(em.jobs.size).toBe(1)
    expect(em.faults.submitStatus?.times).toBe(0)
  })

  it('survives a 500 on status and a 503 on the result', async () => {
    const em = await emulator({
      faults: { statusStatus: { code: 500, times: 1 }, resultStatus: { code: 503, times: 1 } },
    })
    const fal = client(em)
    const videoUrl = await upload(fal)
    const { data } = await fal.subscribe(TURBO, {
      input: { video_url: videoUrl, prompt: 'x' },
      pollInterval: 50,
    })
    expect(data.video.url).toBeTruthy()
    expect(em.submits()).toHaveLength(1)
    expect(em.log.filter((e) => e.fault).map((e) => `${e.kind} ${e.status}`)).toEqual([
      'status 500',
      'result 503',
    ])
    expect(kinds(em).at(-1)).toBe('result 200')
  })

  it('takes a 91 MiB blob as a 10-part multipart upload and serves it back with ranges', async () => {
    const em = await emulator()
    const fal = client(em)
    const bytes = new Uint8Array(91 * MiB)
    for (let part = 0; part < 10; part++) bytes[part * 10 * MiB] = part + 1
    const fileUrl = await fal.storage.upload(new Blob([bytes], { type: 'video/mp4' }))

    expect(kinds(em)).toEqual([
      'initiate-multipart 200',
      ...Array.from({ length: 10 }, () => 'upload-part 200'),
      'complete 200',
    ])
    const parts = em.log.filter((e) => e.kind === 'upload-part')
    expect(parts.map((e) => e.body)).toEqual([...Array(9).fill(10 * MiB), 1 * MiB])
    expect(parts.map((e) => new URL(e.target, em.url).pathname.split('/').at(-1))).toEqual(
      Array.from({ length: 10 }, (_, i) => String(i + 1)),
    )

    const res = await fetch(fileUrl)
    expect(res.headers.get('content-type')).toBe('video/mp4')
    let length = 0
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
      length += chunk.length
    expect(length).toBe(91 * MiB)

    // Parts were assembled in order: the marker byte of part n sits at n × 10 MiB.
    for (const part of [0, 4, 9]) {
      const at = part * 10 * MiB
      const r = await fetch(fileUrl, { headers: { Range: `bytes=${at}-${at + 1}` } })
      expect(r.status).toBe(206)
      expect(r.headers.get('content-range')).toBe(`bytes ${at}-${at + 1}/${91 * MiB}`)
      expect([...new Uint8Array(await r.arrayBuffer())]).toEqual([part + 1, 0])
    }
    const head = await fetch(fileUrl, { method: 'HEAD' })
    expect(head.headers.get('content-length')).toBe(String(91 * MiB))
    expect(em.uploads()[0]).toMatchObject({ multipart: true, partCount: 10, size: 91 * MiB })
  })

  it('throttles uploads to the uplink rate, shared by concurrent uploads, and counts the bytes', async () => {
    // 16 Mbit/s = 2 MB/s. Only lower bounds on time: a busy machine makes uploads slower, never
    // faster, so these hold however loaded it is (10 % off for the link's 50 ms of slack); the
    // byte counts are exact.
    const bitsPerSec = 16e6
    const em = await emulator({ uploadBitsPerSec: bitsPerSec })
    const fal = client(em)
    const linkSec = (bytes: number) => (bytes * 8) / bitsPerSec

    let t0 = performance.now()
    await fal.storage.upload(new Blob([new Uint8Array(2 * MiB)], { type: 'video/mp4' }))
    expect(em.uploadedBytes).toBe(2 * MiB)
    expect((performance.now() - t0) / 1000).toBeGreaterThanOrEqual(0.9 * linkSec(2 * MiB))

    // Two at once share the one link: together they take as long as their bytes in a row.
    t0 = performance.now()
    await Promise.all([
      fal.storage.upload(new Blob([new Uint8Array(1 * MiB)], { type: 'video/mp4' })),
      fal.storage.upload(new Blob([new Uint8Array(1 * MiB)], { type: 'video/mp4' })),
    ])
    expect(em.uploadedBytes).toBe(4 * MiB)
    expect((performance.now() - t0) / 1000).toBeGreaterThanOrEqual(0.9 * linkSec(2 * MiB))
    expect(em.uploads().map((u) => u.size)).toEqual([2 * MiB, 1 * MiB, 1 * MiB])
  })

  it('streams status over SSE with log deltas that the client does not double-count', async () => {
    const em = await emulator({ processingMs: 300 })
    const fal = client(em)
    const videoUrl = await upload(fal)
    const updates: QueueStatus[] = []
    const { requestId } = await fal.subscribe(TURBO, {
      input: { video_url: videoUrl, prompt: 'x' },
      mode: 'streaming',
      logs: true,
      onQueueUpdate: (s) => updates.push(s),
    })
    expect(em.log.filter((e) => e.kind === 'status')).toHaveLength(0)
    expect(em.log.filter((e) => e.kind === 'stream')).toHaveLength(1)
    expect(updates.length).toBeGreaterThan(2)
    const last = updates.at(-1)
    expect(last?.status).toBe('COMPLETED')
    const seen = last && 'logs' in last ? last.logs.map((l) => l.message) : []
    expect(seen).toEqual(em.jobs.get(requestId)?.logs.map((l) => l.message))
    expect(new Set(seen).size).toBe(seen.length)

    // The raw events carry deltas: concatenated, they are the job's log exactly once.
    const again = await fal.queue.submit(TURBO, { input: { video_url: videoUrl, prompt: 'y' } })
    const stream = await fal.queue.streamStatus(TURBO, { requestId: again.request_id, logs: true })
    const events: QueueStatus[] = []
    stream.on('data', (e) => events.push(e))
    const final = await stream.done()
    expect(final.status).toBe('COMPLETED')
    const concatenated = events.flatMap((e) => ('logs' in e && e.logs ? e.logs : []))
    expect(concatenated.map((l) => l.message)).toEqual(
      em.jobs.get(again.request_id)?.logs.map((l) => l.message),
    )
  })

  it('cancels a queued job before it runs; a running job keeps going', async () => {
    const em = await emulator({ concurrency: 1, faults: { neverComplete: true } })
    const fal = client(em)
    const videoUrl = await upload(fal)
    const input = { video_url: videoUrl, prompt: 'x' }
    const running = await fal.queue.submit(TURBO, { input })
    const queued = await fal.queue.submit(TURBO, { input })
    await em.waitForJob(running.request_id, 'IN_PROGRESS')

    await fal.queue.cancel(TURBO, { requestId: queued.request_id })
    expect(em.log.at(-1)).toMatchObject({ kind: 'cancel', status: 202 })
    expect(await fal.queue.status(TURBO, { requestId: queued.request_id })).toMatchObject({
      status: 'COMPLETED',
      error_type: 'client_cancelled',
    })
    const cancelled = await fal.queue
      .result(TURBO, { requestId: queued.request_id })
      .catch((e) => e)
    expect(cancelled).toMatchObject({
      status: 499,
      message: 'Client Closed Request',
      body: { error_type: 'client_cancelled' },
    })

    // A result before completion is an error, not a hang.
    const early = await fal.queue.result(TURBO, { requestId: running.request_id }).catch((e) => e)
    expect(early).toMatchObject({ status: 400, body: { detail: 'Request is still in progress' } })

    await fal.queue.cancel(TURBO, { requestId: running.request_id })
    await new Promise((r) => setTimeout(r, 400))
    expect(em.jobs.get(running.request_id)).toMatchObject({
      state: 'IN_PROGRESS',
      cancelRequested: true,
    })
    em.setFaults({ neverComplete: false })
    // Processing may still be under way on a busy machine: a client waits for COMPLETED.
    await em.waitForJob(running.request_id, 'COMPLETED')
    const { data } = await fal.queue.result(TURBO, { requestId: running.request_id })
    expect(data.video.url).toBeTruthy()
    await em.idle()
    expect(em.jobs.get(queued.request_id)?.ran).toBe(false)

    const again = await fal.queue.cancel(TURBO, { requestId: running.request_id }).catch((e) => e)
    expect(again).toMatchObject({ status: 400, body: { status: 'ALREADY_COMPLETED' } })
    const unknown = await fal.queue.cancel(TURBO, { requestId: 'nope' }).catch((e) => e)
    expect(unknown).toMatchObject({ status: 404, body: { status: 'NOT_FOUND' } })
  })

  it('fails a job that cannot start within startTimeout as a user timeout', async () => {
    const em = await emulator({ concurrency: 1, faults: { neverComplete: true } })
    const fal = client(em)
    const input = { video_url: await upload(fal), prompt: 'x' }
    await fal.queue.submit(TURBO, { input })
    const late = await fal.queue.submit(TURBO, { input, startTimeout: 1.2 })
    await em.waitForJob(late.request_id, 'COMPLETED', 5000)
    const error = await fal.queue.result(TURBO, { requestId: late.request_id }).catch((e) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError<unknown>).isUserTimeout).toBe(true)
    expect(em.log.filter((e) => e.kind === 'result')).toHaveLength(1)
  })

  it('runs synchronously through fal.run', async () => {
    const em = await emulator()
    const fal = client(em)
    const { data, requestId } = await fal.run(TURBO, {
      input: { video_url: await upload(fal), prompt: 'x', select_every_nth_frame: 5 },
    })
    expect(requestId).toBe(em.log.find((e) => e.kind === 'run')?.requestId)
    const { streams } = await probe(await download(data.video.url, 'run.mp4'))
    expect(streams[0]).toMatchObject({ r_frame_rate: '5/1', nb_read_frames: '10' })
  })

  it('routes like fal: both REST hosts, 400 without a target, 412 for foreign hosts, JSON 404s', async () => {
    const em = await emulator()
    const initiate = await control(
      em,
      'https://rest.alpha.fal.ai/storage/upload/initiate?storage_type=fal-cdn-v3',
      { method: 'POST', body: JSON.stringify({ content_type: 'text/plain', file_name: 'a.txt' }) },
    )
    expect(initiate.status).toBe(200)
    const { upload_url, file_url } = (await initiate.json()) as {
      upload_url: string
      file_url: string
    }
    expect(upload_url.startsWith(`${em.url}/upload/`)).toBe(true)
    const put = await fetch(upload_url, {
      method: 'PUT',
      body: 'hello',
      headers: { 'Content-Type': 'text/plain' },
    })
    expect(put.status).toBe(200)
    expect(await (await fetch(file_url)).text()).toBe('hello')
    expect((await fetch(upload_url.replace(/signature=\w+/, 'signature=bad'))).status).toBe(403)

    const missing = await control(em, null, { method: 'POST', body: '{}' })
    expect(missing.status).toBe(400)
    expect(missing.headers.get('content-type')).toBe('application/json')
    expect((await control(em, 'https://example.com/x')).status).toBe(412)
    const unknownApp = await client(em)
      .queue.submit('fal-ai/not-an-app', { input: {} })
      .catch((e: unknown) => e)
    expect(unknownApp).toMatchObject({ status: 404 })
    const withTurbo = await control(
      em,
      `https://queue.fal.run/${TURBO}/requests/00000000-0000-4000-8000-000000000000/status?logs=0`,
    )
    expect(withTurbo.status).toBe(404)
    const stray = await fetch(`${em.url}/nowhere`)
    expect(stray.status).toBe(404)
    expect(await stray.json()).toEqual({ detail: 'Not Found' })
  })

  it('resets the connection mid-upload once; the client upload rejects, the next succeeds', async () => {
    const em = await emulator({ faults: { resetDuringUpload: 1 } })
    const fal = client(em)
    await expect(upload(fal)).rejects.toThrow()
    expect(em.log.find((e) => e.kind === 'upload')).toMatchObject({
      status: 0,
      fault: 'resetDuringUpload',
    })
    await expect(upload(fal)).resolves.toMatch(/\/files\//)
    expect(em.uploads().filter((u) => u.complete)).toHaveLength(1)
  })

  it('close() stops a job mid-processing and an open stream, frees the port, deletes its files', async () => {
    const em = await emulator({ processingMs: 5000 })
    const fal = client(em)
    const { request_id } = await fal.queue.submit(TURBO, {
      input: { video_url: await upload(fal), prompt: 'x' },
    })
    const stream = await fal.queue.streamStatus(TURBO, { requestId: request_id, logs: true })
    const streamDone = stream.done().catch(() => undefined)
    // Wait for the first event: closing before the stream connects makes the client retry it.
    await new Promise((resolve) => stream.on('data', resolve))
    expect(em.jobs.get(request_id)?.state).toBe('IN_PROGRESS')
    const started = Date.now()
    await em.close()
    expect(Date.now() - started).toBeLessThan(2000)
    await streamDone
    expect(Date.now() - started).toBeLessThan(2000)
    await expect(fetch(em.url)).rejects.toThrow()
    expect(fs.existsSync(em.dataDir)).toBe(false)
  })
})
