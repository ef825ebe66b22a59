import crypto from 'node:crypto'
import type { JobSpec } from '../../shared/jobs'

/**
 * A render's identity: the source (path, size, mtime), range, endpoint, parameters, size and fps.
 * The same key means the same render, so a finished one is skipped and an unfinished one resumed.
 */
export function specKey(spec: Omit<JobSpec, 'output' | 'key'>, sourceIdentity: string): string {
  const sorted = (o: object) =>
    Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)))
  const canonical = JSON.stringify([
    sourceIdentity,
    spec.range,
    spec.endpoint,
    sorted(spec.params),
    spec.maxSide,
    spec.fps,
    spec.crossfadeSec ?? 0,
  ])
  return crypto.createHash('sha256').update(canonical).digest('hex').slice(0, 24)
}
