import { app, BrowserWindow, dialog } from 'electron'
import { autoUpdater, type AppUpdater } from 'electron-updater'
import {
  afterCheck,
  afterDownloadAnswer,
  afterRestartAnswer,
  onTrigger,
  restartQuestion,
  type CheckResult,
  type UpdateMessage,
  type UpdatePhase,
  type UpdateTrigger,
} from './update-policy'

export interface UpdateFlowDeps {
  updater: Pick<
    AppUpdater,
    | 'autoDownload'
    | 'autoInstallOnAppQuit'
    | 'checkForUpdates'
    | 'downloadUpdate'
    | 'quitAndInstall'
  >
  packaged: boolean
  currentVersion: string
  /** Settings › "Check for updates when Reanimate starts", read at each check. */
  setting: () => boolean
  /** Shows the OS's message box; resolves to the index of the button pressed. */
  ask: (message: UpdateMessage) => Promise<number>
  log: (message: string) => void
}

/** Runs update-policy.ts's decisions with electron-updater: one check or download at a time. */
export function createUpdateFlow(deps: UpdateFlowDeps): (trigger: UpdateTrigger) => Promise<void> {
  const { updater } = deps
  // Nothing is fetched until the user agrees; what was fetched installs when the app quits.
  updater.autoDownload = false
  updater.autoInstallOnAppQuit = true
  let phase: UpdatePhase = 'idle'

  const offerRestart = async () => {
    if (afterRestartAnswer(await deps.ask(restartQuestion())) === 'install-now')
      updater.quitAndInstall()
  }

  return async (trigger) => {
    const step = onTrigger({ packaged: deps.packaged, setting: deps.setting(), trigger, phase })
    if (step.do === 'nothing') return
    if (step.do === 'tell') return void (await deps.ask(step.message))
    if (step.do === 'ask-restart') return offerRestart()

    phase = 'checking'
    let result: CheckResult
    try {
      const found = await updater.checkForUpdates()
      result = found?.isUpdateAvailable
        ? { kind: 'available', version: found.updateInfo.version }
        : { kind: 'none' }
    } catch (err) {
      deps.log(`update check failed: ${String(err)}`)
      result = { kind: 'error', message: err instanceof Error ? err.message : String(err) }
    } finally {
      phase = 'idle'
    }
    const next = afterCheck(result, trigger, deps.currentVersion)
    if (next.do === 'nothing') return
    if (next.do === 'tell') return void (await deps.ask(next.message))
    if (afterDownloadAnswer(await deps.ask(next.message)) !== 'download') return

    phase = 'downloading'
    try {
      await updater.downloadUpdate()
      phase = 'downloaded'
    } catch (err) {
      phase = 'idle'
      deps.log(`update download failed: ${String(err)}`)
      // The user asked for this download, so a failure is theirs to know.
      await deps.ask({
        type: 'error',
        message: 'The new version of Reanimate could not be downloaded.',
        detail: err instanceof Error ? err.message : String(err),
        buttons: ['OK'],
      })
      return
    }
    await offerRestart()
  }
}

let flow: ((trigger: UpdateTrigger) => Promise<void>) | null = null

/** Sets up electron-updater (GitHub releases, from electron-builder.yml's `publish`). Call once, after ready. */
export function installUpdater(options: { setting: () => boolean }): void {
  // An unheard 'error' event would throw; failures are handled where the promise rejects.
  autoUpdater.on('error', (err) => console.warn(`[updater] ${String(err)}`))
  flow = createUpdateFlow({
    updater: autoUpdater,
    packaged: app.isPackaged,
    currentVersion: app.getVersion(),
    setting: options.setting,
    ask: async (m) => {
      const options: Electron.MessageBoxOptions = {
        type: m.type,
        title: 'Reanimate',
        message: m.message,
        ...(m.detail ? { detail: m.detail } : {}),
        buttons: m.buttons,
        defaultId: 0,
        // Closing the box is the last button: Not now, Later, OK.
        cancelId: m.buttons.length - 1,
        noLink: true,
      }
      const win = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0]
      const { response } = win
        ? await dialog.showMessageBox(win, options)
        : await dialog.showMessageBox(options)
      return response
    },
    log: (m) => console.warn(`[updater] ${m}`),
  })
}

/** Looks for a new version: at start (`false`, obeys the setting) or from Help (`true`). */
export function checkForUpdates(userInitiated: boolean): Promise<void> {
  if (!flow) return Promise.resolve()
  return flow(userInitiated ? 'menu' : 'start').catch((err: unknown) =>
    console.warn(`[updater] ${String(err)}`),
  )
}
