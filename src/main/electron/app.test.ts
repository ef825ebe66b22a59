import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'

/**
 * The adapter itself, imported as Electron would load it, with `electron` mocked: what it must do
 * before `ready`. Anything the test does not name is an inert stub, so the adapter can grow.
 */
const h = vi.hoisted(() => {
  const order: string[] = []
  const stub: unknown = new Proxy(function () {}, {
    get: (_t, p) => (p === 'then' ? undefined : stub),
    apply: () => stub,
    construct: () => stub as object,
  })
  const app = {
    isPackaged: true,
    setPath: vi.fn((name: string, _value: string) => order.push(`setPath:${name}`)),
    setAppUserModelId: vi.fn(() => order.push('setAppUserModelId')),
    requestSingleInstanceLock: vi.fn(() => true),
    // `ready` never comes here: only what happens before it is under test.
    whenReady: vi.fn(() => {
      order.push('whenReady')
      return new Promise<void>(() => undefined)
    }),
  }
  const withStubs = <T extends object>(target: T): T =>
    new Proxy(target, {
      get: (t, p) => (p in t ? (t as Record<string | symbol, unknown>)[p] : stub),
    })
  return { order, stub, app: withStubs(app), withStubs }
})

/** Electron's main-process modules: every one the adapter might import, all stubs but `app`. */
const MODULES = [
  'autoUpdater',
  'BaseWindow',
  'BrowserWindow',
  'clipboard',
  'contentTracing',
  'crashReporter',
  'desktopCapturer',
  'dialog',
  'globalShortcut',
  'inAppPurchase',
  'ipcMain',
  'Menu',
  'MenuItem',
  'MessageChannelMain',
  'nativeImage',
  'nativeTheme',
  'net',
  'netLog',
  'Notification',
  'powerMonitor',
  'powerSaveBlocker',
  'protocol',
  'pushNotifications',
  'safeStorage',
  'screen',
  'session',
  'shell',
  'systemPreferences',
  'TouchBar',
  'Tray',
  'utilityProcess',
  'webContents',
  'WebContentsView',
]

vi.mock('electron', () => {
  const mod: Record<string, unknown> = { app: h.app }
  for (const name of MODULES) mod[name] = h.stub
  return { ...mod, default: mod }
})

afterEach(() => {
  vi.unstubAllEnvs()
})

describe('the Electron adapter at import', () => {
  it('sets userData from REANIMATE_DATA_DIR before waiting for ready', async () => {
    vi.stubEnv('REANIMATE_DATA_DIR', 'some/data')
    await import('./app')
    expect(h.app.setPath).toHaveBeenCalledWith('userData', path.resolve('some/data'))
    expect(h.order.indexOf('setPath:userData')).toBeGreaterThanOrEqual(0)
    expect(h.order.indexOf('setPath:userData')).toBeLessThan(h.order.indexOf('whenReady'))
  })
})
