import path from 'node:path'
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent } from 'electron'
import { CHANNELS } from '../../shared/contract/channels'
import type { CallContext, Dispatch } from '../../shared/contract/dispatch'
import type { CallReply } from '../../shared/contract'
import type { EventBus } from '../events'
import type { FileAccess } from '../access/file-access'
import { isTrustedSender, type SenderLike } from './sender'

export interface IpcAdapterOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'on' | 'removeHandler' | 'removeAllListeners'>
  dispatch: Dispatch
  bus: EventBus
  access: FileAccess
  trustedBase: string
  /** webContents ids of our windows, kept current by the window code. */
  windowIds: ReadonlySet<number>
  /** Sends an event to every window. */
  broadcast: (channel: string, ...args: unknown[]) => void
  log?: (message: string) => void
}

/**
 * The thin Electron transport: one invoke channel carries every contract call; the dispatcher
 * parses the arguments. Calls from anything but our window's top frame are refused.
 */
export function registerIpc(options: IpcAdapterOptions): () => void {
  const { ipcMain, dispatch, trustedBase, windowIds } = options
  const ctx: CallContext = { transport: 'ipc', mediaBaseUrl: 'reanimate-media://file/' }
  const trusted = (event: IpcMainInvokeEvent | IpcMainEvent) =>
    isTrustedSender(event as unknown as SenderLike, trustedBase, windowIds)

  ipcMain.handle(
    CHANNELS.call,
    async (event, method: unknown, params: unknown): Promise<CallReply> => {
      if (!trusted(event)) {
        options.log?.(`refused IPC call ${String(method).slice(0, 60)} from an untrusted sender`)
        return {
          ok: false,
          error: { code: 'forbidden', message: 'This caller may not use Reanimate services.' },
        }
      }
      return dispatch(method, params, ctx)
    },
  )

  ipcMain.on(CHANNELS.grant, (event, p: unknown) => {
    if (!trusted(event) || typeof p !== 'string' || p.length > 4096 || !path.isAbsolute(p)) return
    options.access.grant(p)
  })

  const unsubscribe = options.bus.subscribe((name, payload) =>
    options.broadcast(CHANNELS.event, name, payload),
  )

  return () => {
    unsubscribe()
    ipcMain.removeHandler(CHANNELS.call)
    ipcMain.removeAllListeners(CHANNELS.grant)
  }
}
