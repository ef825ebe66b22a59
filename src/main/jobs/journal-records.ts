import { MAX_LOG_LINES, type Job } from '../../shared/jobs'

/**
 * One change to one job, as a journal line: the fields that changed, the fields removed, and the
 * log lines added. A new job is a record that sets every field.
 */
export interface JobRecord {
  id: string
  set?: Partial<Job>
  unset?: string[]
  logs?: string[]
}

const same = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b)

/** Lines of `next` that `prev` did not have yet (logs only grow at the end, capped at the front). */
function newLogLines(prev: readonly string[], next: readonly string[]): string[] {
  if (prev.length === 0) return [...next]
  const last = prev[prev.length - 1]
  const at = next.lastIndexOf(last as string)
  return at < 0 ? [...next] : next.slice(at + 1)
}

/** The record that turns `prev` into `next`, or null when nothing changed. */
export function diffJob(prev: Job | undefined, next: Job): JobRecord | null {
  const record: JobRecord = { id: next.id }
  const set: Record<string, unknown> = {}
  const before = (prev ?? {}) as unknown as Record<string, unknown>
  const after = next as unknown as Record<string, unknown>
  for (const [key, value] of Object.entries(after)) {
    if (key === 'logs' || value === undefined) continue
    if (!same(before[key], value)) set[key] = value
  }
  const unset = Object.keys(before).filter(
    (k) => k !== 'logs' && before[k] !== undefined && after[k] === undefined,
  )
  const logs = newLogLines(prev?.logs ?? [], next.logs)
  if (Object.keys(set).length) record.set = set as Partial<Job>
  if (unset.length) record.unset = unset
  if (logs.length) record.logs = logs
  return record.set || record.unset || record.logs ? record : null
}

/** Applies a record to the jobs by id (in place); a record for an unknown job creates it. */
export function applyJobRecord(jobs: Map<string, Job>, record: JobRecord): void {
  if (!record || typeof record.id !== 'string') return
  const job = (jobs.get(record.id) ?? { id: record.id, logs: [] }) as unknown as Record<
    string,
    unknown
  >
  if (record.set) Object.assign(job, record.set)
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a record names the fields it removes
  for (const key of record.unset ?? []) delete job[key]
  const logs = Array.isArray(job.logs) ? (job.logs as string[]) : []
  if (record.logs?.length) {
    logs.push(...record.logs)
    if (logs.length > MAX_LOG_LINES) logs.splice(0, logs.length - MAX_LOG_LINES)
  }
  job.logs = logs
  job.id = record.id
  jobs.set(record.id, job as unknown as Job)
}
