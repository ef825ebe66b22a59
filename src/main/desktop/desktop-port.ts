import fs from 'node:fs'

/**
 * What the OS shows of the app outside its window: the taskbar or dock progress. Electron sets the
 * window's progress bar; `reanimate ui` has no taskbar entry of its own.
 */
export interface DesktopPort {
  /** Overall progress from 0 to 1, or null to clear it. */
  setProgress(fraction: number | null): void
  /** A project the user opened or saved: the OS's recent documents (dock menu, Jump List). */
  addRecentDocument?(file: string): void
}

export const noDesktop: DesktopPort = { setProgress: () => undefined }

/**
 * Tests only: with REANIMATE_TEST_DESKTOP_LOG=<file> set, each call is appended to that file as a
 * JSON line ({"progress": 0.5}), so an end-to-end test can see what the taskbar would show.
 */
export function desktopFromEnv(env: NodeJS.ProcessEnv): DesktopPort {
  const log = env.REANIMATE_TEST_DESKTOP_LOG
  if (!log) return noDesktop
  return {
    setProgress: (fraction) =>
      fs.appendFileSync(log, JSON.stringify({ progress: fraction }) + '\n'),
  }
}

/**
 * Overall progress of every batch running at once: finished clips over all their clips. Reported
 * when it changes; cleared when the last batch ends.
 */
export class BatchProgress {
  private readonly batches = new Map<
    string,
    { jobIds: readonly string[]; settled: Set<string>; ended: boolean }
  >()
  private last: number | null = null

  constructor(private readonly port: DesktopPort) {}

  start(batchId: string, jobIds: string[]): void {
    this.batches.set(batchId, { jobIds, settled: new Set(), ended: false })
    this.report()
  }

  /** A job of some batch ended (done, failed, cancelled). */
  settled(jobId: string): void {
    for (const b of this.batches.values()) if (b.jobIds.includes(jobId)) b.settled.add(jobId)
    this.report()
  }

  /** Whether a job belongs to a batch running now (its end is told with the batch's). */
  includes(jobId: string): boolean {
    for (const b of this.batches.values()) if (b.jobIds.includes(jobId)) return true
    return false
  }

  finish(batchId: string): void {
    const b = this.batches.get(batchId)
    if (!b) return
    b.ended = true
    this.report()
    this.batches.delete(batchId)
    if (this.batches.size === 0) this.set(null)
  }

  private report(): void {
    let total = 0
    let settled = 0
    for (const b of this.batches.values()) {
      total += b.jobIds.length
      settled += b.ended ? b.jobIds.length : b.settled.size
    }
    this.set(total === 0 ? (this.batches.size ? 1 : null) : settled / total)
  }

  private set(fraction: number | null): void {
    if (fraction === this.last) return
    this.last = fraction
    this.port.setProgress(fraction)
  }
}
