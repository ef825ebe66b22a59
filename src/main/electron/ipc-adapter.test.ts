import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { registerIpc, type IpcAdapterOptions } from './ipc-adapter'
import type { SenderLike } from './sender'
import { CHANNELS } from '../../shared/contract/channels'
import { createDispatcher, type CallContext, type Handlers } from '../../shared/contract/dispatch'
import { methodNames, type CallReply } from '../../shared/contract'
import { EventBus } from '../events'
import { FileAccess } from '../access/file-access'

const APP_BASE = 'app://reanimate/index.html'
const DEV_BASE = 'http://localhost:5173/'
const WINDOW_ID = 1

type Listener = (event: unknown, ...args: unknown[]) => unknown

/** Records what the adapter registers, like Electron's ipcMain but callable from a test. */
class FakeIpcMain {
  readonly handlers = new Map<string, Listener>()
  readonly listeners = new Map<string, Listener[]>()

  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`)
    this.handlers.set(channel, listener)
  }
  on(channel: string, listener: Listener): this {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener])
    return this
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel)
  }
  removeAllListeners(channel?: string): this {
    if (channel) this.listeners.delete(channel)
    else this.listeners.clear()
    return this
  }

  async invoke(event: SenderLike, ...args: unknown[]): Promise<CallReply> {
    const handler = this.handlers.get(CHANNELS.call)
    if (!handler) throw new Error('no handler registered')
    return (await handler(event, ...args)) as CallReply
  }
  send(channel: string, event: SenderLike, ...args: unknown[]): void {
    for (const l of this.listeners.get(channel) ?? []) l(event, ...args)
  }
}

function setup(trustedBase = APP_BASE) {
  const ipcMain = new FakeIpcMain()
  const handlerCalls: { name: string; params: unknown; ctx: CallContext }[] = []
  const handlers = Object.fromEntries(
    methodNames.map((name) => [
      name,
      async (params: unknown, ctx: CallContext) => {
        handlerCalls.push({ name, params, ctx })
        return { handled: name }
      },
    ]),
  ) as unknown as Handlers
  const realDispatch = createDispatcher(handlers)
  const dispatchCalls: unknown[][] = []
  const dispatch: IpcAdapterOptions['dispatch'] = (name, params, ctx) => {
    dispatchCalls.push([name, params, ctx])
    return realDispatch(name, params, ctx)
  }
  const bus = new EventBus()
  const access = new FileAccess()
  const broadcasts: unknown[][] = []
  const logs: string[] = []
  const dispose = registerIpc({
    ipcMain: ipcMain as unknown as IpcAdapterOptions['ipcMain'],
    dispatch,
    bus,
    access,
    trustedBase,
    windowIds: new Set([WINDOW_ID]),
    broadcast: (...args) => broadcasts.push(args),
    log: (m) => logs.push(m),
  })
  return { ipcMain, dispatchCalls, handlerCalls, bus, access, broadcasts, logs, dispose }
}

function sender(url: string, over: Partial<SenderLike> = {}): SenderLike {
  return { senderFrame: { url, parent: null }, sender: { id: WINDOW_ID }, ...over }
}

const trusted = sender('app://reanimate/index.html#/x')

const foreignSenders: [string, SenderLike][] = [
  ['a foreign origin', sender('https://evil.example/')],
  ['same scheme, another host', sender('app://evil/index.html')],
  [
    'a subframe',
    {
      senderFrame: { url: 'app://reanimate/index.html', parent: { url: APP_BASE } },
      sender: { id: WINDOW_ID },
    },
  ],
  ['an unknown webContents', sender('app://reanimate/index.html#/x', { sender: { id: 99 } })],
  ['a null senderFrame', { senderFrame: null, sender: { id: WINDOW_ID } }],
  ['the dev server origin in production', sender('http://localhost:5173/')],
]

describe('registerIpc', () => {
  it('registers one call handler and one grant listener', () => {
    const { ipcMain } = setup()
    expect([...ipcMain.handlers.keys()]).toEqual([CHANNELS.call])
    expect([...ipcMain.listeners.keys()]).toEqual([CHANNELS.grant])
  })

  it.each(foreignSenders)(
    'refuses a call from %s with forbidden, without reaching the dispatcher',
    async (_label, event) => {
      const { ipcMain, dispatchCalls, handlerCalls, logs } = setup()
      const reply = await ipcMain.invoke(event, 'secrets.status', {})
      expect(reply.ok).toBe(false)
      if (reply.ok) return
      expect(reply.error.code).toBe('forbidden')
      expect(dispatchCalls).toHaveLength(0)
      expect(handlerCalls).toHaveLength(0)
      expect(logs.some((l) => l.includes('secrets.status'))).toBe(true)
    },
  )

  it('passes a trusted call to the dispatcher with the IPC context and returns its reply', async () => {
    const { ipcMain, dispatchCalls, handlerCalls } = setup()
    const reply = await ipcMain.invoke(trusted, 'media.playbackUrl', { path: '/v/a.mp4' })
    expect(reply).toEqual({ ok: true, value: { handled: 'media.playbackUrl' } })
    const ctx: CallContext = { transport: 'ipc', mediaBaseUrl: 'reanimate-media://file/' }
    expect(dispatchCalls).toEqual([['media.playbackUrl', { path: '/v/a.mp4' }, ctx]])
    expect(handlerCalls).toEqual([{ name: 'media.playbackUrl', params: { path: '/v/a.mp4' }, ctx }])
  })

  it('accepts the dev server page when that is the trusted base', async () => {
    const { ipcMain, handlerCalls } = setup(DEV_BASE)
    expect(
      (await ipcMain.invoke(sender('http://localhost:5173/#/settings'), 'settings.get', {})).ok,
    ).toBe(true)
    expect((await ipcMain.invoke(sender('http://localhost:5174/'), 'settings.get', {})).ok).toBe(
      false,
    )
    expect((await ipcMain.invoke(trusted, 'settings.get', {})).ok).toBe(false)
    expect(handlerCalls).toHaveLength(1)
  })

  it.each<[string, unknown, unknown, string, string | undefined]>([
    ['an unknown method', 'fs.readFile', { path: '/etc/passwd' }, 'unknown-method', undefined],
    ['a prototype key', '__proto__', {}, 'unknown-method', undefined],
    ['a too-short key', 'secrets.setFalKey', { key: 'x' }, 'invalid-params', 'key'],
    ['an extra key', 'media.probe', { path: '/a.mp4', evil: true }, 'invalid-params', undefined],
    ['a non-object', 'media.probe', '/a.mp4', 'invalid-params', undefined],
  ])(
    'rejects a trusted call with %s, without running a handler',
    async (_label, method, params, code, field) => {
      const { ipcMain, handlerCalls } = setup()
      const reply = await ipcMain.invoke(trusted, method, params)
      expect(reply.ok).toBe(false)
      if (reply.ok) return
      expect(reply.error.code).toBe(code)
      if (field) expect(reply.error.field).toBe(field)
      expect(handlerCalls).toHaveLength(0)
    },
  )

  describe('grant channel', () => {
    const file = path.resolve('/videos/dropped clip.mp4')

    it('grants a file for a trusted sender', () => {
      const { ipcMain, access } = setup()
      ipcMain.send(CHANNELS.grant, trusted, file)
      expect(access.isAllowed(file)).toBe(true)
    })

    it.each(foreignSenders)('ignores a grant from %s', (_label, event) => {
      const { ipcMain, access } = setup()
      ipcMain.send(CHANNELS.grant, event, file)
      expect(access.isAllowed(file)).toBe(false)
    })

    it.each<[string, unknown]>([
      ['a number', 42],
      ['an object', { path: file }],
      ['an array', [file]],
      ['a path longer than 4096 characters', `/${'a'.repeat(4096)}`],
    ])('ignores %s from a trusted sender', (_label, payload) => {
      const { ipcMain, access } = setup()
      ipcMain.send(CHANNELS.grant, trusted, payload)
      expect(access.isAllowed(file)).toBe(false)
      if (typeof payload === 'string') expect(access.isAllowed(payload)).toBe(false)
    })
  })

  it('broadcasts bus events to the windows on the event channel', () => {
    const { bus, broadcasts } = setup()
    const entry = {
      level: 'info' as const,
      scope: 'test',
      message: 'hello',
      time: '2026-01-01T00:00:00Z',
    }
    bus.emit('log', entry)
    expect(broadcasts).toEqual([[CHANNELS.event, 'log', entry]])
  })

  it('the disposer removes the handlers and stops broadcasting', async () => {
    const { ipcMain, bus, broadcasts, access, dispose } = setup()
    dispose()
    expect(ipcMain.handlers.size).toBe(0)
    expect(ipcMain.listeners.size).toBe(0)
    await expect(ipcMain.invoke(trusted, 'settings.get', {})).rejects.toThrow('no handler')
    ipcMain.send(CHANNELS.grant, trusted, '/videos/x.mp4')
    expect(access.isAllowed('/videos/x.mp4')).toBe(false)
    bus.emit('log', { level: 'info', scope: 't', message: 'm', time: 't' })
    expect(broadcasts).toEqual([])
  })

  it('can be registered again after disposing', () => {
    const first = setup()
    first.dispose()
    expect(() =>
      registerIpc({
        ipcMain: first.ipcMain as unknown as IpcAdapterOptions['ipcMain'],
        dispatch: createDispatcher({} as Handlers),
        bus: first.bus,
        access: first.access,
        trustedBase: APP_BASE,
        windowIds: new Set([WINDOW_ID]),
        broadcast: () => undefined,
      }),
    ).not.toThrow()
  })
})
