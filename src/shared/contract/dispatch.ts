import type { z } from 'zod'
import { AppError, toErrorInfo, type ErrorInfo } from '../errors'
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
        const { message, field } = describeZodError(parsed.error)
        throw new AppError('invalid-params', `${name}: ${message}`, field ? { field } : {})
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
