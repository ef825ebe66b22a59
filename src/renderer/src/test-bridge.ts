import { buildApi, Listeners, type ReanimateBridge } from '@shared/contract/client'

/**
 * For component tests: a bridge speaking the real contract shapes, answered by `call` (a stand-in
 * for main), with events the test can emit.
 */
export function bridgeFrom(call: (method: string, params: unknown) => Promise<unknown>) {
  const listeners = new Listeners()
  const bridge: ReanimateBridge = {
    ...buildApi(call),
    on: (n, l) => listeners.add(n, l as (p: unknown) => void),
    getPathForFile: () => '',
  }
  return { bridge, emit: (name: string, payload: unknown) => listeners.emit(name, payload) }
}
