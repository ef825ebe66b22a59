import fs from 'node:fs/promises'
import path from 'node:path'
import { AppendLog } from '../storage/append-log'
import { FileLock } from '../storage/file-lock'
import type { ProcessInfo } from '../storage/process-registry'

export interface UploadRecord {
  url: string
  sizeBytes: number
  uploadedAt: string
}

/** One line of the cache's log: an upload made, or one found gone. */
type CacheRecord = { h: string } & (UploadRecord | { gone: true })

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Content hash of a prepared clip (or LoRA) → its fal storage URL, kept across runs and shared by
 * every process on the data folder, so re-rendering a clip with a new prompt uploads nothing.
 * Entries older than `maxAgeMs` are not trusted (and dropped when the log is folded); younger ones
 * are still checked (HEAD) before use, because fal may expire files earlier. Each upload appends
 * one line, so a 1,000-clip batch does not rewrite the cache 1,000 times.
 */
export class UploadCache {
  private readonly log: AppendLog<Map<string, UploadRecord>, CacheRecord>
  private opened: Promise<void> | null = null

  constructor(
    private readonly dataDir: string,
    who: Pick<ProcessInfo, 'pid' | 'host' | 'command' | 'startedAt'>,
    private readonly maxAgeMs = DAY_MS,
  ) {
    const dir = path.join(dataDir, 'uploads')
    const fresh = (r: UploadRecord) => Date.now() - Date.parse(r.uploadedAt) <= this.maxAgeMs
    this.log = new AppendLog(
      dir,
      {
        name: 'uploads',
        version: 1,
        empty: () => new Map(),
        apply: (state, r) => {
          if (typeof r?.h !== 'string') return
          if ('gone' in r) state.delete(r.h)
          else state.set(r.h, { url: r.url, sizeBytes: r.sizeBytes, uploadedAt: r.uploadedAt })
        },
        toSnapshot: (state) => Object.fromEntries([...state].filter(([, r]) => fresh(r))),
        fromSnapshot: (data) =>
          data && typeof data === 'object'
            ? new Map(Object.entries(data as Record<string, UploadRecord>))
            : null,
      },
      new FileLock(path.join(dir, 'uploads.lock'), who, {
        what: `The upload cache in ${dataDir}`,
      }),
    )
  }

  private open(): Promise<void> {
    this.opened ??= this.log.open(() => this.legacy())
    return this.opened
  }

  /** The single-file cache of earlier versions, brought in once. */
  private async legacy(): Promise<CacheRecord[]> {
    const file = path.join(this.dataDir, 'upload-cache.json')
    try {
      const raw = JSON.parse(await fs.readFile(file, 'utf8')) as {
        entries?: Record<string, UploadRecord>
      }
      await fs.rename(file, `${file}.imported`).catch(() => undefined)
      return Object.entries(raw.entries ?? {}).map(([h, r]) => ({ h, ...r }))
    } catch {
      return []
    }
  }

  async get(hash: string, now = Date.now()): Promise<UploadRecord | undefined> {
    await this.open()
    // Another process may have uploaded the same clip since we last looked.
    await this.log.refresh()
    const rec = this.log.state.get(hash)
    if (!rec) return undefined
    if (now - Date.parse(rec.uploadedAt) > this.maxAgeMs) return undefined
    return rec
  }

  async set(hash: string, record: UploadRecord): Promise<void> {
    await this.open()
    await this.log.transact(() => ({ records: [{ h: hash, ...record }], result: undefined }))
  }

  async delete(hash: string): Promise<void> {
    await this.open()
    await this.log.transact(() => ({ records: [{ h: hash, gone: true }], result: undefined }))
  }

  get bytesWritten(): number {
    return this.log.stats.bytesWritten
  }
}
