import fs from 'node:fs/promises'
import path from 'node:path'
import type { Job } from '../../shared/jobs'
import { isVideoName } from '../../shared/video-files'
import { AppendLog } from '../storage/append-log'
import { FileLock } from '../storage/file-lock'
import type { ProcessRegistry } from '../storage/process-registry'
import { applyJobRecord, diffJob, type JobRecord } from './journal-records'

/** Which jobs changed in a look at the journal: some ids, or all of them after a reload. */
export type Changed = Set<string> | 'all'

export interface JournalOptions {
  /** How long to wait for another process's lock before saying who holds it. */
  lockWaitMs?: number
  /** Log size below which the journal never compacts (tests make it small). */
  compactMinBytes?: number
}

function changedBy(seen: { records: JobRecord[]; reloaded: boolean }): Changed {
  return seen.reloaded ? 'all' : new Set(seen.records.map((r) => r.id))
}

/**
 * Every render's record, in `<data folder>/journal/`, shared by the app, CLI runs and batches at
 * once. A change is one appended line (the fields that changed), written under a file lock after
 * reading what the others appended, so no process overwrites another's news.
 */
export class Journal {
  readonly dir: string
  private readonly log: AppendLog<Map<string, Job>, JobRecord>
  /** Called with what other processes changed, before any decision is taken on it. */
  onForeignChange: (changed: Changed) => void = () => undefined

  constructor(
    readonly dataDir: string,
    registry: ProcessRegistry,
    options: JournalOptions = {},
  ) {
    this.dir = path.join(dataDir, 'journal')
    const lock = new FileLock(path.join(this.dir, 'journal.lock'), registry.self, {
      what: `The job journal in ${dataDir}`,
      ...(options.lockWaitMs !== undefined ? { waitMs: options.lockWaitMs } : {}),
    })
    this.log = new AppendLog(
      this.dir,
      {
        name: 'journal',
        version: 1,
        empty: () => new Map<string, Job>(),
        apply: applyJobRecord,
        toSnapshot: (jobs) => [...jobs.values()],
        fromSnapshot: (data) =>
          Array.isArray(data) ? new Map((data as Job[]).map((j) => [j.id, j])) : null,
      },
      lock,
      options.compactMinBytes !== undefined ? { compactMinBytes: options.compactMinBytes } : {},
    )
  }

  get stats() {
    return this.log.stats
  }

  /** Loads the journal; a journal.json from before the shared journal is imported once. */
  async open(): Promise<Job[]> {
    await this.log.open(async () => {
      const legacy = path.join(this.dataDir, 'journal.json')
      const jobs = await readLegacyJournal(legacy)
      if (jobs.length) await fs.rename(legacy, `${legacy}.imported`).catch(() => undefined)
      return jobs.map((j) => diffJob(undefined, j)).filter((r): r is JobRecord => r !== null)
    })
    return this.list()
  }

  /** The jobs as the journal has them (copies). */
  list(): Job[] {
    return [...this.log.state.values()].map((j) => structuredClone(j))
  }

  /** The jobs as the journal has them, without copying. Never modify them. */
  view(): Iterable<Readonly<Job>> {
    return this.log.state.values()
  }

  get(id: string): Job | undefined {
    const job = this.log.state.get(id)
    return job ? structuredClone(job) : undefined
  }

  /** Reads what other processes wrote since the last look. */
  async refresh(): Promise<Changed> {
    const seen = await this.log.refresh()
    const changed = changedBy(seen)
    if (changed === 'all' || changed.size) this.onForeignChange(changed)
    return changed
  }

  private queued = new Map<string, Job>()
  private nextFlush: Promise<void> | null = null
  private lastFlush: Promise<unknown> = Promise.resolve()

  /**
   * Writes what changed in these jobs since the journal last saw them; resolves once it is on
   * disk. Group commit: saves that arrive while a write is under way go out together in the next
   * one, under one lock and one fsync, so forty jobs at fal do not queue forty fsyncs.
   */
  save(jobs: readonly Job[]): Promise<void> {
    for (const job of jobs) this.queued.set(job.id, job)
    if (!this.nextFlush) {
      const flush = this.lastFlush.then(() => {
        const batch = [...this.queued.values()]
        this.queued.clear()
        this.nextFlush = null
        return this.transact(() => ({ save: batch, result: undefined }))
      })
      this.nextFlush = flush
      this.lastFlush = flush.catch(() => undefined)
    }
    return this.nextFlush
  }

  /**
   * Decides on the latest state under the lock: `fn` sees every job as it is on disk now (after
   * `onForeignChange` has merged others' news) and returns the jobs to save.
   */
  async transact<T>(
    fn: (jobs: ReadonlyMap<string, Job>) => { save: readonly Job[]; result: T },
  ): Promise<T> {
    const { result } = await this.log.transact((state, seen) => {
      const changed = changedBy(seen)
      if (changed === 'all' || changed.size) this.onForeignChange(changed)
      const decided = fn(state)
      const records = decided.save
        .map((job) => diffJob(state.get(job.id), job))
        .filter((r): r is JobRecord => r !== null)
      return { records, result: decided.result }
    })
    return result
  }

  /** Brings jobs from an older journal file (a batch's `.reanimate/journal.json`) in, once. */
  async importLegacy(file: string): Promise<number> {
    const jobs = batchJobsOnly(await readLegacyJournal(file), path.dirname(path.dirname(file)))
    if (!jobs.length) return 0
    const added = await this.transact((state) => {
      const fresh = jobs.filter((j) => !state.has(j.id))
      return { save: fresh, result: fresh.length }
    })
    await fs.rename(file, `${file}.imported`).catch(() => undefined)
    return added
  }
}

/** Jobs from a version-1 `journal.json` (or its `.bak`), with nobody owning them. */
async function readLegacyJournal(file: string): Promise<Job[]> {
  for (const candidate of [file, `${file}.bak`]) {
    try {
      const data = JSON.parse(await fs.readFile(candidate, 'utf8')) as { jobs?: Job[] }
      if (Array.isArray(data.jobs))
        return data.jobs.map((j) => ({
          ...j,
          logs: Array.isArray(j.logs) ? j.logs : [],
          status: j.status === 'running' ? 'queued' : j.status,
        }))
    } catch {
      // missing or damaged: try the backup
    }
  }
  return []
}

/**
 * A batch's old journal lies in the output folder the user chose, but its contents are not their
 * choice: only that batch's own jobs come in (a video source, an output inside the folder), marked
 * as the CLI batch's, so the window is never granted their files and the app never runs them as its
 * own.
 */
export function batchJobsOnly(jobs: Job[], outDir: string): Job[] {
  const root = path.resolve(outDir) + path.sep
  return jobs
    .filter(
      (j) =>
        typeof j?.id === 'string' &&
        typeof j.spec?.source === 'string' &&
        isVideoName(j.spec.source) &&
        typeof j.spec.output === 'string' &&
        path.resolve(j.spec.output).startsWith(root),
    )
    .map((j) => ({ ...j, origin: 'batch' as const }))
}
