import fs from 'node:fs'
import path from 'node:path'
import type { FalClient } from '@fal-ai/client'
import { AppError } from '../../shared/errors'
import { contentHash } from '../media/identity'
import { mapFalError } from './errors'
import type { UploadCache } from './upload-cache'

/** Is a previously uploaded file still there? A HEAD answers without downloading it. */
export async function isStillAvailable(
  url: string,
  fetchImpl: typeof fetch = fetch,
): Promise<boolean> {
  try {
    const res = await fetchImpl(url, { method: 'HEAD', signal: AbortSignal.timeout(10_000) })
    return res.ok
  } catch {
    return false
  }
}

export interface UploadResult {
  url: string
  hash: string
  /** True when the cached URL was reused and nothing was sent. */
  cached: boolean
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t)
        reject(new AppError('cancelled', 'Upload cancelled'))
      },
      { once: true },
    )
  })

/**
 * Uploads a prepared clip (or a local LoRA) through the client's own storage API, as a file-backed Blob (never read
 * whole into memory), unless the same bytes were uploaded before and are still available. The
 * client does not retry the upload PUT itself, so a dropped upload is retried here.
 */
export async function uploadPrepared(
  fal: FalClient,
  cache: UploadCache,
  file: string,
  options: {
    signal?: AbortSignal
    attempts?: number
    retryDelayMs?: number
    fetchImpl?: typeof fetch
    /** Default video/mp4 (a prepared clip); LoRA weights go up as application/octet-stream. */
    contentType?: string
  } = {},
): Promise<UploadResult> {
  const hash = await contentHash(file)
  const known = await cache.get(hash)
  if (known && (await isStillAvailable(known.url, options.fetchImpl)))
    return { url: known.url, hash, cached: true }
  if (known) await cache.delete(hash)

  const attempts = options.attempts ?? 3
  let lastError: AppError | undefined
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (options.signal?.aborted) throw new AppError('cancelled', 'Upload cancelled', { file })
    try {
      const type = options.contentType ?? 'video/mp4'
      const blob = await fs.openAsBlob(file, { type })
      const named = new File([blob], path.basename(file), { type })
      const url = await fal.storage.upload(named)
      await cache.set(hash, { url, sizeBytes: blob.size, uploadedAt: new Date().toISOString() })
      return { url, hash, cached: false }
    } catch (err) {
      lastError = mapFalError(err, { stage: 'uploading the clip', file })
      const retryable =
        lastError.code === 'network' ||
        lastError.code === 'fal-server' ||
        lastError.code === 'fal-rate-limited'
      if (!retryable || attempt === attempts) break
      await sleep((options.retryDelayMs ?? 1000) * 2 ** (attempt - 1), options.signal)
    }
  }
  throw lastError ?? new AppError('internal', 'upload failed', { file })
}
