import { buildApi, Listeners, unwrapReply, type ReanimateBridge } from '@shared/contract/client'
import type { CallReply } from '@shared/contract'

type Frame =
  | { type: 'reply'; id: number; reply: CallReply }
  | { type: 'event'; name: string; payload: unknown }

/**
 * `window.reanimate` over the WebSocket bridge, for a renderer served by the test/debug server
 * instead of Electron. Same contract, same errors; calls made before the socket opens wait for it.
 */
export function connectWebSocketBridge(url: string): ReanimateBridge {
  const listeners = new Listeners()
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>()
  let nextId = 1
  const socket = new WebSocket(url)
  const open = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true })
    socket.addEventListener(
      'error',
      () => reject(new Error(`Cannot reach the Reanimate bridge at ${url}`)),
      { once: true },
    )
  })
  socket.addEventListener('message', (ev: MessageEvent<string>) => {
    const frame = JSON.parse(ev.data) as Frame
    if (frame.type === 'event') {
      listeners.emit(frame.name, frame.payload)
      return
    }
    const call = pending.get(frame.id)
    if (!call) return
    pending.delete(frame.id)
    try {
      call.resolve(unwrapReply(frame.reply))
    } catch (err) {
      call.reject(err)
    }
  })
  socket.addEventListener('close', () => {
    for (const call of pending.values()) call.reject(new Error('The Reanimate bridge closed'))
    pending.clear()
  })

  const api = buildApi(async (method, params) => {
    await open
    const id = nextId++
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject })
      socket.send(JSON.stringify({ type: 'call', id, method, params }))
    })
  })

  return {
    ...api,
    on: (name, listener) => listeners.add(name, listener as (p: unknown) => void),
    // A browser never reveals local paths.
    getPathForFile: () => '',
  }
}
