import type { MenuItemConstructorOptions } from 'electron'
import { PROJECT_ISSUES_URL, PROJECT_URL } from '../../shared/external-links'
import type { ShortcutDef } from '../../shared/shortcuts'

/** What the menu's items do; the Electron adapter (app.ts) fills these in. */
export interface MenuActions {
  /** An app command of the shortcut table: sent to the window, which runs it as for its keys. */
  command(id: string): void
  /** One of main's recent projects (the window may open those by path). */
  openRecent(file: string): void
  /** A page of the project in the user's browser (allow-listed by the adapter). */
  openExternal(url: string): void
  /** The updater's check, asked for by the user. */
  checkForUpdates(): void
}

export interface MenuInput {
  platform: NodeJS.Platform
  isDev: boolean
  /** The app menu's title on macOS. */
  appName: string
  shortcuts: readonly ShortcutDef[]
  /** Main's recent projects, newest first. */
  recent: readonly string[]
  actions: MenuActions
}

/** The README, on the project's page (allow-listed with it). */
export const DOCUMENTATION_URL = `${PROJECT_URL}#readme`
export const MAX_RECENT = 10

const separator: MenuItemConstructorOptions = { type: 'separator' }

/**
 * The application menu, from the shortcut table: an item for an app command takes its label and
 * accelerator from the table and sends its id to the window, so its keys are defined once.
 *
 * Edit's Cut, Copy, Paste and Select All are Electron roles: on macOS, text fields get those keys
 * only from the menu. Undo and Redo are app commands instead, not roles: the window undoes the
 * project's last edit, or the typing when a text field has the focus (runCommand in the renderer),
 * where a role would only ever undo typing and Cmd+Z could never reach the project on macOS.
 *
 * Settings… sits in the app menu on macOS (where Preferences go) and under Edit elsewhere.
 */
export function menuTemplate(input: MenuInput): MenuItemConstructorOptions[] {
  const { platform, isDev, actions } = input
  const mac = platform === 'darwin'
  const byId = new Map(input.shortcuts.map((s) => [s.id, s]))
  const command = (id: string): MenuItemConstructorOptions[] => {
    const s = byId.get(id)
    if (!s?.menu) return []
    return [
      {
        id: s.id,
        label: s.menu.label,
        ...(s.accelerator ? { accelerator: s.accelerator } : {}),
        click: () => actions.command(s.id),
      },
    ]
  }
  const name = (file: string) => file.split(platform === 'win32' ? /[\\/]/ : '/').pop() ?? file
  const recent = input.recent.slice(0, MAX_RECENT)
  // Alt+F opens File on Windows and Linux; macOS has no mnemonics and would show the `&`.
  const top = (label: string) => (mac ? label : `&${label}`)

  const appMenu: MenuItemConstructorOptions = {
    label: input.appName,
    submenu: [
      { role: 'about' },
      separator,
      ...command('settings'),
      separator,
      { role: 'services' },
      separator,
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      separator,
      { role: 'quit' },
    ],
  }

  const file: MenuItemConstructorOptions = {
    label: top('File'),
    submenu: [
      ...command('open-clips'),
      ...command('batch'),
      separator,
      ...command('open-project'),
      {
        label: 'Open Recent',
        submenu: recent.length
          ? recent.map((p) => ({ label: name(p), toolTip: p, click: () => actions.openRecent(p) }))
          : [{ label: 'No Recent Projects', enabled: false }],
      },
      separator,
      ...command('save'),
      ...command('save-as'),
      separator,
      ...command('import-preset'),
      ...command('export-preset'),
      separator,
      { role: 'close' },
      ...(mac ? [] : [{ role: 'quit' } as const]),
    ],
  }

  const edit: MenuItemConstructorOptions = {
    label: top('Edit'),
    submenu: [
      ...command('undo'),
      ...command('redo'),
      separator,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
      ...(mac ? [] : [separator, ...command('settings')]),
    ],
  }

  const view: MenuItemConstructorOptions = {
    label: top('View'),
    submenu: [
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { role: 'resetZoom' },
      separator,
      ...command('toggle-library'),
      ...command('toggle-queue'),
      ...command('toggle-inspector'),
      separator,
      { role: 'togglefullscreen' },
      // Never in a packaged app: the console would run code with the window's rights.
      ...(isDev
        ? [separator, { role: 'reload' } as const, { role: 'toggleDevTools' } as const]
        : []),
    ],
  }

  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [
      ...command('shortcuts-help'),
      { label: 'Documentation', click: () => actions.openExternal(DOCUMENTATION_URL) },
      { label: 'Report a Problem…', click: () => actions.openExternal(PROJECT_ISSUES_URL) },
      separator,
      { label: 'Check for Updates…', click: () => actions.checkForUpdates() },
      // macOS has About in the app menu.
      ...(mac ? [] : [separator, { role: 'about' } as const]),
    ],
  }

  return [...(mac ? [appMenu] : []), file, edit, view, { role: 'windowMenu' }, help]
}
