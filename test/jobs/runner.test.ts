import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createFal } from '../../src/main/fal/client'
import { UploadCache } from '../../src/main/fal/upload-cache'
import type { ExecutorDeps } from '../../src/main/jobs/executor'
import { Journal } from '../../src/main/jobs/journal'
import { JobRunner, sweepPartials } from '../../src/main/jobs/runner'
import { partialPathFor } from '../../src/main/media/ffmpeg-run'
import { createServices } from '../../src/main/services'
import { MemorySecretStore } from '../../src/main/settings/secret-store'
import { ProcessRegistry } from '../../src/main/storage/process-registry'
import { parseRenderParams, TURBO } from '../../src/shared/endpoints'
import {
  isTerminal,
  STAGES,
  type JobProgress,
  type JobSpec,
  type Stage,
} from '../../src/shared/jobs'
import { startFalEmulator, type FalEmulator } from '../fal-emulator/emulator'
import { clips, inspect, tempDir } from '../media/clips'

let root: string
let source: string
let emu: FalEmulator
const extraEmulators: FalEmulator[] = []
const runners: JobRunner[] = []

beforeAll(async () => {
  root = await tempDir('reanimate-runner-')
  emu = await startFalEmulator({ processingMs: 150, concurrency: 8 })
  // 2 s, 320x240, 25 fps, stereo AAC.
  source = await clips.basic(root, 'clip.mp4', 2)
})

afterAll(async () => {
  await Promise.all([emu, ...extraEmulators].map((e) => e.close()))
  await fs.rm(root, { recursive: true, force: true })
})

beforeEach(() => {
  emu.clearLog()
})

afterEach(async () => {
  // Stop whatever a failed test left waiting at fal, then let every runner go quiet.
  emu.setFaults({
    submitStatus: undefined,
    statusStatus: undefined,
    resultStatus: undefined,
    resetDuringUpload: 0,
    neverComplete: false,
    failProcessing: 0,
  })
  for (const runner of runners.splice(0)) {
    for (const job of runner.list()) if (!isTerminal(job.status)) await runner.abandon(job.id)
    await runner.whenIdle()
    await runner.close()
  }
})

function params(prompt: string) {
  const parsed = parseRenderParams(TURBO, { prompt })
  if (!parsed.ok) throw new Error(`bad params: ${JSON.stringify(parsed.issues)}`)
  return parsed.params
}

async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** A fresh data folder with real services talking to `e`, and runners over it. */
async function setup(e: FalEmulator = emu, concurrency = 2) {
  const dataDir = await fs.mkdtemp(path.join(root, 'data-'))
  const stateDir = path.join(dataDir, 'state')
  const outDir = path.join(dataDir, 'out')
  const events: JobProgress[] = []
  const services = createServices({
    dataDir,
    secrets: new MemorySecretStore(),
    env: { PATH: process.env.PATH },
  })
  const deps: ExecutorDeps = {
    media: services.media,
    fal: () => createFal({ key: undefined, proxyUrl: e.proxyUrl }),
    uploads: new UploadCache(dataDir, new ProcessRegistry(dataDir, 'test').self),
    workDir: path.join(dataDir, 'work'),
    appVersion: 'test',
    pollMs: 40,
  }
  const runner = (dir = stateDir) => {
    const registry = new ProcessRegistry(dir, 'test runner')
    const r = new JobRunner({
      journal: new Journal(dir, registry),
      registry,
      deps,
      concurrency,
      origin: 'app',
      onProgress: (p) => events.push(p),
      retryBaseMs: 20,
      refreshMs: 50,
    })
    runners.push(r)
    return r
  }
  const spec = (
    prompt: string,
    name: string,
    range: JobSpec['range'] = { startSec: 0, endSec: 2 },
  ): JobSpec => ({
    source,
    range,
    endpoint: TURBO,
    params: params(prompt),
    maxSide: 768,
    fps: 'result',
    output: path.join(outDir, `${name}.mp4`),
  })
  return { dataDir, stateDir, outDir, events, deps, runner, spec }
}

/** The journal as a fresh process would read it. */
const readJournal = (dir: string) => new Journal(dir, new ProcessRegistry(dir, 'reader')).open()

const settled = (runner: JobRunner, id: string, timeoutMs?: number) =>
  until(
    `job ${id} to settle`,
    () => {
      const job = runner.get(id)
      return job && isTerminal(job.status) ? job : undefined
    },
    timeoutMs,
  )

/** Stages of one job's events, consecutive repeats collapsed. */
function stagesOf(events: JobProgress[], id: string): Stage[] {
  const out: Stage[] = []
  for (const e of events) if (e.id === id && out.at(-1) !== e.stage) out.push(e.stage)
  return out
}

const exists = (file: string) =>
  fs
    .access(file)
    .then(() => true)
    .catch(() => false)

describe('JobRunner against the local fal', () => {
  it('runs a job through every stage to a finished file with audio at source fps / nth', async () => {
    const t = await setup()
    const runner = t.runner()
    expect(await runner.init()).toEqual([])
    const added = await runner.add(t.spec('a watercolor fox', 'fox'))
    expect(added.stage).toBe('prepare')

    const job = await settled(runner, added.id)
    expect(job.error).toBeUndefined()
    expect(job.status).toBe('done')
    expect(job.stage).toBe('done')

    const facts = await inspect(job.spec.output)
    expect(job.spec.output).toBe(path.join(t.outDir, 'fox.mp4'))
    expect(facts.audioStreams).toBe(1)
    expect(facts.fps).toBeCloseTo(12.5, 3)
    expect(facts.durationSec).toBeGreaterThan(1.8)
    expect(facts.durationSec).toBeLessThan(2.2)

    // Exactly one render was paid for, with the prompt asked for.
    const submits = emu.submits()
    expect(submits).toHaveLength(1)
    expect(submits[0]?.requestId).toBe(job.requestId)
    expect(emu.jobs.get(job.requestId as string)?.input).toMatchObject({
      prompt: 'a watercolor fox',
    })

    // Progress: every stage in order, ending on a final 'done'.
    expect(stagesOf(t.events, added.id)).toEqual([...STAGES])
    const mine = t.events.filter((e) => e.id === added.id)
    expect(mine.at(-1)).toMatchObject({ status: 'done', stage: 'done', requestId: job.requestId })
    expect(mine.filter((e) => e.status === 'done')).toHaveLength(1)
    // fal's logs reached the job while it waited.
    expect(mine.some((e) => e.newLogs?.includes('Loading model'))).toBe(true)

    // The journal on disk agrees, read by a fresh Journal (once the runner's last save is done).
    await runner.whenIdle()
    const loaded = await readJournal(t.stateDir)
    expect(loaded).toHaveLength(1)
    expect(loaded[0]).toMatchObject({
      id: added.id,
      status: 'done',
      stage: 'done',
      requestId: job.requestId,
      attempts: 1,
    })
    // The intermediate download is gone once the result is finished.
    expect(loaded[0]?.downloadedPath).toBeDefined()
    expect(await exists(loaded[0]?.downloadedPath as string)).toBe(false)
  })

  it('never has more requests at fal than its concurrency, and finishes them all', async () => {
    const t = await setup(emu, 2)
    const runner = t.runner()
    await runner.init()
    const ids: string[] = []
    for (let i = 0; i < 4; i++) ids.push((await runner.add(t.spec(`prompt ${i}`, `c${i}`))).id)

    const jobs = await Promise.all(ids.map((id) => settled(runner, id)))
    expect(jobs.map((j) => j.status)).toEqual(['done', 'done', 'done', 'done'])

    // `concurrency` bounds the requests at fal (the emulator would take 8): from the moment fal
    // accepted a submit until it completed, never more than 2 overlap.
    const atFal = jobs.map((j) => emu.jobs.get(j.requestId as string))
    const edges = atFal.flatMap((fj) => [
      { t: fj?.submittedAt ?? NaN, d: +1 },
      { t: fj?.completedAt ?? NaN, d: -1 },
    ])
    expect(edges.every((e) => Number.isFinite(e.t))).toBe(true)
    edges.sort((a, b) => a.t - b.t || a.d - b.d)
    let inFlight = 0
    let peak = 0
    for (const e of edges) peak = Math.max(peak, (inFlight += e.d))
    expect(peak).toBe(2)
    expect(inFlight).toBe(0)

    // Progress events: each job went queued → running → done, ending on 'done'.
    for (const id of ids) {
      const mine = t.events.filter((e) => e.id === id)
      expect(mine[0]?.status).toBe('running')
      expect(mine.at(-1)?.status).toBe('done')
    }

    expect(emu.submits()).toHaveLength(4)
    for (const j of jobs) {
      expect(j.attempts).toBe(1)
      expect(await exists(j.spec.output)).toBe(true)
    }
  })

  it('renders segments separately and finishes them into one file', async () => {
    const t = await setup()
    const runner = t.runner()
    await runner.init()
    const parent = await runner.add(t.spec('whole clip', 'segmented'), {
      segments: [
        t.spec('a red fox', 'seg-a', { startSec: 0, endSec: 1 }),
        t.spec('a grey wolf', 'seg-b', { startSec: 1, endSec: 2 }),
      ],
    })
    expect(parent.segmentCount).toBe(2)
    const kids = runner.list().filter((j) => j.parentId === parent.id)
    expect(kids.map((k) => k.segmentIndex).sort()).toEqual([0, 1])

    const done = await settled(runner, parent.id)
    expect(done.error).toBeUndefined()
    expect(done.status).toBe('done')
    const children = runner
      .list()
      .filter((j) => j.parentId === parent.id)
      .sort((a, b) => (a.segmentIndex ?? 0) - (b.segmentIndex ?? 0))
    expect(children.map((c) => c.status)).toEqual(['done', 'done'])
    // The clip job itself never went to fal.
    expect(done.requestId).toBeUndefined()
    expect(stagesOf(t.events, parent.id)).toEqual(['finish', 'done'])

    // Two renders, one per segment prompt.
    const submits = emu.submits()
    expect(submits).toHaveLength(2)
    const prompts = submits.map(
      (s) => (emu.jobs.get(s.requestId as string)?.input as { prompt: string }).prompt,
    )
    expect(prompts.sort()).toEqual(['a grey wolf', 'a red fox'])

    // One output only: no per-segment files.
    expect(await fs.readdir(t.outDir)).toEqual(
      expect.arrayContaining(['segmented.mp4', 'segmented.mp4.json']),
    )
    expect(await exists(path.join(t.outDir, 'seg-a.mp4'))).toBe(false)
    expect(await exists(path.join(t.outDir, 'seg-b.mp4'))).toBe(false)

    const facts = await inspect(done.spec.output)
    expect(Math.abs(facts.durationSec - 2)).toBeLessThanOrEqual(0.15)
    expect(facts.audioStreams).toBe(1)
    const meta = JSON.parse(facts.tags.comment ?? 'null') as {
      request_id: string[]
      segments: { prompt: string; request_id: string; range: JobSpec['range'] }[]
    }
    expect(meta.segments).toHaveLength(2)
    expect(meta.segments.map((s) => s.prompt)).toEqual(['a red fox', 'a grey wolf'])
    expect(meta.segments.map((s) => s.range)).toEqual([
      { startSec: 0, endSec: 1 },
      { startSec: 1, endSec: 2 },
    ])
    expect(meta.request_id).toEqual(children.map((c) => c.requestId))
    expect(new Set(meta.request_id).size).toBe(2)
    expect(meta.segments.map((s) => s.request_id)).toEqual(meta.request_id)
  })

  it('cancels a job queued at fal there: it never runs; a job still local is never submitted', async () => {
    // One slot, and a queue that holds every job for a minute.
    const slow = await startFalEmulator({ processingMs: 150, concurrency: 1, queueDelayMs: 60_000 })
    extraEmulators.push(slow)
    const t = await setup(slow, 1)
    const runner = t.runner()
    await runner.init()
    const first = await runner.add(t.spec('queued at fal', 'q1'))
    const second = await runner.add(t.spec('still local', 'q2'))

    // Whichever reaches fal's only slot first sits in fal's queue; the other waits locally.
    const { atFal, local, requestId } = await until('a job to be queued at fal', () => {
      for (const [a, b] of [
        [first, second],
        [second, first],
      ] as const) {
        const rid = runner.get(a.id)?.requestId
        const queued = t.events.some((e) => e.id === a.id && e.queuePosition !== undefined)
        if (rid && queued) return { atFal: a, local: b, requestId: rid }
      }
      return undefined
    })
    expect(slow.jobs.get(requestId)?.state).toBe('IN_QUEUE')
    expect(runner.get(local.id)?.requestId).toBeUndefined()

    await runner.cancel(local.id)
    expect((await settled(runner, local.id)).status).toBe('cancelled')
    await runner.cancel(atFal.id)
    const cancelled = await settled(runner, atFal.id)
    expect(cancelled.status).toBe('cancelled')
    await runner.whenIdle()

    const cancels = slow.log.filter((e) => e.kind === 'cancel')
    expect(cancels).toHaveLength(1)
    expect(cancels[0]).toMatchObject({ method: 'PUT', requestId, status: 202 })
    const atEmulator = slow.jobs.get(requestId)
    expect(atEmulator?.cancelRequested).toBe(true)
    expect(atEmulator?.ran).toBe(false)
    expect(atEmulator?.error?.errorType).toBe('client_cancelled')

    // The local job was never submitted, and stays cancelled.
    expect(slow.submits()).toHaveLength(1)
    expect(runner.get(local.id)?.status).toBe('cancelled')
    expect(runner.get(local.id)?.requestId).toBeUndefined()
    expect(await exists(atFal.spec.output)).toBe(false)

    const journal = await readJournal(t.stateDir)
    expect(journal.map((j) => j.status).sort()).toEqual(['cancelled', 'cancelled'])
  })

  it('abandons a job running at fal with its request id, and retry collects it without a new submit', async () => {
    const t = await setup()
    const runner = t.runner()
    await runner.init()
    emu.setFaults({ neverComplete: true })
    const added = await runner.add(t.spec('held at fal', 'held'))

    const requestId = await until('the job to run at fal', () => {
      const rid = runner.get(added.id)?.requestId
      return (
        rid &&
        emu.jobs.get(rid)?.state === 'IN_PROGRESS' &&
        runner.get(added.id)?.stage === 'wait' &&
        rid
      )
    })
    await runner.abandon(added.id)
    const abandoned = await settled(runner, added.id)
    const abandonedAt = Date.now()
    await runner.whenIdle() // the settled state is saved last
    expect(abandoned.status).toBe('abandoned')
    expect(abandoned.requestId).toBe(requestId)
    expect(abandoned.stage).toBe('wait')
    expect(abandoned.error?.message).toContain(requestId)
    expect((await readJournal(t.stateDir))[0]).toMatchObject({
      status: 'abandoned',
      requestId,
    })

    // It stopped polling.
    await new Promise((r) => setTimeout(r, 300))
    const latePolls = emu.log.filter(
      (e) => e.kind === 'status' && e.requestId === requestId && e.time > abandonedAt + 100,
    )
    expect(latePolls).toHaveLength(0)

    const submitsBefore = emu.submits().length
    expect(submitsBefore).toBe(1)
    emu.setFaults({ neverComplete: false })
    await emu.waitForJob(requestId)

    await runner.retry(added.id)
    const done = await settled(runner, added.id)
    expect(done.error).toBeUndefined()
    expect(done.status).toBe('done')
    expect(done.requestId).toBe(requestId)
    expect(emu.submits()).toHaveLength(submitsBefore)
    const facts = await inspect(done.spec.output)
    expect(facts.audioStreams).toBe(1)
    expect(facts.fps).toBeCloseTo(12.5, 3)
  })

  it('re-attaches after a crash: a job that was waiting at fal finishes without a second submit', async () => {
    const t = await setup()
    emu.setFaults({ neverComplete: true })
    const a = t.runner()
    await a.init()
    const added = await a.add(t.spec('survives a crash', 'crash'))

    // The journal as a crash would leave it: running, owned by a process that is gone, request id
    // on disk (the submit saves it before anything else; the stage may still read 'submit').
    const crashedDir = path.join(t.dataDir, 'state-after-crash')
    const requestId = await until('the submit to reach the journal', async () => {
      await fs.rm(crashedDir, { recursive: true, force: true })
      await fs.mkdir(path.join(crashedDir, 'journal'), { recursive: true })
      // The journal's files as they are this instant; the lock comes and goes, and is not copied.
      for (const name of await fs.readdir(path.join(t.stateDir, 'journal'))) {
        if (name.endsWith('.lock')) continue
        await fs
          .copyFile(path.join(t.stateDir, 'journal', name), path.join(crashedDir, 'journal', name))
          .catch(() => undefined)
      }
      const job = (await readJournal(crashedDir)).find((j) => j.id === added.id)
      const atFal = job?.requestId ? emu.jobs.get(job.requestId)?.state : undefined
      return job?.status === 'running' &&
        ['submit', 'wait'].includes(job.stage) &&
        atFal === 'IN_PROGRESS'
        ? job.requestId
        : undefined
    })
    // Runner A goes away (it must not be the one that collects the result).
    await a.abandon(added.id)
    await settled(a, added.id)
    expect(emu.submits()).toHaveLength(1)

    // A half-written output from the dead process is swept on start.
    await fs.mkdir(t.outDir, { recursive: true })
    const leftover = partialPathFor(path.join(t.outDir, 'crash.mp4'))
    await fs.writeFile(leftover, 'half a video')

    const eventsBefore = t.events.length
    const b = t.runner(crashedDir)
    const loaded = await b.init()
    expect(loaded.map((j) => j.id)).toEqual([added.id])
    expect(await exists(leftover)).toBe(false)
    emu.setFaults({ neverComplete: false })

    const done = await settled(b, added.id)
    expect(done.error).toBeUndefined()
    expect(done.status).toBe('done')
    expect(done.requestId).toBe(requestId)
    expect(done.attempts).toBe(2)
    expect(emu.submits()).toHaveLength(1)
    expect(emu.log.filter((e) => e.kind === 'initiate')).toHaveLength(1)
    // B picked up at fal: it never prepared or uploaded (and the count above: never submitted).
    const stagesB = stagesOf(t.events.slice(eventsBefore), added.id)
    expect(stagesB).not.toContain('prepare')
    expect(stagesB).not.toContain('upload')
    expect(stagesB.slice(-4)).toEqual(['wait', 'download', 'finish', 'done'])
    const facts = await inspect(path.join(t.outDir, 'crash.mp4'))
    expect(facts.audioStreams).toBe(1)
    await b.whenIdle()
    expect((await readJournal(crashedDir))[0]).toMatchObject({
      status: 'done',
      requestId,
    })
  })

  it('fails a job fal failed (fal-failed) without stopping the next one', async () => {
    const t = await setup()
    const runner = t.runner()
    await runner.init()
    emu.setFaults({ failProcessing: 1 })
    const bad = await runner.add(t.spec('will crash at fal', 'bad'))
    // Submitted first, so it is the one the fault hits.
    const badRequest = await until('the first submit', () => runner.get(bad.id)?.requestId)
    const good = await runner.add(t.spec('will render', 'good'))

    const [failed, ok] = await Promise.all([settled(runner, bad.id), settled(runner, good.id)])
    expect(emu.jobs.get(badRequest)?.error?.errorType).toBe('runner_server_error')
    expect(failed.status).toBe('failed')
    expect(failed.error?.code).toBe('fal-failed')
    expect(failed.error?.message).toContain(badRequest)
    // The request id is kept on the failed job.
    expect(failed.requestId).toBe(badRequest)
    expect(await exists(failed.spec.output)).toBe(false)

    expect(ok.status).toBe('done')
    expect(ok.error).toBeUndefined()
    expect((await inspect(ok.spec.output)).audioStreams).toBe(1)
    expect(emu.submits()).toHaveLength(2)
    const last = t.events.filter((e) => e.id === bad.id).at(-1)
    expect(last).toMatchObject({ status: 'failed', error: { code: 'fal-failed' } })
  })
})

describe('a missing intermediate', () => {
  it('a prepared clip removed before its upload is prepared again, then sent once', async () => {
    const t = await setup()
    const runner = t.runner()
    await runner.init()
    // Every upload breaks off, so the job stops at its upload with the prepared clip on disk.
    emu.setFaults({ resetDuringUpload: 10 })
    const job = await runner.add(t.spec('prepared twice', 'again'))
    const failed = await settled(runner, job.id)
    emu.setFaults({ resetDuringUpload: 0 })
    expect(failed).toMatchObject({ status: 'failed', stage: 'upload' })
    await fs.rm(failed.preparedPath as string)

    const before = t.events.length
    await runner.retry(job.id)
    const done = await settled(runner, job.id)
    expect(done.status).toBe('done')
    expect(stagesOf(t.events.slice(before), job.id)).toContain('prepare')
    expect(await exists(done.preparedPath as string)).toBe(true)
    expect(emu.submits()).toHaveLength(1)
  })
})

describe('sweepPartials', () => {
  it('removes only the hidden .name.partial-<pid>-<base36> files', async () => {
    const dir = await fs.mkdtemp(path.join(root, 'sweep-'))
    const real = partialPathFor(path.join(dir, 'clip.mp4'))
    const sidecar = partialPathFor(path.join(dir, 'clip.mp4.json'))
    const keep = [
      'clip.mp4',
      'clip.mp4.json',
      'clip.partial-123-abc.mp4', // not hidden
      '.clip.partial-abc-123.mp4', // no pid
      '.clip.partial-123.mp4', // no stamp
      '.clip.partial-123-ABC.mp4', // not base36 as written
      '.hidden',
      '.partial-123-abc.mp4', // no name
    ]
    for (const name of keep) await fs.writeFile(path.join(dir, name), 'x')
    await fs.writeFile(real, 'x')
    await fs.writeFile(sidecar, 'x')
    await fs.writeFile(path.join(dir, '.my clip.partial-4242-lz3k9q.mp4'), 'x')

    expect(await sweepPartials(dir)).toBe(3)
    expect((await fs.readdir(dir)).sort()).toEqual([...keep].sort())
    expect(await sweepPartials(dir)).toBe(0)
    expect(await sweepPartials(path.join(dir, 'missing'))).toBe(0)
  })
})
