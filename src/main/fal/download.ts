import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { AppError } from '../../shared/errors'
import { writeAtomically } from '../media/ffmpeg-run'

/** Streams fal's output to `target` (temporary file, then rename). Nothing half-written remains. */
export async function downloadTo(
  url: string,
  target: string,
  options: { signal?: AbortSignal; fetchImpl?: typeof fetch; requestId?: string } = {},
): Promise<void> {
  const req = options.requestId ? ` for request ${options.requestId}` : ''
  let res: Response
  try {
    res = await (options.fetchImpl ?? fetch)(url, options.signal ? { signal: options.signal } : {})
  } catch (err) {
    if (options.signal?.aborted) throw new AppError('cancelled', `Download cancelled${req}`)
    throw new AppError(
      'network',
      `Could not download the result${req}. Check your connection and retry.`,
      { cause: err },
    )
  }
  if (res.status === 404 || res.status === 410) {
    throw new AppError(
      'fal-gone',
      `fal no longer has the result${req} (HTTP ${res.status}). Retry submits the render again.`,
    )
  }
  if (!res.ok || !res.body) {
    throw new AppError(
      'fal-server',
      `Downloading the result${req} failed (HTTP ${res.status}). Retry; the request id is kept.`,
    )
  }
  const body = res.body
  await writeAtomically(target, async (partial) => {
    try {
      await pipeline(
        Readable.fromWeb(body as WebReadableStream),
        fs.createWriteStream(partial),
        options.signal ? { signal: options.signal } : {},
      )
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
        throw new AppError(
          'disk-full',
          `The disk is full: could not save the result to ${path.dirname(target)}. Free some space and retry.`,
          { file: target },
        )
      }
      if (options.signal?.aborted) throw new AppError('cancelled', `Download cancelled${req}`)
      throw new AppError(
        'network',
        `The download of the result${req} broke off. Retry; the request id is kept.`,
        { cause: err },
      )
    }
  })
}
