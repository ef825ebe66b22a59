import fs from 'node:fs/promises'
import path from 'node:path'
import { execa } from 'execa'
import { childEnvOptions } from './child-env'
import { withLocalInputsOnly } from './container-check'
import { AppError } from '../../shared/errors'
import type { CommandLog } from './command-log'
import { progressLineSplitter, ProgressTracker, type Progress } from './progress'
import { durableStep } from '../storage/crash-points'

export interface FfmpegRunOptions {
  bin: string
  args: string[]
  /** What this run is for, as shown beside its command line. */
  purpose: string
  /** Output duration, for the progress fraction. */
  durationSec?: number
  signal?: AbortSignal
  onProgress?: (p: Progress) => void
  log?: CommandLog
  /** The file the run is about, named in errors. */
  file?: string
  /** Variables added to the child's minimal environment (see childEnv). */
  env?: Record<string, string>
}

/** The most telling line of ffmpeg's stderr for an error message. */
export function lastErrorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  const telling = [...lines]
    .reverse()
    .find((l) => /error|invalid|no such|denied|space|unsupported|failed|not/i.test(l))
  return (telling ?? lines.at(-1) ?? '').slice(0, 300)
}

/**
 * Runs ffmpeg with machine-readable progress, kills it when the signal aborts, and turns failures
 * into AppErrors (cancelled, disk full, or the line ffmpeg gave). Every command line is logged.
 */
export async function runFfmpeg(options: FfmpegRunOptions): Promise<void> {
  const args = [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-progress',
    'pipe:1',
    '-nostats',
    ...withLocalInputsOnly(options.args),
  ]
  const record = options.log?.start(options.purpose, options.bin, args)
  const started = Date.now()
  const tracker = new ProgressTracker(options.durationSec ?? 0, started)
  const onLine = progressLineSplitter((block) => options.onProgress?.(tracker.update(block)))
  const name = options.file ? path.basename(options.file) : 'ffmpeg'

  if (options.signal?.aborted)
    throw new AppError(
      'cancelled',
      `${name}: cancelled`,
      options.file ? { file: options.file } : {},
    )
  const child = execa(options.bin, args, {
    reject: false,
    stdin: 'ignore',
    ...childEnvOptions(),
    ...(options.env ? { env: { ...childEnvOptions().env, ...options.env } } : {}),
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    // ffmpeg ignores SIGTERM while blocked on output sometimes; escalate.
    forceKillAfterDelay: 2000,
    stripFinalNewline: false,
    maxBuffer: { stdout: 64 * 1024 * 1024, stderr: 4 * 1024 * 1024 },
    lines: false,
  })
  let buffer = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8')
    let i: number
    while ((i = buffer.indexOf('\n')) >= 0) {
      onLine(buffer.slice(0, i).trim())
      buffer = buffer.slice(i + 1)
    }
  })
  const result = await child
  const duration = Date.now() - started
  const extra = options.file ? { file: options.file } : {}
  if (result.isCanceled || options.signal?.aborted) {
    if (record) options.log?.finish(record, 'cancelled', result.exitCode ?? null, duration)
    throw new AppError('cancelled', `${name}: cancelled`, extra)
  }
  if (result.exitCode !== 0) {
    if (record) options.log?.finish(record, 'failed', result.exitCode ?? null, duration)
    const stderr = String(result.stderr ?? '')
    if (/no space left on device/i.test(stderr)) {
      throw new AppError(
        'disk-full',
        `${name}: the disk is full. Free some space and try again.`,
        extra,
      )
    }
    if ((result as { code?: string }).code === 'ENOENT') {
      throw new AppError('ffmpeg-missing', `ffmpeg was not found at ${options.bin}`, extra)
    }
    throw new AppError(
      'ffmpeg-failed',
      `${name}: ${options.purpose} failed (${lastErrorLine(stderr) || `exit code ${result.exitCode}`})`,
      extra,
    )
  }
  if (record) options.log?.finish(record, 'ok', 0, duration)
}

/** A temporary sibling of `target` that ffmpeg writes into; renamed into place only on success. */
export function partialPathFor(target: string): string {
  const dir = path.dirname(target)
  const ext = path.extname(target)
  return path.join(
    dir,
    `.${path.basename(target, ext)}.partial-${process.pid}-${Date.now().toString(36)}${ext}`,
  )
}

/**
 * Runs `write(partial)` and moves the partial file onto `target` when it succeeds; removes it when
 * it fails or is cancelled, so a half-written video never sits under the real name.
 */
export async function writeAtomically(
  target: string,
  write: (partial: string) => Promise<void>,
): Promise<void> {
  const partial = partialPathFor(target)
  try {
    await write(partial)
    await fs.rename(partial, target)
    durableStep(`renamed ${path.basename(target)} into place`)
  } catch (err) {
    await fs.rm(partial, { force: true })
    if ((err as NodeJS.ErrnoException).code === 'ENOSPC') {
      throw new AppError(
        'disk-full',
        `${path.basename(target)}: the disk is full. Free some space and try again.`,
        { file: target },
      )
    }
    throw err
  }
}
