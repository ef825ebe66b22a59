import type { Menu, MenuItemConstructorOptions } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import { PROJECT_ISSUES_URL } from '../../shared/external-links'
import { SHORTCUT_DEFS } from '../../shared/shortcuts'
import { bringToFront, installAppMenu, openAllowed, type MenuApi } from './desktop-shell'

describe('installAppMenu', () => {
  it('sets the menu, and sets it again with the recent projects of the moment', () => {
    const set: MenuItemConstructorOptions[][] = []
    const menu: MenuApi = {
      buildFromTemplate: (t) => t as unknown as Menu,
      setApplicationMenu: (m) => void set.push(m as unknown as MenuItemConstructorOptions[]),
    }
    let recent = ['/a/One.reanimate']
    const installed = installAppMenu(menu, {
      platform: 'linux',
      isDev: false,
      appName: 'Reanimate',
      shortcuts: SHORTCUT_DEFS,
      recent: () => recent,
      actions: {
        command: vi.fn(),
        openRecent: vi.fn(),
        openExternal: vi.fn(),
        checkForUpdates: vi.fn(),
      },
    })
    recent = ['/b/Two.reanimate', ...recent]
    installed.refresh()
    const recentLabels = (m: MenuItemConstructorOptions[] | undefined) =>
      (
        (m?.[0]?.submenu as MenuItemConstructorOptions[]).find((i) => i.label === 'Open Recent')
          ?.submenu as MenuItemConstructorOptions[]
      ).map((i) => i.label)
    expect(set).toHaveLength(2)
    expect(recentLabels(set[0])).toEqual(['One.reanimate'])
    expect(recentLabels(set[1])).toEqual(['Two.reanimate', 'One.reanimate'])
  })
})

describe('openAllowed', () => {
  it("opens the project's pages, never another site", () => {
    const open = vi.fn(() => Promise.resolve())
    expect(openAllowed(open, PROJECT_ISSUES_URL)).toBe(true)
    expect(openAllowed(open, 'https://evil.example/issues')).toBe(false)
    expect(openAllowed(open, 'file:///etc/passwd')).toBe(false)
    expect(open.mock.calls).toEqual([[PROJECT_ISSUES_URL]])
  })
})

describe('bringToFront', () => {
  const win = (minimized: boolean) => ({
    isMinimized: () => minimized,
    restore: vi.fn(),
    show: vi.fn(),
    focus: vi.fn(),
  })

  it('restores a minimised window and focuses it', () => {
    const w = win(true)
    const openWindow = vi.fn()
    bringToFront(w, openWindow)
    expect(w.restore).toHaveBeenCalled()
    expect(w.focus).toHaveBeenCalled()
    expect(openWindow).not.toHaveBeenCalled()
  })

  it('opens a window when none is open (macOS keeps the app without one)', () => {
    const openWindow = vi.fn()
    bringToFront(undefined, openWindow)
    expect(openWindow).toHaveBeenCalledOnce()
  })
})
