import path from 'node:path'
import type { JobProgress } from '../shared/jobs'
import type { FalConnection } from '../main/fal/client'
import { Journal } from '../main/jobs/journal'
import { JobRunner } from '../main/jobs/runner'
import type { Services } from '../main/services'

/** A job runner over a journal folder, for one CLI invocation. */
export function jobSession(
  services: Services,
  conn: FalConnection,
  o: {
    stateDir: string
    workDir?: string
    concurrency: number
    pollMs?: number
    onProgress?: (p: JobProgress) => void
  },
) {
  const journal = new Journal(o.stateDir)
  const deps = services.executorDeps(conn, {
    workDir: o.workDir ?? path.join(o.stateDir, 'work'),
    ...(o.pollMs ? { pollMs: o.pollMs } : {}),
  })
  return new JobRunner({
    journal,
    deps,
    concurrency: o.concurrency,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  })
}

const clock = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`

/** `wait      position 2  request abc  elapsed 0:12` — one stderr line per change of a job. */
export function jobLine(p: JobProgress, label = ''): string {
  const parts = [label ? `${label}  ${p.stage}` : p.stage.padEnd(8)]
  if (p.status !== 'running') parts.push(p.status)
  if (p.fraction !== undefined) parts.push(`${Math.round(p.fraction * 100)}%`)
  if (p.queuePosition !== undefined) parts.push(`queue position ${p.queuePosition}`)
  if (p.requestId) parts.push(`request ${p.requestId}`)
  parts.push(`elapsed ${clock(p.elapsedSec)}`)
  return parts.join('  ')
}
