import path from 'node:path'
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  Notification,
  powerSaveBlocker,
  protocol,
  safeStorage,
  session,
  screen,
  shell,
} from 'electron'
import type { BatchFinished } from '../../shared/contract'
import { batchFinishedNotice, renderFinishedNotice } from '../../shared/notices'
import type { JobProgress } from '../../shared/jobs'
import { VIDEO_EXTENSIONS } from '../jobs/batch'
import { createServices } from '../services'
import { EncryptedFileSecretStore } from '../settings/secret-store'
import { safeStorageCipher } from './safe-storage-cipher'
import { installGuards } from './guard'
import { registerIpc } from './ipc-adapter'
import { installSleepGuard } from './power-save'
import { APP_BASE_URL, PRIVILEGED_SCHEMES, registerProtocols } from './protocols'
import { checkForUpdates, installUpdater } from './updater'
import { createMainWindow } from './window'
import { PROJECT_URL } from '../../shared/external-links'
import { isShortcutId, SHORTCUT_DEFS } from '../../shared/shortcuts'
import { bringToFront, installAppMenu, openAllowed } from './desktop-shell'
import { OpenFileQueue, pathsFromArgv } from './open-files'
import { prepareApp } from './startup'
import { quitPlan } from '../desktop/quit-plan'
import { placeWindow } from '../desktop/window-bounds'
import { readWindowState, WindowStateSaver } from '../desktop/window-state-file'

protocol.registerSchemesAsPrivileged(PRIVILEGED_SCHEMES)
// One data folder for the app and the CLI, and the Windows app id: both before ready.
prepareApp(app)

const devUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL
const isDev = Boolean(devUrl)
const rendererUrl = devUrl ?? `${APP_BASE_URL}index.html`
const windowIds = new Set<number>()
/** A render that took this long is worth a notification when it ends: the user went elsewhere. */
const LONG_RENDER_SEC = 30

// Files the OS opens with the app (macOS open-file, argv on Windows and Linux, a second launch)
// wait here until main's services take them (open-file can come before ready).
const osFiles = new OpenFileQueue(process.platform)
const argvContext = (cwd: string) => ({
  cwd,
  isPackaged: app.isPackaged,
  platform: process.platform,
})
let started = false
/** The window to the front, or a new one (macOS keeps running with none); not before start. */
const toFront = () => started && bringToFront(BrowserWindow.getAllWindows()[0], openWindow)
/** Help → Check for Updates…: the updater sets its own check here; until then, the releases page. */
const menuHooks = {
  checkForUpdates: (): void =>
    void openAllowed((url) => shell.openExternal(url), `${PROJECT_URL}/releases`),
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  // One lock for every way in: a second launch hands its files to this one and quits.
  osFiles.add(pathsFromArgv(process.argv, argvContext(process.cwd())))
  app.on('second-instance', (_event, argv, workingDirectory) => {
    osFiles.add(pathsFromArgv(argv, argvContext(workingDirectory)))
    toFront()
  })
  app.on('open-file', (event, file) => {
    event.preventDefault()
    osFiles.add([file])
    toFront()
  })
  void app.whenReady().then(start)
}

function openWindow(): void {
  const win = createMainWindow({
    url: rendererUrl,
    preload: path.join(__dirname, '../preload/index.js'),
    isDev,
    onClosed: (id) => windowIds.delete(id),
    ...rememberedPlacement(),
  })
  windowIds.add(win.webContents.id)
}

let windowState: WindowStateSaver | undefined
/** The window opens where it was last (if that is still on a display), and remembers moves. */
function rememberedPlacement() {
  const dataDir = app.getPath('userData')
  windowState ??= new WindowStateSaver(dataDir)
  const saver = windowState
  const primary = screen.getPrimaryDisplay()
  const others = screen.getAllDisplays().filter((d) => d.id !== primary.id)
  return {
    placement: placeWindow(
      readWindowState(dataDir),
      [primary, ...others].map((d) => d.workArea),
    ),
    onState: (state: Parameters<WindowStateSaver['update']>[0]) => saver.update(state),
  }
}

function start(): void {
  const dataDir = app.getPath('userData')
  const focused = () => BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0]
  const open = async (options: Electron.OpenDialogOptions) => {
    const win = focused()
    return (win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options))
      .filePaths
  }
  let menu: { refresh(): void } | undefined = undefined
  const services = createServices({
    dataDir,
    secrets: new EncryptedFileSecretStore(
      path.join(dataDir, 'secrets'),
      safeStorageCipher(safeStorage),
    ),
    dialogs: {
      pickFiles: () =>
        open({
          properties: ['openFile', 'multiSelections'],
          filters: [
            { name: 'Videos', extensions: [...VIDEO_EXTENSIONS].map((e) => e.slice(1)) },
            { name: 'All files', extensions: ['*'] },
          ],
        }),
      pickFolder: async () =>
        (await open({ properties: ['openDirectory', 'createDirectory'] }))[0] ?? null,
      pickLora: async () =>
        (
          await open({
            title: 'Choose a LoRA file',
            properties: ['openFile'],
            filters: [{ name: 'LoRA weights', extensions: ['safetensors'] }],
          })
        )[0] ?? null,
      pickProgram: async (title) =>
        (
          await open({
            title,
            properties: ['openFile', 'dontAddToRecent'],
            ...(process.platform === 'win32'
              ? { filters: [{ name: 'Programs', extensions: ['exe'] }] }
              : {}),
          })
        )[0] ?? null,
      showInFolder: (file) => shell.showItemInFolder(file),
      openFile: (file) => shell.openPath(file),
      pickProject: async () =>
        (
          await open({
            title: 'Open project',
            properties: ['openFile'],
            filters: [{ name: 'Reanimate projects', extensions: ['reanimate'] }],
          })
        )[0] ?? null,
      pickPreset: async () =>
        (
          await open({
            title: 'Import preset',
            properties: ['openFile'],
            filters: [{ name: 'Reanimate presets', extensions: ['json'] }],
          })
        )[0] ?? null,
      savePreset: async (defaultName) => {
        const options: Electron.SaveDialogOptions = {
          title: 'Export preset',
          defaultPath: defaultName,
          filters: [{ name: 'Reanimate presets', extensions: ['json'] }],
        }
        const win = focused()
        const r = win
          ? await dialog.showSaveDialog(win, options)
          : await dialog.showSaveDialog(options)
        return r.canceled ? null : (r.filePath ?? null)
      },
      saveProject: async (defaultName) => {
        const options: Electron.SaveDialogOptions = {
          title: 'Save project',
          defaultPath: defaultName,
          filters: [{ name: 'Reanimate projects', extensions: ['reanimate'] }],
        }
        const win = focused()
        const r = win
          ? await dialog.showSaveDialog(win, options)
          : await dialog.showSaveDialog(options)
        return r.canceled ? null : (r.filePath ?? null)
      },
      // The page cannot draw or answer this: it is the OS's own message box, owned by main.
      confirm: async (q) => {
        const options: Electron.MessageBoxOptions = {
          type: 'warning',
          title: q.title,
          message: q.message,
          detail: q.detail,
          buttons: [q.confirm, 'Cancel'],
          defaultId: 1,
          cancelId: 1,
          noLink: true,
        }
        const win = focused()
        const { response } = win
          ? await dialog.showMessageBox(win, options)
          : await dialog.showMessageBox(options)
        return response === 0
      },
    },
    // The taskbar (Windows, Linux) or dock (macOS) shows a batch's overall progress.
    desktop: {
      setProgress: (fraction) => {
        for (const win of BrowserWindow.getAllWindows())
          if (!win.isDestroyed()) win.setProgressBar(fraction ?? -1)
      },
      // The dock menu's and Jump List's recent documents, and the menu's Open Recent.
      addRecentDocument: (file) => {
        app.addRecentDocument(file)
        menu?.refresh()
      },
    },
  })
  // Unfinished renders from the last session pick up where they stopped (never submitted twice).
  void services.init()
  services.bus.subscribe((name, payload) => {
    if (!Notification.isSupported()) return
    if (name === 'batch.finished') {
      new Notification(batchFinishedNotice(payload as BatchFinished)).show()
      return
    }
    // A long render of one clip (not part of a batch, which gets its own notice) ending.
    if (name !== 'jobs.progress') return
    const p = payload as JobProgress
    if ((p.status !== 'done' && p.status !== 'failed') || p.batchId) return
    if (p.elapsedSec < LONG_RENDER_SEC) return
    const job = services.render.get(p.id)
    if (!job || job.parentId || job.origin === 'batch' || services.inBatch(p.id)) return
    new Notification(
      renderFinishedNotice(p.status, job.spec.source, job.spec.output, p.error?.message),
    ).show()
  })

  // The machine does not suspend while renders or a batch run (sleep-guard.ts).
  const dispatch = installSleepGuard({
    blocker: powerSaveBlocker,
    bus: services.bus,
    dispatch: services.dispatch,
    jobs: () => services.render.runner.view(),
    origin: (id) => services.render.get(id)?.origin,
  })

  // Every web contents, now and later: no foreign navigation or windows, no permissions.
  installGuards(app, session, { trustedBase: rendererUrl, isDev, shell })

  registerProtocols(protocol, path.join(__dirname, '../renderer'), services.access)
  registerIpc({
    ipcMain,
    dispatch,
    bus: services.bus,
    access: services.access,
    trustedBase: rendererUrl,
    windowIds,
    broadcast: (channel, ...args) => {
      for (const win of BrowserWindow.getAllWindows()) {
        if (windowIds.has(win.webContents.id)) win.webContents.send(channel, ...args)
      }
    },
    log: (m) => console.warn(`[ipc] ${m}`),
  })

  // The application menu: its commands go to the window as app.command (see menu-template.ts).
  menu = installAppMenu(Menu, {
    platform: process.platform,
    isDev,
    appName: app.name,
    shortcuts: SHORTCUT_DEFS,
    recent: () => services.settings.get().recentProjects,
    actions: {
      command: (id) => {
        if (isShortcutId(id)) services.bus.emit('app.command', { id })
      },
      openRecent: (file) => {
        services.openFiles({ projects: [file], videos: [] })
        toFront()
      },
      openExternal: (url) => void openAllowed((u) => shell.openExternal(u), url),
      checkForUpdates: () => menuHooks.checkForUpdates(),
    },
  })
  // Paths from argv and open-file are the user's choice (the OS passed them): granted like a drop.
  osFiles.flush((files) => services.openFiles(files))
  app.on('window-all-closed', () => services.windowGone())
  started = true

  // Quitting with renders running: renders at fal are collected at the next launch, so only a
  // local step in progress (prepare, upload, send, download, finish) is worth a question.
  let quitConfirmed = false
  app.on('before-quit', (event) => {
    void windowState?.flush()
    if (quitConfirmed) return
    const plan = quitPlan(services.render.list(), (id) => services.render.runner.isActiveHere(id))
    if (!plan.ask) {
      if (plan.message && Notification.isSupported())
        new Notification({ title: plan.message, body: plan.detail }).show()
      return
    }
    event.preventDefault()
    const options: Electron.MessageBoxOptions = {
      type: 'warning',
      title: 'Quit Reanimate?',
      message: plan.message,
      detail: plan.detail,
      buttons: ['Quit', 'Keep running'],
      defaultId: 1,
      cancelId: 1,
      noLink: true,
    }
    const win = focused()
    void (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options)).then(
      ({ response }) => {
        if (response === 0) {
          quitConfirmed = true
          app.quit()
        } else if (BrowserWindow.getAllWindows().length === 0) openWindow()
      },
    )
  })

  openWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow()
  })

  // A new version from GitHub releases: looked for now if Settings allows; Help asks any time.
  installUpdater({ setting: () => services.settings.get().checkForUpdates })
  menuHooks.checkForUpdates = () => void checkForUpdates(true)
  void checkForUpdates(false)
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
