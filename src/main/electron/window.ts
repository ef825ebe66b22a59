import path from 'node:path'
import { BrowserWindow, shell, type WebContents } from 'electron'
import { isTrustedUrl } from './sender'

export interface WindowOptions {
  url: string
  preload: string
  isDev: boolean
  onClosed: (id: number) => void
}

/** Opens only https links, in the user's browser; everything else stays closed. */
function openExternalSafely(url: string): void {
  try {
    if (new URL(url).protocol === 'https:') void shell.openExternal(url)
  } catch {
    // not a URL: ignore
  }
}

function lockDown(contents: WebContents, trustedBase: string, isDev: boolean): void {
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url)
    return { action: 'deny' }
  })
  contents.on('will-navigate', (event, url) => {
    if (!isTrustedUrl(url, trustedBase)) event.preventDefault()
  })
  contents.on('will-redirect', (event, url) => {
    if (!isTrustedUrl(url, trustedBase)) event.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  if (!isDev) {
    contents.on('devtools-opened', () => contents.closeDevTools())
  }
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
  const id = win.webContents.id
  lockDown(win.webContents, options.url, options.isDev)
  win.once('ready-to-show', () => win.show())
  win.on('closed', () => options.onClosed(id))
  void win.loadURL(options.url)
  return win
}
