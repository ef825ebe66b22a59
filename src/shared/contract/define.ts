import type { z } from 'zod'

/** A contract method: a zod schema for its params and a phantom type for its result. */
export interface MethodSpec<P extends z.ZodType = z.ZodType, R = unknown> {
  readonly params: P
  readonly __result?: R
}

/** A contract event: a phantom type for its payload. */
export interface EventSpec<T = unknown> {
  readonly __payload?: T
}

export function method<R>() {
  return <P extends z.ZodType>(params: P): MethodSpec<P, R> => ({ params })
}

export function event<T>(): EventSpec<T> {
  return {}
}
