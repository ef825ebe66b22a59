import crypto from 'node:crypto'
import type { JobSpec } from '../../shared/jobs'

/**
 * A render's identity: the source (path, size, mtime), range, endpoint, parameters, size and fps,
 * plus `extra` (segments, local LoRA files as they are now). The same key means the same render, so
 * a finished one is not paid for again and an unfinished one is collected.
 */
export function specKey(
  spec: Omit<JobSpec, 'output' | 'key' | 'overwrite'>,
  sourceIdentity: string,
  extra: unknown[] = [],
): string {
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
    // Only when there is something: keys of plain renders stay what they were.
    ...(extra.length ? [extra] : []),
  ])
  return crypto.createHash('sha256').update(canonical).digest('hex').slice(0, 24)
}
