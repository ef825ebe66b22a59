import type { ReanimateBridge } from '@shared/contract/client'
import { connectWebSocketBridge } from './ws-client'

declare global {
  interface Window {
    reanimate?: ReanimateBridge
  }
}

let bridge: ReanimateBridge | undefined

/** The preload's `window.reanimate` in the app; the WebSocket bridge when served by the bridge. */
export function getBridge(): ReanimateBridge {
  if (bridge) return bridge
  if (window.reanimate) {
    bridge = window.reanimate
  } else {
    const { protocol, host } = window.location
    if (protocol !== 'http:' && protocol !== 'https:')
      throw new Error('Reanimate services are not available')
    bridge = connectWebSocketBridge(`${protocol === 'https:' ? 'wss' : 'ws'}://${host}/ws`)
  }
  return bridge
}

/** Tests hand in their own bridge. */
export function setBridge(next: ReanimateBridge | undefined): void {
  bridge = next
}
