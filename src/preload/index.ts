// First: no schema may be built before zod is told not to probe for eval (CSP).
import '../shared/zod-jitless'
import { contextBridge, ipcRenderer, webUtils } from 'electron'
import { buildApi, Listeners, unwrapReply, type ReanimateBridge } from '../shared/contract/client'
import { isEventName, type CallReply } from '../shared/contract'
import { CHANNELS } from '../shared/contract/channels'

// Only the contract crosses into the page: no ipcRenderer, no Node, no generic send.
const listeners = new Listeners()
ipcRenderer.on(CHANNELS.event, (_e, name: unknown, payload: unknown) => {
  if (isEventName(name)) listeners.emit(name, payload)
})

const api = buildApi(async (method, params) =>
  unwrapReply((await ipcRenderer.invoke(CHANNELS.call, method, params)) as CallReply),
)

const bridge: ReanimateBridge = {
  ...api,
  on: (name, listener) => listeners.add(name, listener as (p: unknown) => void),
  getPathForFile: (file) => {
    const p = webUtils.getPathForFile(file)
    // A File object only exists for what the user dropped or picked, so this is a user choice:
    // tell main to allow this path. The page itself cannot reach this channel.
    if (p) ipcRenderer.send(CHANNELS.grant, p)
    return p
  },
}

/** The page gets a frozen object: it cannot swap a method for one of its own. */
function deepFreeze<T extends object>(obj: T): T {
  for (const value of Object.values(obj))
    if (value && typeof value === 'object') deepFreeze(value as object)
  return Object.freeze(obj)
}

contextBridge.exposeInMainWorld('reanimate', deepFreeze(bridge))
