import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { parse } from 'yaml'
import { defaultDataDir } from '../settings/paths'
import { APP_ID, prepareApp } from './startup'

const fakeApp = () => ({ setPath: vi.fn(), setAppUserModelId: vi.fn() })

describe('prepareApp', () => {
  it("sets userData to the CLI's data folder, honouring REANIMATE_DATA_DIR", () => {
    const app = fakeApp()
    const env = { REANIMATE_DATA_DIR: 'relative/data' }
    expect(prepareApp(app, env, 'linux')).toBe(path.resolve('relative/data'))
    expect(app.setPath).toHaveBeenCalledWith('userData', defaultDataDir(env, 'linux'))
  })

  it.each(['linux', 'darwin', 'win32'] as const)('uses the same folder name on %s', (platform) => {
    const app = fakeApp()
    prepareApp(app, { APPDATA: path.join(os.tmpdir(), 'appdata') }, platform)
    expect(app.setPath).toHaveBeenCalledWith(
      'userData',
      defaultDataDir({ APPDATA: path.join(os.tmpdir(), 'appdata') }, platform),
    )
  })

  it('names the app to Windows with the installer shortcut’s id, and only on Windows', () => {
    const win = fakeApp()
    prepareApp(win, {}, 'win32')
    expect(win.setAppUserModelId).toHaveBeenCalledWith(APP_ID)
    const mac = fakeApp()
    prepareApp(mac, {}, 'darwin')
    expect(mac.setAppUserModelId).not.toHaveBeenCalled()
  })

  it("uses electron-builder.yml's appId", () => {
    const root = path.resolve(import.meta.dirname, '../../..')
    const config = parse(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as {
      appId?: string
    }
    expect(config.appId).toBe(APP_ID)
  })
})
