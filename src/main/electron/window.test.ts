import { beforeEach, describe, expect, it, vi } from 'vitest'

/** A BrowserWindow stand-in: records its options and calls, emits what Electron would. */
const h = await vi.hoisted(async () => {
  const { EventEmitter } = await import('node:events')
  class FakeContents extends EventEmitter {
    id = 7
  }
  class FakeWindow extends EventEmitter {
    static last: FakeWindow | undefined
    webContents = new FakeContents()
    loaded: string[] = []
    maximized = false
    normal = { x: 10, y: 20, width: 1200, height: 800 }
    constructor(readonly options: Record<string, unknown>) {
      super()
      FakeWindow.last = this
    }
    loadURL(url: string) {
      this.loaded.push(url)
      return Promise.resolve()
    }
    maximize() {
      this.maximized = true
    }
    isMaximized() {
      return this.maximized
    }
    isDestroyed() {
      return false
    }
    isFullScreen() {
      return false
    }
    getNormalBounds() {
      return this.normal
    }
    show() {}
  }
  return { FakeWindow, showErrorBox: vi.fn() }
})

vi.mock('electron', () => ({
  BrowserWindow: h.FakeWindow,
  dialog: { showErrorBox: h.showErrorBox },
}))

const { createMainWindow } = await import('./window')

function open(maximized = false, onState = vi.fn()) {
  createMainWindow({
    url: 'app://reanimate/index.html',
    preload: '/p.js',
    isDev: false,
    onClosed: () => undefined,
    placement: { bounds: { x: 5, y: 6, width: 1300, height: 850 }, maximized },
    onState,
  })
  const win = h.FakeWindow.last
  if (!win) throw new Error('no window')
  return { win, onState }
}

beforeEach(() => h.showErrorBox.mockClear())

describe('the main window', () => {
  it('opens where it was placed, maximised if it was', () => {
    const { win } = open(true)
    expect(win.options).toMatchObject({ x: 5, y: 6, width: 1300, height: 850 })
    expect(win.maximized).toBe(true)
    expect(open(false).win.maximized).toBe(false)
  })

  it('reports its normal bounds and maximised state when moved, resized or maximised', () => {
    const { win, onState } = open()
    win.emit('move')
    expect(onState).toHaveBeenLastCalledWith({ bounds: win.normal, maximized: false })
    win.maximized = true
    win.emit('maximize')
    expect(onState).toHaveBeenLastCalledWith({ bounds: win.normal, maximized: true })
  })

  it('reloads its page when the page process crashes, and gives up on a crash loop', () => {
    const { win } = open()
    expect(win.loaded).toEqual(['app://reanimate/index.html'])
    win.webContents.emit('render-process-gone', {}, { reason: 'clean-exit', exitCode: 0 })
    expect(win.loaded).toHaveLength(1)
    win.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 })
    expect(win.loaded).toEqual(['app://reanimate/index.html', 'app://reanimate/index.html'])
    win.webContents.emit('render-process-gone', {}, { reason: 'oom', exitCode: 1 })
    win.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 })
    expect(h.showErrorBox).not.toHaveBeenCalled()
    win.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 })
    expect(win.loaded).toHaveLength(4)
    expect(h.showErrorBox).toHaveBeenCalledTimes(1)
  })
})
