import type { FalClient, QueueStatus } from '@fal-ai/client'
import { AppError } from '../../shared/errors'
import type { EndpointId, RenderOutput } from '../../shared/endpoints'
import { mapFalError } from './errors'

export interface FalLog {
  message: string
  level?: string
  timestamp?: string
}

export type QueueUpdate =
  | { state: 'queued'; position: number }
  | { state: 'running'; logs: FalLog[] }
  | { state: 'completed'; logs: FalLog[] }

export interface WaitOptions {
  signal?: AbortSignal
  pollMs?: number
  onUpdate?: (update: QueueUpdate) => void
  /**
   * How long fal may stay unreachable while waiting before the wait fails. The request id is kept
   * either way, so the job can be re-attached later; nothing paid for is thrown away.
   */
  maxOutageMs?: number
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new AppError('cancelled', 'Stopped waiting for fal'))
    const t = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t)
        reject(new AppError('cancelled', 'Stopped waiting for fal'))
      },
      { once: true },
    )
  })

/** Submits once. The caller must persist the returned request id before doing anything else. */
export async function submit(
  fal: FalClient,
  endpoint: EndpointId,
  input: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<string> {
  try {
    const res = await fal.queue.submit(endpoint, {
      input,
      ...(signal ? { abortSignal: signal } : {}),
    })
    return res.request_id
  } catch (err) {
    throw mapFalError(err, { stage: 'submitting to fal' })
  }
}

/** fal finished a request without a result: its runner failed, timed out, or it was cancelled. */
export interface FalFailure {
  type: string
  message: string
}

/**
 * Polls status (with logs) until fal says COMPLETED. No overall timeout: a queued or running
 * request is paid work. Status failures beyond the client's own retries are tolerated for
 * `maxOutageMs`, then reported with the request id.
 */
export async function waitForCompletion(
  fal: FalClient,
  endpoint: EndpointId,
  requestId: string,
  options: WaitOptions = {},
): Promise<{ failure?: FalFailure }> {
  const pollMs = options.pollMs ?? 1000
  const maxOutageMs = options.maxOutageMs ?? 10 * 60 * 1000
  let seenLogs = 0
  let outageSince: number | null = null
  let backoff = pollMs
  for (;;) {
    let status: QueueStatus
    try {
      status = await fal.queue.status(endpoint, {
        requestId,
        logs: true,
        ...(options.signal ? { abortSignal: options.signal } : {}),
      })
      outageSince = null
      backoff = pollMs
    } catch (err) {
      const mapped = mapFalError(err, { stage: 'waiting for fal', requestId })
      if (mapped.code === 'cancelled' || options.signal?.aborted)
        throw new AppError('cancelled', `Stopped waiting for request ${requestId}`)
      if (['key-rejected', 'fal-validation', 'fal-gone'].includes(mapped.code)) throw mapped
      outageSince ??= Date.now()
      if (Date.now() - outageSince > maxOutageMs) throw mapped
      await sleep(backoff, options.signal)
      backoff = Math.min(backoff * 2, 30_000)
      continue
    }
    const logs = (('logs' in status ? status.logs : null) ?? []) as FalLog[]
    const fresh = logs.slice(seenLogs)
    seenLogs = Math.max(seenLogs, logs.length)
    if (status.status === 'COMPLETED') {
      options.onUpdate?.({ state: 'completed', logs: fresh })
      // Failed requests end as COMPLETED too. Only infrastructure failures carry an error_type;
      // a model's validation error is left for the result fetch, which names the field.
      const { error, error_type } = status as { error?: unknown; error_type?: unknown }
      if (typeof error_type === 'string')
        return { failure: { type: error_type, message: typeof error === 'string' ? error : '' } }
      return {}
    }
    if (status.status === 'IN_QUEUE')
      options.onUpdate?.({ state: 'queued', position: status.queue_position ?? 0 })
    else options.onUpdate?.({ state: 'running', logs: fresh })
    await sleep(pollMs, options.signal)
  }
}

export async function fetchResult(
  fal: FalClient,
  endpoint: EndpointId,
  requestId: string,
): Promise<RenderOutput> {
  let data: unknown
  try {
    data = (await fal.queue.result(endpoint, { requestId })).data
  } catch (err) {
    throw mapFalError(err, { stage: 'fetching the result', requestId })
  }
  const out = data as Partial<RenderOutput> | null
  if (!out?.video?.url)
    throw new AppError('fal-bad-output', `fal's result for request ${requestId} has no video`)
  return out as RenderOutput
}

/** Only helps while the request is queued: fal cannot stop one that is running. */
export async function cancelRequest(
  fal: FalClient,
  endpoint: EndpointId,
  requestId: string,
): Promise<void> {
  try {
    await fal.queue.cancel(endpoint, { requestId })
  } catch (err) {
    throw mapFalError(err, { stage: 'cancelling', requestId })
  }
}
