/**
 * One error shape for every transport (IPC, WebSocket, CLI). `code` is stable and machine-readable;
 * `message` tells the user what happened and what to do; `field`/`file` point at the culprit.
 */
export type ErrorCode =
  | 'invalid-params'
  | 'unknown-method'
  | 'forbidden'
  | 'not-found'
  | 'invalid-input'
  | 'ffmpeg-missing'
  | 'ffmpeg-failed'
  | 'timeout'
  | 'cancelled'
  | 'abandoned'
  | 'locked'
  | 'key-missing'
  | 'key-rejected'
  | 'secret-storage-unavailable'
  | 'fal-validation'
  | 'fal-rate-limited'
  | 'fal-server'
  | 'fal-bad-output'
  | 'fal-failed'
  | 'fal-gone'
  | 'fal-unclear'
  | 'output-exists'
  /** A step wrote less than it planned (frames missing): never a success. */
  | 'incomplete-output'
  | 'network'
  | 'disk-full'
  | 'internal'

export interface ErrorInfo {
  code: ErrorCode
  message: string
  field?: string
  file?: string
}

export class AppError extends Error {
  readonly code: ErrorCode
  readonly field?: string
  readonly file?: string

  constructor(
    code: ErrorCode,
    message: string,
    extra: { field?: string; file?: string; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause })
    this.name = 'AppError'
    this.code = code
    if (extra.field !== undefined) this.field = extra.field
    if (extra.file !== undefined) this.file = extra.file
  }

  toInfo(): ErrorInfo {
    const info: ErrorInfo = { code: this.code, message: this.message }
    if (this.field !== undefined) info.field = this.field
    if (this.file !== undefined) info.file = this.file
    return info
  }

  static fromInfo(info: ErrorInfo): AppError {
    return new AppError(info.code, info.message, info)
  }
}

/** Turns anything thrown into the wire shape without leaking stack traces or internals. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof AppError) return err.toInfo()
  const message = err instanceof Error ? err.message : String(err)
  return { code: 'internal', message: message || 'Unexpected error' }
}
