import type { App, Session, Shell, WebContents } from 'electron'
import { allowedExternalUrl } from '../../shared/external-links'
import { isTrustedUrl } from './sender'

export interface GuardOptions {
  /** Our page (`app://reanimate/…` or the dev server): the only place a frame may navigate to. */
  trustedBase: string
  /** Dev builds keep devtools; packaged builds close them as soon as they open. */
  isDev: boolean
  /** Opens allow-listed links in the user's browser. */
  shell: Pick<Shell, 'openExternal'>
}

export type GuardedSession = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler'
>
export type GuardedContents = Pick<
  WebContents,
  'setWindowOpenHandler' | 'on' | 'closeDevTools' | 'session'
>

const guardedSessions = new WeakSet<object>()
const guardedContents = new WeakSet<object>()

/** No page may ask for camera, microphone, location, notifications, devices and the like. */
export function denyPermissions(session: GuardedSession): void {
  if (guardedSessions.has(session)) return
  guardedSessions.add(session)
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
}

/**
 * The rules every web contents lives by: no new windows (allow-listed links go to the user's
 * browser instead), no navigation or redirect away from our page, no <webview>, no devtools in
 * packaged builds, and no permissions for its session.
 */
export function guardContents(contents: GuardedContents, options: GuardOptions): void {
  if (guardedContents.has(contents)) return
  guardedContents.add(contents)
  const { trustedBase, isDev, shell } = options

  contents.setWindowOpenHandler(({ url }) => {
    const safe = allowedExternalUrl(url)
    if (safe !== undefined) {
      shell.openExternal(safe).catch((err: unknown) => {
        console.warn(`[guard] could not open ${safe}: ${String(err)}`)
      })
    }
    return { action: 'deny' }
  })
  // The URL comes from the event's details: the listener's `url` argument is deprecated (Electron 45).
  contents.on('will-navigate', (details) => {
    if (!isTrustedUrl(details.url, trustedBase)) details.preventDefault()
  })
  contents.on('will-redirect', (details) => {
    if (!isTrustedUrl(details.url, trustedBase)) details.preventDefault()
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
  if (!isDev) {
    contents.on('devtools-opened', () => contents.closeDevTools())
  }
  if (contents.session) denyPermissions(contents.session)
}

/**
 * Guards every web contents the app will ever create (windows, and anything a page manages to
 * spawn), and denies permissions on the default session. Call before the first window opens.
 */
export function installGuards(
  app: Pick<App, 'on'>,
  session: { defaultSession: GuardedSession },
  options: GuardOptions,
): void {
  denyPermissions(session.defaultSession)
  app.on('web-contents-created', (_event, contents) => guardContents(contents, options))
}
