import { ApiError, ValidationError } from '@fal-ai/client'
import { AppError } from '../../shared/errors'

interface FieldError {
  loc?: unknown[]
  msg?: string
}

/** `['body', 'loras', 0, 'scale']` → `loras.0.scale`. */
export function fieldFromLoc(loc: unknown[] | undefined): string | undefined {
  if (!Array.isArray(loc)) return undefined
  const parts = loc.filter((p, i) => !(i === 0 && p === 'body')).map(String)
  return parts.length ? parts.join('.') : undefined
}

function isNetworkError(err: unknown): boolean {
  const seen = new Set<unknown>()
  let cur: unknown = err
  while (cur && typeof cur === 'object' && !seen.has(cur)) {
    seen.add(cur)
    const { name, code, message } = cur as { name?: string; code?: string; message?: string }
    if (name === 'TypeError' && /fetch failed/i.test(message ?? '')) return true
    if (
      code &&
      /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EPIPE|UND_ERR_\w+)$/.test(code)
    )
      return true
    cur = (cur as { cause?: unknown }).cause
  }
  return false
}

/**
 * fal's errors as errors a user can act on: a rejected key sends them to Settings, a 422 names the
 * parameter, a 429 or 5xx says fal is busy or down (after the client's own retries), a lost
 * connection says so. `requestId` is kept so a paid request is never forgotten.
 */
export function mapFalError(
  err: unknown,
  context: { stage: string; requestId?: string; file?: string },
): AppError {
  if (err instanceof AppError) return err
  const extra = context.file ? { file: context.file } : {}
  const req = context.requestId ? ` (request ${context.requestId})` : ''
  if (err instanceof ValidationError) {
    const first = (err.fieldErrors as FieldError[])[0]
    const field = fieldFromLoc(first?.loc)
    const msg = first?.msg ?? err.message
    return new AppError(
      'fal-validation',
      `fal rejected the parameters${field ? `: ${field}: ${msg}` : `: ${msg}`}${req}`,
      {
        ...extra,
        ...(field ? { field } : {}),
        cause: err,
      },
    )
  }
  if (err instanceof ApiError) {
    const status = err.status
    const detail =
      typeof (err.body as { detail?: unknown } | undefined)?.detail === 'string'
        ? (err.body as { detail: string }).detail
        : err.message
    if (status === 401 || status === 403) {
      return new AppError(
        'key-rejected',
        `fal rejected the key (HTTP ${status}). Check or replace your fal key in Settings (https://fal.ai/dashboard/keys).`,
        { ...extra, cause: err },
      )
    }
    const errorType = (err.body as { error_type?: unknown } | undefined)?.error_type
    if (status === 404 && context.requestId) {
      return new AppError(
        'fal-gone',
        `fal no longer knows request ${context.requestId} (HTTP 404 while ${context.stage}). Retry submits the render again.`,
        { ...extra, cause: err },
      )
    }
    if (typeof errorType === 'string' && status !== 429) {
      return new AppError(
        'fal-failed',
        `fal could not render it (${errorType}: ${detail})${req}. Retry submits the render again.`,
        { ...extra, cause: err },
      )
    }
    if (status === 429) {
      return new AppError(
        'fal-rate-limited',
        `fal is rate-limiting this account (HTTP 429) while ${context.stage}${req}. Wait a minute and retry, or lower Renders at once in Settings (Rendering).`,
        { ...extra, cause: err },
      )
    }
    if (status >= 500) {
      return new AppError(
        'fal-server',
        `fal had a server error (HTTP ${status}: ${detail}) while ${context.stage}${req}. Try again later.`,
        { ...extra, cause: err },
      )
    }
    return new AppError(
      'fal-server',
      `fal answered HTTP ${status} while ${context.stage}: ${detail}${req}`,
      { ...extra, cause: err },
    )
  }
  if (isNetworkError(err)) {
    return new AppError(
      'network',
      `Could not reach fal while ${context.stage}${req}. Check your internet connection (or proxy) and retry.`,
      { ...extra, cause: err },
    )
  }
  if (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')) {
    return new AppError('cancelled', `Cancelled while ${context.stage}${req}`, {
      ...extra,
      cause: err,
    })
  }
  return new AppError(
    'internal',
    `${context.stage}: ${err instanceof Error ? err.message : String(err)}${req}`,
    { ...extra, cause: err },
  )
}
