import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import { isAllowedExternalUrl, PROJECT_ISSUES_URL } from '../../shared/external-links'
import { SHORTCUT_DEFS } from '../../shared/shortcuts'
import { menuTemplate, type MenuActions } from './menu-template'

const PLATFORMS = ['darwin', 'win32', 'linux'] as const

function build(platform: NodeJS.Platform, isDev = false, recent: string[] = []) {
  const actions: MenuActions = {
    command: vi.fn(),
    openRecent: vi.fn(),
    openExternal: vi.fn(),
    checkForUpdates: vi.fn(),
  }
  const menu = menuTemplate({
    platform,
    isDev,
    appName: 'Reanimate',
    shortcuts: SHORTCUT_DEFS,
    recent,
    actions,
  })
  return { menu, actions }
}

/** Every item, with the top-level menu it is under. */
function items(menu: MenuItemConstructorOptions[]) {
  const out: { item: MenuItemConstructorOptions; top: string }[] = []
  const walk = (list: MenuItemConstructorOptions[], top: string) => {
    for (const item of list) {
      out.push({ item, top })
      if (Array.isArray(item.submenu)) walk(item.submenu, top)
    }
  }
  for (const m of menu) {
    const top = (m.label ?? m.role ?? '').replace('&', '').toLowerCase()
    if (Array.isArray(m.submenu)) walk(m.submenu, top)
  }
  return out
}

const topOf = (menu: MenuItemConstructorOptions[], top: string) =>
  items(menu)
    .filter((i) => i.top === top)
    .map((i) => i.item)
const roles = (list: MenuItemConstructorOptions[]) => list.map((i) => i.role).filter(Boolean)
const click = (item: MenuItemConstructorOptions | undefined) =>
  (item?.click as (() => void) | undefined)?.()
const labelled = (menu: MenuItemConstructorOptions[], label: string) =>
  items(menu).find((i) => i.item.label === label)?.item

describe('menuTemplate', () => {
  it('macOS: the app menu first, with About, Settings…, Services, Hide and Quit', () => {
    const { menu } = build('darwin')
    expect(menu[0]?.label).toBe('Reanimate')
    const app = topOf(menu, 'reanimate')
    expect(roles(app)).toEqual(['about', 'services', 'hide', 'hideOthers', 'unhide', 'quit'])
    expect(app.find((i) => i.id === 'settings')?.accelerator).toBe('CmdOrCtrl+,')
    expect(menu.map((m) => m.label ?? m.role)).toEqual([
      'Reanimate',
      'File',
      'Edit',
      'View',
      'windowMenu',
      'help',
    ])
  })

  it('macOS: Edit has the roles text fields need; Undo and Redo reach the window', () => {
    const { menu, actions } = build('darwin')
    const edit = topOf(menu, 'edit')
    expect(roles(edit)).toEqual(['cut', 'copy', 'paste', 'selectAll'])
    expect(edit.map((i) => i.id).filter(Boolean)).toEqual(['undo', 'redo'])
    click(edit.find((i) => i.id === 'undo'))
    expect(actions.command).toHaveBeenCalledWith('undo')
  })

  it('Settings… is in the app menu on macOS, under Edit elsewhere; About in Help elsewhere', () => {
    for (const platform of PLATFORMS) {
      const { menu } = build(platform)
      const where = items(menu)
        .filter((i) => i.item.id === 'settings')
        .map((i) => i.top)
      expect(where).toEqual([platform === 'darwin' ? 'reanimate' : 'edit'])
      const about = items(menu).filter((i) => i.item.role === 'about')
      expect(about.map((i) => i.top)).toEqual([platform === 'darwin' ? 'reanimate' : 'help'])
      expect(menu.some((m) => m.label === 'Reanimate')).toBe(platform === 'darwin')
      // Quit is in the app menu on macOS, in File elsewhere.
      expect(items(menu).filter((i) => i.item.role === 'quit')).toHaveLength(1)
      expect(roles(topOf(menu, 'edit'))).toEqual(['cut', 'copy', 'paste', 'selectAll'])
    }
  })

  it('developer tools only in development', () => {
    for (const platform of PLATFORMS) {
      const devTools = (isDev: boolean) =>
        items(build(platform, isDev).menu).some((i) => i.item.role === 'toggleDevTools')
      expect(devTools(true)).toBe(true)
      expect(devTools(false)).toBe(false)
    }
  })

  it("every accelerator in the menu is the shortcut table's, and every menu command is there once", () => {
    const fromTable = new Map(SHORTCUT_DEFS.map((s) => [s.id, s]))
    for (const platform of PLATFORMS) {
      const all = items(build(platform).menu)
      for (const { item } of all) {
        if (item.accelerator === undefined) continue
        // Only commands of the table carry an accelerator, and the table's own.
        expect(fromTable.get(String(item.id))?.accelerator).toBe(item.accelerator)
        // Never a bare key: the menu would take it from text fields.
        expect(item.accelerator).toMatch(/^(CmdOrCtrl|Cmd|Ctrl|Alt)\+/)
      }
      for (const s of SHORTCUT_DEFS) {
        const found = all.filter((i) => i.item.id === s.id)
        if (!s.menu) {
          expect(found).toEqual([])
          continue
        }
        expect(found).toHaveLength(1)
        const [{ item, top }] = found as [(typeof found)[number]]
        expect(item.label).toBe(s.menu.label)
        expect(item.accelerator).toBe(s.accelerator)
        const place = platform === 'darwin' && s.id === 'settings' ? 'reanimate' : s.menu.place
        expect(top).toBe(place)
      }
    }
  })

  it('a command item sends its id; Help opens allow-listed pages and checks for updates', () => {
    const { menu, actions } = build('linux')
    click(labelled(menu, 'Save As…'))
    expect(actions.command).toHaveBeenCalledWith('save-as')
    click(labelled(menu, 'Toggle Queue'))
    expect(actions.command).toHaveBeenLastCalledWith('toggle-queue')
    click(labelled(menu, 'Report a Problem…'))
    click(labelled(menu, 'Documentation'))
    expect(actions.openExternal).toHaveBeenNthCalledWith(1, PROJECT_ISSUES_URL)
    for (const [url] of vi.mocked(actions.openExternal).mock.calls)
      expect(isAllowedExternalUrl(url)).toBe(true)
    click(labelled(menu, 'Check for Updates…'))
    expect(actions.checkForUpdates).toHaveBeenCalledOnce()
  })

  it('File has what the issue lists, Open Recent from main’s list', () => {
    const recent = ['/p/One.reanimate', '/q/Two.reanimate']
    const { menu, actions } = build('darwin', false, recent)
    const file = menu.find((m) => m.label === 'File')?.submenu as MenuItemConstructorOptions[]
    expect(file.filter((i) => i.type !== 'separator').map((i) => i.label ?? i.role)).toEqual([
      'Open Clips…',
      'Batch a Folder…',
      'Open Project…',
      'Open Recent',
      'Save',
      'Save As…',
      'Import Preset…',
      'Export Preset…',
      'close',
    ])
    const open = (file[4]?.submenu ?? []) as MenuItemConstructorOptions[]
    expect(open.map((i) => i.label)).toEqual(['One.reanimate', 'Two.reanimate'])
    click(open[1])
    expect(actions.openRecent).toHaveBeenCalledWith('/q/Two.reanimate')
    const none = build('win32').menu.find((m) => m.label === '&File')
      ?.submenu as MenuItemConstructorOptions[]
    expect(none.find((i) => i.label === 'Open Recent')?.submenu).toEqual([
      { label: 'No Recent Projects', enabled: false },
    ])
  })

  it('names a recent Windows project by its file name', () => {
    const { menu } = build('win32', false, ['C:\\Edits\\Cut.reanimate'])
    expect(labelled(menu, 'Cut.reanimate')?.toolTip).toBe('C:\\Edits\\Cut.reanimate')
  })
})
