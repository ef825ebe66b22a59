import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import { AppError } from '../../shared/errors'
import { describeProcess, pidAlive, type ProcessInfo } from './process-registry'

/** What a lock file holds: who has it, since when. */
interface Holder extends Pick<ProcessInfo, 'pid' | 'host' | 'command' | 'startedAt'> {
  token: string
  since: string
}

export interface FileLockOptions {
  /** How long to wait for another process before giving up with a message naming it. */
  waitMs?: number
  /**
   * A lock older than this is taken over even if its holder seems alive: holds last milliseconds,
   * so this means a hung process or a reused pid.
   */
  staleMs?: number
  /** Says what the lock protects, for the error message ("the job journal in …"). */
  what: string
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * A lock between processes: a file created with O_EXCL that names its holder. Chosen over
 * proper-lockfile (a bare folder) for two reasons: a holder killed with kill -9 is recognised at
 * once by its pid, so nobody waits out a stale period; and a process that cannot get the lock can
 * say who has it.
 */
export class FileLock {
  private held: string | null = null
  private readonly waitMs: number
  private readonly staleMs: number

  constructor(
    readonly file: string,
    private readonly who: Pick<ProcessInfo, 'pid' | 'host' | 'command' | 'startedAt'>,
    private readonly options: FileLockOptions,
  ) {
    this.waitMs = options.waitMs ?? 15_000
    this.staleMs = options.staleMs ?? 30_000
  }

  get isHeld(): boolean {
    return this.held !== null
  }

  async acquire(): Promise<void> {
    if (this.held) throw new Error(`${this.file} is already held by this process`)
    const deadline = Date.now() + this.waitMs
    let pause = 1
    for (;;) {
      const token = crypto.randomUUID()
      const holder: Holder = { ...this.who, token, since: new Date().toISOString() }
      try {
        const handle = await fs.open(this.file, 'wx')
        try {
          await handle.writeFile(JSON.stringify(holder))
        } finally {
          await handle.close()
        }
        this.held = token
        return
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      }
      const current = await this.readHolder()
      if (current.stale) {
        await this.breakStale(current.text)
        continue
      }
      if (Date.now() > deadline) {
        const by = current.holder ? describeProcess(current.holder) : 'another process'
        throw new AppError(
          'locked',
          `${this.options.what} is locked by ${by}. Wait for it to finish, or stop it, then try again.`,
          { file: this.file },
        )
      }
      await sleep(pause)
      pause = Math.min(pause * 2, 25)
    }
  }

  async release(): Promise<void> {
    if (!this.held) return
    const token = this.held
    this.held = null
    // Only remove our own lock: if it was taken over as stale, the file is someone else's now.
    const text = await fs.readFile(this.file, 'utf8').catch(() => '')
    if (text.includes(`"token":"${token}"`)) await fs.rm(this.file, { force: true })
  }

  async with<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire()
    try {
      return await fn()
    } finally {
      await this.release()
    }
  }

  private async readHolder(): Promise<{ text: string; holder: Holder | null; stale: boolean }> {
    let text = ''
    let mtimeMs = Date.now()
    try {
      ;[text, mtimeMs] = await Promise.all([
        fs.readFile(this.file, 'utf8'),
        fs.stat(this.file).then((s) => s.mtimeMs),
      ])
    } catch {
      // gone between our open and our read: not stale, just try again
      return { text: '', holder: null, stale: false }
    }
    let holder: Holder | null = null
    try {
      holder = JSON.parse(text) as Holder
    } catch {
      // created but not written yet, or cut off by a crash
    }
    const age = Date.now() - mtimeMs
    const stale = holder
      ? (holder.host === os.hostname() && !pidAlive(holder.pid)) || age > this.staleMs
      : age > 2000
    return { text, holder, stale }
  }

  /**
   * Takes a dead holder's lock away. The file is moved aside first and checked: if it is not the
   * one we judged stale (someone broke it and locked again in between), it is put back.
   */
  private async breakStale(seen: string): Promise<void> {
    const aside = `${this.file}.stale-${crypto.randomUUID()}`
    try {
      await fs.rename(this.file, aside)
    } catch {
      return
    }
    const moved = await fs.readFile(aside, 'utf8').catch(() => '')
    if (moved === seen) {
      await fs.rm(aside, { force: true })
      return
    }
    await fs.link(aside, this.file).catch(() => undefined)
    await fs.rm(aside, { force: true })
  }
}
