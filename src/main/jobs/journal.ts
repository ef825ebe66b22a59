import fs from 'node:fs/promises'
import path from 'node:path'
import type { Job } from '../../shared/jobs'
import { writeJsonAtomic } from '../storage/json-file'

export const JOURNAL_VERSION = 1

interface JournalFile {
  version: number
  savedAt: string
  jobs: Job[]
}

export interface LoadResult {
  jobs: Job[]
  /** Where the jobs came from: the journal, its backup after damage, or nothing (fresh start). */
  from: 'journal' | 'backup' | 'empty'
  /** A damaged journal is kept aside under this name, never deleted. */
  quarantined?: string
}

function parse(text: string): JournalFile | null {
  try {
    const data = JSON.parse(text) as Partial<JournalFile>
    if (
      typeof data.version !== 'number' ||
      data.version > JOURNAL_VERSION ||
      !Array.isArray(data.jobs)
    )
      return null
    return { version: data.version, savedAt: String(data.savedAt ?? ''), jobs: data.jobs }
  } catch {
    return null
  }
}

/**
 * Every job, on disk, after every change. Each save writes a temp file, fsyncs it and renames it
 * over `journal.json`; the previous good journal is first copied to `journal.json.bak`. A journal
 * cut off mid-write (a crash, a full disk, a hand edit) is set aside and the backup is used.
 */
export class Journal {
  readonly file: string
  readonly backup: string
  private chain: Promise<unknown> = Promise.resolve()

  constructor(dir: string) {
    this.file = path.join(dir, 'journal.json')
    this.backup = `${this.file}.bak`
  }

  async load(): Promise<LoadResult> {
    const main = await fs.readFile(this.file, 'utf8').catch(() => null)
    const parsed = main === null ? null : parse(main)
    if (parsed) return { jobs: parsed.jobs, from: 'journal' }
    let quarantined: string | undefined
    if (main !== null) {
      quarantined = `${this.file}.damaged-${Date.now()}`
      await fs.rename(this.file, quarantined).catch(() => undefined)
    }
    const bak = await fs.readFile(this.backup, 'utf8').catch(() => null)
    const fromBackup = bak === null ? null : parse(bak)
    if (fromBackup)
      return { jobs: fromBackup.jobs, from: 'backup', ...(quarantined ? { quarantined } : {}) }
    return { jobs: [], from: 'empty', ...(quarantined ? { quarantined } : {}) }
  }

  /** Saves are serialised: the file always holds one complete snapshot, the latest. */
  save(jobs: readonly Job[]): Promise<void> {
    const snapshot: JournalFile = {
      version: JOURNAL_VERSION,
      savedAt: new Date().toISOString(),
      jobs: structuredClone([...jobs]),
    }
    const next = this.chain.then(async () => {
      await fs.mkdir(path.dirname(this.file), { recursive: true })
      const current = await fs.readFile(this.file, 'utf8').catch(() => null)
      if (current !== null && parse(current)) await writeFileAtomicText(this.backup, current)
      await writeJsonAtomic(this.file, snapshot)
    })
    this.chain = next.catch(() => undefined)
    return next
  }
}

async function writeFileAtomicText(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`
  await fs.writeFile(tmp, text)
  await fs.rename(tmp, file)
}
