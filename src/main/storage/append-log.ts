import fs from 'node:fs/promises'
import path from 'node:path'
import { makeFolder } from './make-folder'
import { AppError } from '../../shared/errors'
import { writeJsonAtomic } from './json-file'
import type { FileLock } from './file-lock'
import { durableStep } from './crash-points'

/** How a state is built from records, and saved whole. */
export interface AppendLogSpec<S, R> {
  /** File prefix: `<name>.snapshot.json`, `<name>.<generation>.log`. */
  name: string
  /** Format of the state and records; a snapshot from a newer version is refused, never overwritten. */
  version: number
  empty(): S
  apply(state: S, record: R): void
  toSnapshot(state: S): unknown
  /** Throws (or returns null) on data it does not recognise. */
  fromSnapshot(data: unknown): S | null
}

interface SnapshotFile {
  format: 'reanimate-append-log'
  name: string
  version: number
  generation: number
  state: unknown
}

/** The line that ends a generation's log: readers go on in the next one. */
interface Marker {
  $next: number
}

export interface AppendLogStats {
  /** Bytes this process wrote: appended lines and snapshots. */
  bytesWritten: number
  /** Records this process appended. */
  records: number
  compactions: number
  /** Lines that could not be read (cut off by a crash) and were skipped. */
  damagedLines: number
}

const NEWLINE = 0x0a

/**
 * State shared by several processes as an append-only log of records (one JSON line each, fsynced)
 * on top of a snapshot. A change costs one line, whatever the size of the state; the log is folded
 * into a new snapshot when it has grown as large as the snapshot, so rewriting stays proportional to
 * the changes made. Writers take a file lock, read what others appended, then append; readers never
 * need the lock. A line cut off by a crash is skipped, never glued to the next one.
 *
 * Generations: compaction writes `{"$next": g+1}` at the end of log g, then snapshot g+1. The chain
 * of logs is the truth; a snapshot only saves reading it all, and the previous snapshot and log are
 * kept so a damaged snapshot costs nothing.
 */
export class AppendLog<S, R> {
  state: S
  readonly stats: AppendLogStats = { bytesWritten: 0, records: 0, compactions: 0, damagedLines: 0 }
  private generation = 0
  private offset = 0
  private snapshotBytes = 0
  private logBytes = 0
  private chain: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly dir: string,
    private readonly spec: AppendLogSpec<S, R>,
    private readonly lock: FileLock,
    private readonly options: { compactMinBytes?: number } = {},
  ) {
    this.state = spec.empty()
  }

  private get snapshotFile() {
    return path.join(this.dir, `${this.spec.name}.snapshot.json`)
  }
  private get previousSnapshotFile() {
    return path.join(this.dir, `${this.spec.name}.snapshot.prev.json`)
  }
  private logFile(generation: number) {
    return path.join(this.dir, `${this.spec.name}.${generation}.log`)
  }

  /** One operation at a time in this process; the file lock orders processes. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn)
    this.chain = next.catch(() => undefined)
    return next
  }

  /**
   * Loads the state. `seed` runs when nothing is on disk yet (to import an older format); its
   * records are written first. A log with records in it is folded into a snapshot now.
   */
  open(seed?: () => Promise<R[]>): Promise<void> {
    return this.serial(async () => {
      await makeFolder(this.dir)
      await this.lock.with(async () => {
        const fresh = await this.reload(true)
        if (fresh && seed) {
          const records = await seed()
          if (records.length) await this.write(records)
        }
        if (this.logBytes > Math.max(64 * 1024, this.snapshotBytes / 2)) await this.compact()
      })
    })
  }

  /** Reads what other processes appended since the last look. */
  refresh(): Promise<{ records: R[]; reloaded: boolean }> {
    return this.serial(() => this.readNew(false))
  }

  /**
   * Under the lock, with everything appended so far applied: `fn` decides on the latest state and
   * returns the records to append. They are on disk (fsynced) when this resolves.
   */
  transact<T>(
    fn: (state: S, seen: { records: R[]; reloaded: boolean }) => { records: R[]; result: T },
  ): Promise<{ result: T; records: R[] }> {
    return this.serial(() =>
      this.lock.with(async () => {
        const seen = await this.readNew(true)
        const { records, result } = fn(this.state, seen)
        if (records.length) await this.write(records)
        if (
          this.logBytes > Math.max(this.options.compactMinBytes ?? 256 * 1024, this.snapshotBytes)
        )
          await this.compact()
        return { result, records }
      }),
    )
  }

  /** Starts over from the snapshot; true when there was nothing on disk at all. */
  private async reload(locked: boolean): Promise<boolean> {
    let snap = await readSnapshot(this.snapshotFile, this.spec)
    if (!snap) snap = await readSnapshot(this.previousSnapshotFile, this.spec)
    this.state = snap?.state ?? this.spec.empty()
    this.generation = snap?.generation ?? 0
    this.snapshotBytes = snap?.bytes ?? 0
    this.offset = 0
    this.logBytes = 0
    await this.readNew(locked, true)
    return !snap && this.logBytes === 0
  }

  private async readNew(
    locked: boolean,
    reloading = false,
  ): Promise<{ records: R[]; reloaded: boolean }> {
    const records: R[] = []
    for (;;) {
      let data: Buffer
      try {
        data = await readFrom(this.logFile(this.generation), this.offset)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
        // Our log was removed by two compactions since we last looked: start from the snapshot.
        const snap = await readSnapshot(this.snapshotFile, this.spec)
        if (!reloading && snap && snap.generation > this.generation) {
          await this.reload(locked)
          return { records: [], reloaded: true }
        }
        return { records, reloaded: false }
      }
      let start = 0
      let next: number | null = null
      for (;;) {
        const end = data.indexOf(NEWLINE, start)
        if (end < 0) break
        const line = data.subarray(start, end).toString('utf8').trim()
        start = end + 1
        if (!line) continue
        let value: unknown
        try {
          value = JSON.parse(line)
        } catch {
          this.stats.damagedLines++
          continue
        }
        if (value && typeof value === 'object' && '$next' in value) {
          next = Number((value as Marker).$next)
          break
        }
        this.spec.apply(this.state, value as R)
        records.push(value as R)
      }
      this.offset += start
      this.logBytes = Math.max(this.logBytes, this.offset)
      if (next === null) {
        // Bytes after the last newline: a line being written now, or one cut off by a crash.
        // Under the lock nobody is writing, so they are a torn line: end it so it stays apart.
        if (locked && start < data.length) {
          await this.appendRaw(Buffer.from('\n'))
          this.stats.damagedLines++
        }
        return { records, reloaded: false }
      }
      this.generation = next
      this.offset = 0
      this.logBytes = 0
    }
  }

  /** Appends under the lock; the file's size then is everything read so far plus this. */
  private async appendRaw(buffer: Buffer): Promise<void> {
    const handle = await fs.open(this.logFile(this.generation), 'a')
    let size: number
    try {
      await handle.write(buffer)
      await handle.datasync()
      size = (await handle.stat()).size
    } finally {
      await handle.close()
    }
    durableStep(`appended to ${this.spec.name}`)
    this.offset = size
    this.logBytes = size
    this.stats.bytesWritten += buffer.length
  }

  private async write(records: R[]): Promise<void> {
    const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n'
    await this.appendRaw(Buffer.from(text))
    for (const r of records) this.spec.apply(this.state, r)
    this.stats.records += records.length
  }

  /** Ends log g with a pointer to g+1, saves the state as snapshot g+1, drops what is two behind. */
  private async compact(): Promise<void> {
    const from = this.generation
    const next = from + 1
    await this.appendRaw(Buffer.from(JSON.stringify({ $next: next } satisfies Marker) + '\n'))
    const snapshot: SnapshotFile = {
      format: 'reanimate-append-log',
      name: this.spec.name,
      version: this.spec.version,
      generation: next,
      state: this.spec.toSnapshot(this.state),
    }
    await fs.rename(this.snapshotFile, this.previousSnapshotFile).catch(() => undefined)
    durableStep(`moved ${this.spec.name}'s snapshot aside`)
    this.snapshotBytes = await writeJsonAtomic(this.snapshotFile, snapshot, { compact: true })
    this.stats.bytesWritten += this.snapshotBytes
    this.stats.compactions++
    this.generation = next
    this.offset = 0
    this.logBytes = 0
    // Log `from` stays, with the previous snapshot, in case the new snapshot is ever damaged.
    for (const name of await fs.readdir(this.dir)) {
      const m = new RegExp(`^${escape(this.spec.name)}\\.(\\d+)\\.log$`).exec(name)
      if (m && Number(m[1]) < from) await fs.rm(path.join(this.dir, name), { force: true })
    }
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

async function readFrom(file: string, offset: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r')
  try {
    const { size } = await handle.stat()
    if (size <= offset) return Buffer.alloc(0)
    const buffer = Buffer.alloc(size - offset)
    let read = 0
    while (read < buffer.length) {
      const { bytesRead } = await handle.read(buffer, read, buffer.length - read, offset + read)
      if (bytesRead === 0) break
      read += bytesRead
    }
    return buffer.subarray(0, read)
  } finally {
    await handle.close()
  }
}

async function readSnapshot<S, R>(
  file: string,
  spec: AppendLogSpec<S, R>,
): Promise<{ state: S; generation: number; bytes: number } | null> {
  let data: Partial<SnapshotFile>
  let bytes: number
  try {
    const text = await fs.readFile(file, 'utf8')
    bytes = Buffer.byteLength(text)
    data = JSON.parse(text) as Partial<SnapshotFile>
  } catch {
    return null
  }
  if (data.format !== 'reanimate-append-log' || typeof data.generation !== 'number') return null
  if (typeof data.version === 'number' && data.version > spec.version)
    throw new AppError(
      'invalid-input',
      `${file} was written by a newer version of Reanimate; update this one to use it.`,
      { file },
    )
  try {
    const state = spec.fromSnapshot(data.state)
    return state ? { state, generation: data.generation, bytes } : null
  } catch {
    return null
  }
}
