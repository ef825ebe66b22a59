import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseRenderParams, TURBO } from '../../shared/endpoints'
import type { Job } from '../../shared/jobs'
import { Journal, JOURNAL_VERSION } from './journal'

let dir: string

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-journal-'))
})
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

function params(prompt: string) {
  const parsed = parseRenderParams(TURBO, { prompt })
  if (!parsed.ok) throw new Error(`bad params: ${JSON.stringify(parsed.issues)}`)
  return parsed.params
}

function job(n: number, overrides: Partial<Job> = {}): Job {
  const now = new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString()
  return {
    id: `job-${n}`,
    spec: {
      source: `/videos/clip ${n}.mp4`,
      range: { startSec: n, endSec: n + 2 },
      endpoint: TURBO,
      params: params(`prompt number ${n}`),
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

const readJson = async (file: string) =>
  JSON.parse(await fs.readFile(file, 'utf8')) as { version: number; jobs: Job[] }

describe('Journal', () => {
  it('starts empty when there is no journal, without quarantining anything', async () => {
    const loaded = await new Journal(path.join(dir, 'not-yet')).load()
    expect(loaded).toEqual({ jobs: [], from: 'empty' })
  })

  it('round-trips jobs through disk', async () => {
    const jobs: Job[] = [
      job(1),
      job(2, {
        stage: 'wait',
        status: 'running',
        requestId: 'req-2',
        submittedAt: '2025-01-01T00:00:10.000Z',
        uploadUrl: 'https://v3.fal.media/files/x/clip.mp4',
        uploadCached: true,
        attempts: 1,
      }),
      job(3, {
        parentId: 'job-9',
        segmentIndex: 1,
        stage: 'done',
        status: 'failed',
        error: { code: 'fal-server', message: 'fal had a server error' },
      }),
    ]
    const journal = new Journal(dir)
    await journal.save(jobs)

    const onDisk = await readJson(journal.file)
    expect(onDisk.version).toBe(JOURNAL_VERSION)

    const loaded = await new Journal(dir).load()
    expect(loaded.from).toBe('journal')
    expect(loaded.quarantined).toBeUndefined()
    expect(loaded.jobs).toEqual(jobs)
  })

  it('saves a snapshot: later changes to the jobs do not leak into a pending save', async () => {
    const journal = new Journal(dir)
    const jobs = [job(1)]
    const pending = journal.save(jobs)
    ;(jobs[0] as Job).status = 'done'
    jobs.push(job(2))
    await pending
    const loaded = await journal.load()
    expect(loaded.jobs).toEqual([job(1)])
  })

  it('serialises concurrent saves: the file ends with the last snapshot, the backup with the one before', async () => {
    const journal = new Journal(dir)
    const snapshots = Array.from({ length: 20 }, (_, i) =>
      Array.from({ length: i + 1 }, (_, k) => job(k, { attempts: i })),
    )
    await Promise.all(snapshots.map((s) => journal.save(s)))

    const main = await readJson(journal.file)
    expect(main.jobs).toEqual(snapshots[19])
    const backup = await readJson(journal.backup)
    expect(backup.jobs).toEqual(snapshots[18])
    // No temp files left behind by the atomic writes.
    expect((await fs.readdir(dir)).sort()).toEqual(['journal.json', 'journal.json.bak'])
  })

  it('loads the backup when the journal was cut off mid-write, keeping the damaged file aside', async () => {
    const journal = new Journal(dir)
    const first = [job(1), job(2)]
    const second = [job(1, { status: 'done', stage: 'done' }), job(2), job(3)]
    await journal.save(first)
    await journal.save(second)

    const whole = await fs.readFile(journal.file)
    const cut = whole.subarray(0, Math.floor(whole.length / 2))
    await fs.writeFile(journal.file, cut)

    const loaded = await new Journal(dir).load()
    expect(loaded.from).toBe('backup')
    expect(loaded.jobs).toEqual(first)
    expect(loaded.quarantined).toBeDefined()
    const quarantined = loaded.quarantined as string
    expect(path.dirname(quarantined)).toBe(dir)
    expect(quarantined).not.toBe(journal.file)
    expect(quarantined).not.toBe(journal.backup)
    // The damaged bytes are kept, not deleted or rewritten.
    expect(Buffer.compare(await fs.readFile(quarantined), cut)).toBe(0)
    await expect(fs.access(journal.file)).rejects.toThrow()

    // The next save does not overwrite the good backup with nothing, and loads cleanly again.
    await journal.save(first)
    expect((await readJson(journal.backup)).jobs).toEqual(first)
    const again = await new Journal(dir).load()
    expect(again).toEqual({ jobs: first, from: 'journal' })
  })

  it('comes up empty, without throwing, when journal and backup are both garbage', async () => {
    const journal = new Journal(dir)
    await fs.writeFile(journal.file, '{"version": 1, "jobs": [')
    await fs.writeFile(journal.backup, '\u0000\u0001 not json at all')

    const loaded = await journal.load()
    expect(loaded.from).toBe('empty')
    expect(loaded.jobs).toEqual([])
    expect(loaded.quarantined).toBeDefined()
    expect(await fs.readFile(loaded.quarantined as string, 'utf8')).toBe('{"version": 1, "jobs": [')
  })

  it('treats JSON of the wrong shape (no jobs array) as damaged', async () => {
    const journal = new Journal(dir)
    await fs.writeFile(journal.file, JSON.stringify({ version: JOURNAL_VERSION, jobs: 'nope' }))
    const loaded = await journal.load()
    expect(loaded.from).toBe('empty')
    expect(loaded.jobs).toEqual([])
  })

  it('does not load a journal written by a newer version as-is, and keeps it', async () => {
    const journal = new Journal(dir)
    const older = [job(1)]
    await journal.save(older)
    const newer = JSON.stringify({
      version: JOURNAL_VERSION + 1,
      savedAt: new Date().toISOString(),
      jobs: [job(7, { status: 'running', stage: 'wait', requestId: 'from-the-future' })],
    })
    // The backup holds the version this build understands.
    await fs.copyFile(journal.file, journal.backup)
    await fs.writeFile(journal.file, newer)

    const loaded = await new Journal(dir).load()
    expect(loaded.from).not.toBe('journal')
    expect(loaded.jobs.map((j) => j.id)).not.toContain('job-7')
    expect(loaded.from).toBe('backup')
    expect(loaded.jobs).toEqual(older)
    // The newer file is not lost.
    expect(loaded.quarantined).toBeDefined()
    expect(await fs.readFile(loaded.quarantined as string, 'utf8')).toBe(newer)
  })

  it('does not load a newer journal even when there is no backup', async () => {
    const journal = new Journal(dir)
    await fs.mkdir(dir, { recursive: true })
    await fs.writeFile(
      journal.file,
      JSON.stringify({ version: JOURNAL_VERSION + 1, savedAt: '', jobs: [job(1)] }),
    )
    const loaded = await journal.load()
    expect(loaded.from).toBe('empty')
    expect(loaded.jobs).toEqual([])
  })
})
