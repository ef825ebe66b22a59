import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { UpdateMessage } from './update-policy'

// The real adapter's wiring, with Electron's dialog and electron-updater's singleton faked.
const electron = vi.hoisted(() => ({
  app: { isPackaged: true, getVersion: () => '0.1.0' },
  BrowserWindow: { getFocusedWindow: () => null, getAllWindows: () => [] },
  dialog: { showMessageBox: vi.fn() },
}))
const updater = vi.hoisted(() => ({
  autoDownload: true,
  autoInstallOnAppQuit: false,
  on: vi.fn(),
  checkForUpdates: vi.fn(),
  downloadUpdate: vi.fn(),
  quitAndInstall: vi.fn(),
}))
vi.mock('electron', () => electron)
vi.mock('electron-updater', () => ({ autoUpdater: updater }))

const { checkForUpdates, createUpdateFlow, installUpdater } = await import('./updater')

const available = { isUpdateAvailable: true, updateInfo: { version: '0.2.0' } }

function flow(o: { packaged?: boolean; setting?: boolean; answers?: number[] } = {}) {
  const asked: UpdateMessage[] = []
  const answers = [...(o.answers ?? [])]
  const run = createUpdateFlow({
    updater: updater as never,
    packaged: o.packaged ?? true,
    currentVersion: '0.1.0',
    setting: () => o.setting ?? true,
    ask: async (m) => {
      asked.push(m)
      return answers.shift() ?? m.buttons.length - 1
    },
    log: () => {},
  })
  return { run, asked }
}

beforeEach(() => {
  vi.clearAllMocks()
  updater.checkForUpdates.mockResolvedValue(available)
  updater.downloadUpdate.mockResolvedValue(['/tmp/update'])
})

describe('createUpdateFlow', () => {
  it('never downloads by itself and installs on quit', () => {
    flow()
    expect(updater.autoDownload).toBe(false)
    expect(updater.autoInstallOnAppQuit).toBe(true)
  })

  it('in development: no check, not even from the menu (which says why)', async () => {
    const { run, asked } = flow({ packaged: false })
    await run('start')
    await run('menu')
    expect(updater.checkForUpdates).not.toHaveBeenCalled()
    expect(asked.map((m) => m.message)).toEqual([
      'Updates are checked only in an installed copy of Reanimate.',
    ])
  })

  it('setting off: no check at start, a check when the user asks from Help', async () => {
    const { run } = flow({ setting: false })
    await run('start')
    expect(updater.checkForUpdates).not.toHaveBeenCalled()
    await run('menu')
    expect(updater.checkForUpdates).toHaveBeenCalledOnce()
  })

  it('the user declines: nothing is downloaded', async () => {
    const { run, asked } = flow({ answers: [1] })
    await run('start')
    expect(asked[0]?.message).toBe('Reanimate 0.2.0 is available (you have 0.1.0).')
    expect(updater.downloadUpdate).not.toHaveBeenCalled()
  })

  it('the user agrees: downloads, then installs on quit when they say Later', async () => {
    const { run, asked } = flow({ answers: [0, 1] })
    await run('start')
    expect(updater.downloadUpdate).toHaveBeenCalledOnce()
    expect(asked[1]?.buttons).toEqual(['Restart now', 'Later'])
    expect(updater.quitAndInstall).not.toHaveBeenCalled()
    // Help again: no second download, the restart is offered again.
    await run('menu')
    expect(updater.checkForUpdates).toHaveBeenCalledOnce()
    expect(asked[2]?.buttons).toEqual(['Restart now', 'Later'])
  })

  it('Restart now installs at once', async () => {
    const { run } = flow({ answers: [0, 0] })
    await run('menu')
    expect(updater.quitAndInstall).toHaveBeenCalledOnce()
  })

  it('a failed check is silent at start and explained from the menu', async () => {
    updater.checkForUpdates.mockRejectedValue(new Error('net::ERR_INTERNET_DISCONNECTED'))
    const { run, asked } = flow()
    await run('start')
    expect(asked).toEqual([])
    await run('menu')
    expect(asked[0]).toMatchObject({ type: 'error', detail: 'net::ERR_INTERNET_DISCONNECTED' })
  })

  it('a check while one runs does not start another', async () => {
    let finish: (v: unknown) => void = () => {}
    updater.checkForUpdates.mockReturnValue(new Promise((r) => (finish = r)))
    const { run, asked } = flow()
    const first = run('start')
    await run('menu')
    expect(asked[0]?.message).toBe('Reanimate is already looking for a new version.')
    finish({ isUpdateAvailable: false, updateInfo: { version: '0.1.0' } })
    await first
    expect(updater.checkForUpdates).toHaveBeenCalledOnce()
  })
})

describe('installUpdater and checkForUpdates', () => {
  it('asks in the OS message box and checks from Help with the setting off', async () => {
    electron.dialog.showMessageBox.mockResolvedValue({ response: 1 })
    installUpdater({ setting: () => false })
    expect(updater.on).toHaveBeenCalledWith('error', expect.any(Function))
    await checkForUpdates(false)
    expect(updater.checkForUpdates).not.toHaveBeenCalled()
    await checkForUpdates(true)
    expect(updater.checkForUpdates).toHaveBeenCalledOnce()
    expect(electron.dialog.showMessageBox).toHaveBeenCalledWith(
      expect.objectContaining({
        message: 'Reanimate 0.2.0 is available (you have 0.1.0).',
        buttons: ['Download', 'Not now'],
        cancelId: 1,
      }),
    )
    expect(updater.downloadUpdate).not.toHaveBeenCalled()
  })
})
