import path from 'node:path'
import { BrowserWindow, dialog } from 'electron'
import { CrashPolicy } from '../desktop/renderer-crash'
import { MIN_SIZE, type WindowPlacement, type WindowState } from '../desktop/window-bounds'

export interface WindowOptions {
  url: string
  preload: string
  isDev: boolean
  onClosed: (id: number) => void
  /** Where it opens (placeWindow: the saved state, checked against the displays). */
  placement: WindowPlacement
  /** Its size, position and maximised state each time they change, to remember. */
  onState?: (state: WindowState) => void
}

export function createMainWindow(options: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    ...options.placement.bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    title: 'Reanimate',
    backgroundColor: '#111315',
    icon: path.join(__dirname, '../../resources/icon.png'),
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // Middle-click must not open windows behind the window-open handler's back.
      disableBlinkFeatures: 'Auxclick',
      devTools: options.isDev,
    },
  })
  // Navigation, window.open, <webview>, devtools and permissions: guarded for every web contents
  // by installGuards (guard.ts), which app.ts installs before the first window opens.
  const id = win.webContents.id
  if (options.placement.maximized) win.maximize()
  win.once('ready-to-show', () => win.show())
  win.on('closed', () => options.onClosed(id))

  // The normal bounds, also while maximised, so un-maximising next time returns to them.
  const report = () => {
    if (win.isDestroyed() || win.isFullScreen()) return
    options.onState?.({ bounds: win.getNormalBounds(), maximized: win.isMaximized() })
  }
  win.on('resize', report)
  win.on('move', report)
  win.on('maximize', report)
  win.on('unmaximize', report)

  // A crashed page is reloaded: on load it restores the project from the autosave.
  const crashes = new CrashPolicy()
  win.webContents.on('render-process-gone', (_event, details) => {
    const action = crashes.next(details.reason, Date.now())
    if (action === 'ignore' || win.isDestroyed()) return
    console.warn(`[window] page process gone (${details.reason}, exit ${details.exitCode})`)
    if (action === 'reload') {
      void win.loadURL(options.url)
      return
    }
    dialog.showErrorBox(
      'Reanimate’s window keeps stopping',
      'Quit Reanimate and open it again. Your project was autosaved, and renders at fal are collected when Reanimate opens.',
    )
  })
  void win.loadURL(options.url)
  return win
}
