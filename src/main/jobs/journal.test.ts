import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseRenderParams, TURBO } from '../../shared/endpoints'
import type { Job } from '../../shared/jobs'
import { ProcessRegistry } from '../storage/process-registry'
import { Journal } from './journal'

let dir: string
const registries: ProcessRegistry[] = []

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-journal-'))
})
afterEach(async () => {
  for (const r of registries.splice(0)) await r.unregister()
  await fs.rm(dir, { recursive: true, force: true })
})

function params(prompt: string) {
  const parsed = parseRenderParams(TURBO, { prompt })
  if (!parsed.ok) throw new Error(`bad params: ${JSON.stringify(parsed.issues)}`)
  return parsed.params
}

function job(n: number, overrides: Partial<Job> = {}): Job {
  const now = new Date(Date.UTC(2025, 0, 1, 0, 0, n % 60)).toISOString()
  return {
    id: `job-${n}`,
    spec: {
      source: `/videos/clip ${n}.mp4`,
      range: { startSec: n, endSec: n + 2 },
      endpoint: TURBO,
      params: params(`prompt number ${n}, a longish prompt as people write them, with styles`),
      maxSide: 768,
      fps: 'result',
      output: `/videos/clip ${n}.reanimate.mp4`,
    },
    stage: 'prepare',
    status: 'queued',
    logs: [`${now} queued`],
    attempts: 0,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  }
}

function journal(options: ConstructorParameters<typeof Journal>[2] = {}) {
  const registry = new ProcessRegistry(dir, 'test')
  registries.push(registry)
  return new Journal(dir, registry, options)
}

/** The stages a render goes through, as the runner writes them: one save per change. */
async function lifeOf(j: Journal, base: Job): Promise<number> {
  let cur = structuredClone(base)
  const steps: Partial<Job>[] = [
    { status: 'running', owner: 'p', attempts: 1 },
    { stage: 'upload', preparedPath: '/work/prepared/abc.mp4' },
    { stage: 'submit', uploadUrl: 'https://v3.fal.media/files/x/abc.mp4', uploadHash: 'h' },
    { requestId: 'req-0123456789', submittedAt: '2025-01-01T00:00:00.000Z' },
    { stage: 'wait' },
    { stage: 'download', resultUrl: 'https://v3.fal.media/files/y/out.mp4', seed: 42 },
    { stage: 'finish', downloadedPath: '/work/downloads/x.mp4' },
    { stage: 'done', status: 'done', owner: undefined },
  ]
  for (const step of steps) {
    cur = { ...cur, ...step, updatedAt: new Date().toISOString() }
    cur.logs = [...cur.logs, `${cur.updatedAt} ${cur.stage}`]
    await j.save([cur])
  }
  return steps.length
}

describe('Journal', () => {
  it('starts empty, and round-trips jobs through disk', async () => {
    const a = journal()
    expect(await a.open()).toEqual([])
    const jobs = [
      job(1),
      job(2, { stage: 'wait', status: 'running', requestId: 'req-2', attempts: 1 }),
      job(3, {
        parentId: 'job-9',
        segmentIndex: 1,
        status: 'failed',
        error: { code: 'fal-server', message: 'fal had a server error' },
      }),
    ]
    await a.save(jobs)
    expect(await journal().open()).toEqual(jobs)
  })

  it('imports a journal.json from before the shared journal once, with nobody owning its jobs', async () => {
    const old = [job(1, { status: 'running', stage: 'wait', requestId: 'req-1' }), job(2)]
    await fs.writeFile(
      path.join(dir, 'journal.json'),
      JSON.stringify({ version: 1, savedAt: '', jobs: old }),
    )
    const loaded = await journal().open()
    expect(loaded.map((j) => [j.id, j.status, j.requestId])).toEqual([
      ['job-1', 'queued', 'req-1'],
      ['job-2', 'queued', undefined],
    ])
    expect(await fs.readdir(dir)).toContain('journal.json.imported')
    expect(await journal().open()).toEqual(loaded)
  })

  it("a batch's old journal in an output folder brings only that batch's jobs, marked as the CLI batch's", async () => {
    const out = path.join(dir, 'results')
    await fs.mkdir(path.join(out, '.reanimate'), { recursive: true })
    const mine = job(1, { requestId: 'req-1', status: 'failed' })
    mine.spec.output = path.join(out, 'clip 1.reanimate.mp4')
    // Planted: outputs outside the folder, or a "source" that is not a video.
    const elsewhere = job(2, { status: 'queued' })
    elsewhere.spec.output = '/home/someone/.bashrc'
    const notVideo = job(3)
    notVideo.spec.source = '/home/someone/.ssh/id_rsa'
    notVideo.spec.output = path.join(out, 'x.mp4')
    const file = path.join(out, '.reanimate', 'journal.json')
    await fs.writeFile(file, JSON.stringify({ version: 1, jobs: [mine, elsewhere, notVideo] }))
    const j = journal()
    await j.open()
    expect(await j.importLegacy(file)).toBe(1)
    expect([...j.view()].map((x) => [x.id, x.origin, x.requestId])).toEqual([
      ['job-1', 'batch', 'req-1'],
    ])
  })

  it('refuses a journal written by a newer version instead of overwriting it', async () => {
    await fs.mkdir(path.join(dir, 'journal'))
    const newer = JSON.stringify({
      format: 'reanimate-append-log',
      name: 'journal',
      version: 99,
      generation: 3,
      state: [],
    })
    await fs.writeFile(path.join(dir, 'journal', 'journal.snapshot.json'), newer)
    await expect(journal().open()).rejects.toThrow(/newer version of Reanimate/)
    expect(await fs.readFile(path.join(dir, 'journal', 'journal.snapshot.json'), 'utf8')).toBe(
      newer,
    )
  })

  it('a state change writes a few hundred bytes, whether the journal holds 10 jobs or 1,000', async () => {
    const perChange = async (jobCount: number) => {
      const j = journal()
      await j.open()
      const jobs = Array.from({ length: jobCount }, (_, i) => job(i))
      for (let i = 0; i < jobs.length; i += 100) await j.save(jobs.slice(i, i + 100))
      const before = { bytes: j.stats.bytesWritten, compactions: j.stats.compactions }
      let changes = 0
      // Renders running through their lives on top of the existing jobs: enough changes that the
      // log is folded into a snapshot at least once, so that cost is counted too.
      for (let i = 0; i < 450; i++) changes += await lifeOf(j, job(100_000 + i))
      return {
        bytes: (j.stats.bytesWritten - before.bytes) / changes,
        compactions: j.stats.compactions - before.compactions,
      }
    }
    const small = await perChange(10)
    await fs.rm(path.join(dir, 'journal'), { recursive: true })
    const large = await perChange(1000)
    console.warn(
      `journal: ${small.bytes.toFixed(0)} B per state change with 10 jobs (${small.compactions} compactions), ` +
        `${large.bytes.toFixed(0)} B with 1,000 jobs (${large.compactions} compactions)`,
    )
    expect(small.compactions).toBeGreaterThan(0)
    expect(large.compactions).toBeGreaterThan(0)
    // A rewrite of 1,000 jobs per change would be ~1 MB; a record is ~240 B and compaction at
    // most doubles that over time.
    expect(small.bytes).toBeLessThan(700)
    expect(large.bytes).toBeLessThan(700)
  })

  it('two journals on one folder see each other’s changes, and neither overwrites the other', async () => {
    const a = journal()
    const b = journal()
    await a.open()
    await b.open()
    const seenByA: string[] = []
    a.onForeignChange = (changed) => {
      if (changed !== 'all') seenByA.push(...changed)
    }
    await a.save([job(1)])
    await b.save([job(2)])
    await a.save([job(1, { status: 'done', stage: 'done' })])
    await b.save([job(2, { status: 'abandoned', requestId: 'req-2' })])
    await a.refresh()
    expect(seenByA).toContain('job-2')
    const fresh = await journal().open()
    expect(fresh.map((j) => [j.id, j.status, j.requestId])).toEqual([
      ['job-1', 'done', undefined],
      ['job-2', 'abandoned', 'req-2'],
    ])
  })
})
