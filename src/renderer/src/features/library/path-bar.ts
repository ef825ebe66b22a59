import { HOME_PREFIX } from '@shared/home-path'

/** A full path as typed: from a root (`/`, `\`) or a drive (`C:`); or from home (`~`). */
const FROM_ROOT = /^([\\/]|[A-Za-z]:)/

/**
 * The folder the picker's path bar names: a full path or `~` as typed (main expands `~`), a name
 * without a root inside the folder shown ("day 2", "../other"), as a file dialog takes it.
 * Undefined when the bar is empty.
 */
export function typedFolder(typed: string, shown: string | undefined): string | undefined {
  const t = typed.trim()
  if (!t) return undefined
  if (FROM_ROOT.test(t) || HOME_PREFIX.test(t) || !shown) return t
  // The separator the shown folder uses: Windows paths from main use `\`.
  const sep = /^[A-Za-z]:\\|^\\\\/.test(shown) ? '\\' : '/'
  return shown.endsWith(sep) ? `${shown}${t}` : `${shown}${sep}${t}`
}
