import fs from 'node:fs/promises'
import path from 'node:path'
import { writeJsonAtomic } from '../storage/json-file'

export interface UploadRecord {
  url: string
  sizeBytes: number
  uploadedAt: string
}

/**
 * Content hash of a prepared clip → its fal storage URL, kept across runs, so re-rendering a clip
 * with a new prompt uploads nothing. Entries older than `maxAgeMs` are not trusted; younger ones
 * are still checked (HEAD) before use, because fal may expire files earlier.
 */
export class UploadCache {
  private entries: Record<string, UploadRecord> | null = null
  private writing: Promise<void> = Promise.resolve()

  constructor(
    private readonly file: string,
    private readonly maxAgeMs = 24 * 60 * 60 * 1000,
  ) {}

  private async load(): Promise<Record<string, UploadRecord>> {
    if (this.entries) return this.entries
    try {
      const raw = JSON.parse(await fs.readFile(this.file, 'utf8')) as {
        entries?: Record<string, UploadRecord>
      }
      this.entries = raw.entries && typeof raw.entries === 'object' ? raw.entries : {}
    } catch {
      this.entries = {}
    }
    return this.entries
  }

  async get(hash: string, now = Date.now()): Promise<UploadRecord | undefined> {
    const rec = (await this.load())[hash]
    if (!rec) return undefined
    if (now - Date.parse(rec.uploadedAt) > this.maxAgeMs) return undefined
    return rec
  }

  async set(hash: string, record: UploadRecord): Promise<void> {
    const entries = await this.load()
    entries[hash] = record
    await this.persist()
  }

  async delete(hash: string): Promise<void> {
    const { [hash]: _gone, ...rest } = await this.load()
    this.entries = rest
    await this.persist()
  }

  private persist(): Promise<void> {
    // Serialise writes so two uploads finishing together cannot interleave.
    this.writing = this.writing.then(async () => {
      await fs.mkdir(path.dirname(this.file), { recursive: true })
      await writeJsonAtomic(this.file, { version: 1, entries: this.entries ?? {} })
    })
    return this.writing
  }
}
