import path from 'node:path'
import { BrowserWindow } from 'electron'

export interface WindowOptions {
  url: string
  preload: string
  isDev: boolean
  onClosed: (id: number) => void
}

export function createMainWindow(options: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
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
  win.once('ready-to-show', () => win.show())
  win.on('closed', () => options.onClosed(id))
  void win.loadURL(options.url)
  return win
}
