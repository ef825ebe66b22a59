import type { z } from 'zod'
import { AppError, toErrorInfo, type ErrorInfo } from '../errors'
import { SETTING_LABELS } from '../settings'
import {
  isMethodName,
  methods,
  type CallReply,
  type MethodName,
  type ParamsOut,
  type Result,
} from './index'

/** Per-call facts a transport knows and a service may need (e.g. how to build media URLs). */
export interface CallContext {
  transport: 'ipc' | 'websocket' | 'cli'
  /** Base URL of the local media stream for this transport, e.g. `reanimate-media://file/`. */
  mediaBaseUrl: string
}

export type Handlers = {
  [K in MethodName]: (params: ParamsOut<K>, ctx: CallContext) => Promise<Result<K>>
}

/** Names the first failing field so the UI can put the message next to it. */
export function describeZodError(error: z.ZodError): { message: string; field?: string } {
  const issue = error.issues[0]
  if (!issue) return { message: 'invalid arguments' }
  const field = issue.path.map(String).join('.')
  return field ? { message: `${field}: ${issue.message}`, field } : { message: issue.message }
}

/**
 * The controls a method's fields are set with, by the labels the user sees: an error says
 * "Renders at once must be at most 40", not "settings.update: concurrency: …". An empty label: the
 * message already names the control.
 */
const CONTROL_LABELS: Partial<Record<MethodName, Record<string, string | undefined>>> = {
  'settings.update': SETTING_LABELS,
  'settings.setFalProxy': { url: 'fal proxy URL' },
  'secrets.setFalKey': { key: '' },
}

/** A refused argument in the user's words when a control sets it, else in the contract's. */
export function describeInvalidParams(
  name: MethodName,
  error: z.ZodError,
): { message: string; field?: string } {
  const { message, field } = describeZodError(error)
  const label = field === undefined ? undefined : CONTROL_LABELS[name]?.[field]
  if (label === undefined) return { message: `${name}: ${message}`, ...(field ? { field } : {}) }
  const problem = error.issues[0]?.message ?? message
  const text = label ? `${label} ${problem}` : problem
  return { message: text.charAt(0).toUpperCase() + text.slice(1), ...(field ? { field } : {}) }
}

/**
 * The transport-agnostic entry point: checks the method is declared, parses its arguments with
 * the contract's schema, runs the handler and wraps the outcome in a reply envelope. It never
 * throws, so a transport only has to serialise what it returns.
 */
export function createDispatcher(handlers: Handlers) {
  return async function dispatch(
    name: unknown,
    rawParams: unknown,
    ctx: CallContext,
  ): Promise<CallReply> {
    try {
      if (!isMethodName(name)) {
        throw new AppError('unknown-method', `Unknown method: ${String(name).slice(0, 80)}`)
      }
      const parsed = methods[name].params.safeParse(rawParams ?? {})
      if (!parsed.success) {
        const { message, field } = describeInvalidParams(name, parsed.error)
        throw new AppError('invalid-params', message, field ? { field } : {})
      }
      const handler = handlers[name] as (p: unknown, c: CallContext) => Promise<unknown>
      const value = await handler(parsed.data, ctx)
      return { ok: true, value }
    } catch (err) {
      return { ok: false, error: safeErrorInfo(err) }
    }
  }
}

/** `toErrorInfo` can itself throw on exotic values (null-prototype objects, throwing getters). */
function safeErrorInfo(err: unknown): ErrorInfo {
  try {
    return toErrorInfo(err)
  } catch {
    return { code: 'internal', message: 'Unexpected error' }
  }
}

export type Dispatch = ReturnType<typeof createDispatcher>
