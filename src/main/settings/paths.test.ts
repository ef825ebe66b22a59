import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DATA_DIR_NAME, defaultDataDir } from './paths'

describe('the data folder', () => {
  it('has one name on every OS, so the app and the CLI share one journal', () => {
    const home = os.homedir()
    expect(defaultDataDir({}, 'linux')).toBe(path.join(home, '.config', DATA_DIR_NAME))
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/x' }, 'linux')).toBe(path.join('/x', DATA_DIR_NAME))
    expect(defaultDataDir({}, 'darwin')).toBe(
      path.join(home, 'Library', 'Application Support', DATA_DIR_NAME),
    )
    expect(defaultDataDir({ APPDATA: '/appdata' }, 'win32')).toBe(
      path.join('/appdata', DATA_DIR_NAME),
    )
    // Electron's own userData name for productName "Reanimate": the app keeps what it had.
    expect(DATA_DIR_NAME).toBe('Reanimate')
  })

  it('REANIMATE_DATA_DIR wins everywhere', () => {
    expect(defaultDataDir({ REANIMATE_DATA_DIR: '/tmp/r' }, 'win32')).toBe(path.resolve('/tmp/r'))
  })
})
