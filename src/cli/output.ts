import { AppError, type ErrorCode, type ErrorInfo } from '../shared/errors'

/** 130 is what shells report for a command stopped by Ctrl-C (128 + SIGINT). */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const

/** Errors found before any work started (bad usage, input or parameters) exit 2; the rest exit 1. */
const USAGE_CODES: ReadonlySet<ErrorCode> = new Set([
  'invalid-params',
  'invalid-input',
  'not-found',
  'forbidden',
  'unknown-method',
  'ffmpeg-missing',
  'key-missing',
  'output-exists',
  // Checked before anything is uploaded: too little room for the result is the user's to fix.
  'disk-full',
])

export function exitCodeFor(error: ErrorInfo): number {
  return USAGE_CODES.has(error.code) ? EXIT.usage : EXIT.failed
}

export class UsageError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message)
  }
}

export interface Io {
  stdout: (line: string) => void
  stderr: (line: string) => void
}

export const processIo: Io = {
  stdout: (line) => process.stdout.write(line + '\n'),
  stderr: (line) => process.stderr.write(line + '\n'),
}

/** With --json the last stdout line is one JSON object, success or not. */
export function finish(
  io: Io,
  json: boolean,
  result: Record<string, unknown> & { exitCode: number },
): number {
  const ok = result.exitCode === 0
  if (json) io.stdout(JSON.stringify({ ok, ...result }))
  const error = result.error as ErrorInfo | undefined
  if (error) io.stderr(`reanimate: ${error.message}`)
  return result.exitCode
}

/**
 * What a command's catch returns: usage mistakes, bad input and existing outputs exit 2 (found
 * before any network call), everything else 1. Always one JSON line with --json.
 */
export function fail(io: Io, json: boolean, err: unknown): number {
  const usage =
    err instanceof UsageError ||
    Boolean((err as { code?: string } | null)?.code?.startsWith?.('ERR_PARSE_ARGS'))
  // Node's own text for an unknown flag is long and quotes oddly: say it plainly.
  const unknown =
    (err as { code?: string } | null)?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
      ? /Unknown option '([^']+)'/.exec((err as Error).message)?.[1]
      : undefined
  if (unknown)
    err = new UsageError(`unknown option ${unknown}; see --help`, unknown.replace(/^-+/, ''))
  const error: ErrorInfo =
    err instanceof UsageError
      ? { code: 'invalid-params', message: err.message, ...(err.field ? { field: err.field } : {}) }
      : err instanceof AppError
        ? err.toInfo()
        : {
            code: usage ? 'invalid-params' : 'internal',
            message: err instanceof Error ? err.message : String(err),
          }
  return finish(io, json, { exitCode: usage ? EXIT.usage : exitCodeFor(error), error })
}
