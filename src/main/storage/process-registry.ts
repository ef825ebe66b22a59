import crypto from 'node:crypto'
import fsSync from 'node:fs'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { makeFolder } from './make-folder'

/** Who a Reanimate process is, as other processes on the same data folder see it. */
export interface ProcessInfo {
  id: string
  pid: number
  host: string
  /** What the user started: "Reanimate app", "reanimate batch", ... */
  command: string
  startedAt: string
}

/** A heartbeat older than this means the process is gone (or its pid was reused). */
export const HEARTBEAT_STALE_MS = 60_000
const HEARTBEAT_EVERY_MS = 15_000

/** True when a process with this pid exists on this machine. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** "reanimate batch (pid 1234, since 10:02)" — how messages name another process. */
export function describeProcess(info: Pick<ProcessInfo, 'command' | 'pid' | 'host' | 'startedAt'>) {
  const since = new Date(info.startedAt)
  const clock = Number.isNaN(since.getTime()) ? '' : `, since ${since.toTimeString().slice(0, 5)}`
  const host = info.host === os.hostname() ? '' : ` on ${info.host}`
  return `${info.command} (pid ${info.pid}${host}${clock})`
}

/**
 * The Reanimate processes using one data folder: the app, CLI runs, batches. Each registers a small
 * file with a heartbeat; a job records the id of the process running it, so another process can
 * tell "someone is on it" from "its runner died" and never runs the same job twice at once.
 */
export class ProcessRegistry {
  readonly self: ProcessInfo
  private readonly dir: string
  private timer: NodeJS.Timeout | null = null
  private readonly cache = new Map<
    string,
    { alive: boolean; info: ProcessInfo | null; at: number }
  >()
  private readonly onExit = () => {
    try {
      fsSync.rmSync(this.file(this.self.id), { force: true })
    } catch {
      // the folder may be gone (tests) — nothing to clean then
    }
  }

  constructor(dataDir: string, command: string) {
    this.dir = path.join(dataDir, 'processes')
    this.self = {
      id: crypto.randomUUID(),
      pid: process.pid,
      host: os.hostname(),
      command,
      startedAt: new Date().toISOString(),
    }
  }

  private file(id: string): string {
    return path.join(this.dir, `${id}.json`)
  }

  async register(): Promise<void> {
    if (this.timer) return
    await makeFolder(this.dir)
    // Written whole under a temporary name, so no one ever reads half a record.
    const tmp = `${this.file(this.self.id)}.tmp`
    await fs.writeFile(tmp, JSON.stringify(this.self) + '\n')
    await fs.rename(tmp, this.file(this.self.id))
    this.timer = setInterval(() => {
      const now = new Date()
      fs.utimes(this.file(this.self.id), now, now).catch(() => undefined)
    }, HEARTBEAT_EVERY_MS)
    this.timer.unref()
    process.once('exit', this.onExit)
    await this.sweep()
  }

  async unregister(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    process.removeListener('exit', this.onExit)
    await fs.rm(this.file(this.self.id), { force: true })
  }

  /** The process's record, or null when it never registered or has gone. */
  async info(id: string): Promise<ProcessInfo | null> {
    return (await this.lookup(id)).info
  }

  /** Is the process with this id still running? Answers are cached for a second. */
  async isAlive(id: string): Promise<boolean> {
    if (id === this.self.id) return true
    return (await this.lookup(id)).alive
  }

  private async lookup(id: string): Promise<{ alive: boolean; info: ProcessInfo | null }> {
    const cached = this.cache.get(id)
    if (cached && Date.now() - cached.at < 1000) return cached
    let info: ProcessInfo | null = null
    let alive = false
    try {
      const file = this.file(id)
      const [text, st] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)])
      info = JSON.parse(text) as ProcessInfo
      const fresh = Date.now() - st.mtimeMs < HEARTBEAT_STALE_MS
      alive = fresh && (info.host !== os.hostname() || pidAlive(info.pid))
    } catch {
      // no record: never registered, or it exited cleanly
    }
    const entry = { alive, info, at: Date.now() }
    this.cache.set(id, entry)
    return entry
  }

  /** Every other live process on this data folder. */
  async others(): Promise<ProcessInfo[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[])
    const out: ProcessInfo[] = []
    for (const name of names) {
      const id = name.replace(/\.json$/, '')
      if (id === this.self.id || !name.endsWith('.json')) continue
      const { alive, info } = await this.lookup(id)
      if (alive && info) out.push(info)
    }
    return out
  }

  /** Removes the records of processes that died without cleaning up (a crash, kill -9). */
  private async sweep(): Promise<void> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[])
    for (const name of names) {
      const id = name.replace(/\.json$/, '')
      if (id === this.self.id || !name.endsWith('.json')) continue
      const { alive, info } = await this.lookup(id)
      if (info && !alive) await fs.rm(path.join(this.dir, name), { force: true })
    }
  }
}
