import { AppError } from '../errors'
import {
  methodNames,
  type CallReply,
  type ContractApi,
  type EventName,
  type MethodName,
  type Payload,
} from './index'

/** What `window.reanimate` is, whichever transport is underneath. */
export type ReanimateBridge = ContractApi & {
  on<E extends EventName>(name: E, listener: (payload: Payload<E>) => void): () => void
  /** The local path of a dropped File (Electron only; in a plain browser it is ''). */
  getPathForFile(file: File): string
}

/** Turns a reply envelope back into a value or a thrown AppError carrying code/field/file. */
export function unwrapReply(reply: CallReply): unknown {
  if (reply.ok) return reply.value
  throw AppError.fromInfo(reply.error)
}

/** Builds `api.ns.method(params)` for every contract method on top of one `invoke`. */
export function buildApi(
  invoke: (method: MethodName, params: unknown) => Promise<unknown>,
): ContractApi {
  const api: Record<string, Record<string, (params?: unknown) => Promise<unknown>>> = {}
  for (const name of methodNames) {
    const [ns, fn] = name.split('.') as [string, string]
    api[ns] ??= {}
    api[ns][fn] = (params?: unknown) => invoke(name, params ?? {})
  }
  return api as unknown as ContractApi
}

/** Fan-out for events arriving on one transport channel. */
export class Listeners {
  private readonly map = new Map<string, Set<(payload: unknown) => void>>()

  add(name: string, listener: (payload: unknown) => void): () => void {
    let set = this.map.get(name)
    if (!set) this.map.set(name, (set = new Set()))
    set.add(listener)
    return () => void set.delete(listener)
  }

  emit(name: string, payload: unknown): void {
    for (const l of this.map.get(name) ?? []) {
      try {
        l(payload)
      } catch (err) {
        console.error(`listener for ${name} failed`, err)
      }
    }
  }
}
