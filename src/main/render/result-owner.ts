import fs from 'node:fs/promises'
import type { Job } from '../../shared/jobs'

/** What a finished result's sidecar says about whose render it is. */
async function sidecarOf(
  output: string,
): Promise<{ job_id?: unknown; request_id?: unknown } | null> {
  try {
    return JSON.parse(await fs.readFile(`${output}.json`, 'utf8')) as {
      job_id?: unknown
      request_id?: unknown
    }
  } catch {
    return null
  }
}

/**
 * True when the file at `output` is this job's result: its sidecar names the job (or, for results
 * made before sidecars named jobs, the job's request). A file someone replaced since (another
 * render with --overwrite, a copy) is not, whatever its name.
 */
export async function isResultOf(
  output: string,
  job: Pick<Job, 'id' | 'requestId'>,
): Promise<boolean> {
  const meta = await sidecarOf(output)
  if (!meta) return false
  if (typeof meta.job_id === 'string') return meta.job_id === job.id
  return Boolean(job.requestId) && meta.request_id === job.requestId
}
