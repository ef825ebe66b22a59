import type { Menu, MenuItemConstructorOptions } from 'electron'
import { allowedExternalUrl } from '../../shared/external-links'
import { menuTemplate, type MenuInput } from './menu-template'

/** The part of Electron's `Menu` the app menu needs (a fake in tests). */
export interface MenuApi {
  buildFromTemplate(template: MenuItemConstructorOptions[]): Menu
  setApplicationMenu(menu: Menu | null): void
}

/**
 * Sets the application menu, and sets it again when what it shows changes (the recent projects):
 * Electron menus are built once, so Open Recent is rebuilt rather than edited.
 */
export function installAppMenu(
  menu: MenuApi,
  input: Omit<MenuInput, 'recent'> & { recent: () => readonly string[] },
): { refresh(): void } {
  const refresh = () =>
    menu.setApplicationMenu(
      menu.buildFromTemplate(menuTemplate({ ...input, recent: input.recent() })),
    )
  refresh()
  return { refresh }
}

/** Opens a link in the user's browser only when it is allow-listed, and as the parser read it. */
export function openAllowed(openExternal: (url: string) => Promise<void>, url: string): boolean {
  const safe = allowedExternalUrl(url)
  if (safe) void openExternal(safe).catch(() => undefined)
  return safe !== undefined
}

export interface WindowLike {
  isMinimized(): boolean
  restore(): void
  show(): void
  focus(): void
}

/**
 * The app was asked for again (a second launch, a file opened from the OS, Open Recent): its window
 * comes to the front, or, with none open (macOS keeps the app running), a new one opens.
 */
export function bringToFront(win: WindowLike | undefined, openWindow: () => void): void {
  if (!win) {
    openWindow()
    return
  }
  if (win.isMinimized()) win.restore()
  win.show()
  win.focus()
}
