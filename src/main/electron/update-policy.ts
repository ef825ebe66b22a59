/**
 * When Reanimate looks for, downloads and installs a new version, and what it tells the user.
 * Pure: the adapter (updater.ts) does what these say with electron-updater and the OS's dialogs.
 *
 * The rules: never in development (there is no release to compare with); at start only when the
 * setting is on, but always when the user asks from Help; nothing downloads until the user agrees;
 * a downloaded update installs when the app quits, or at once if the user says so.
 */

/** Start: the app just opened. Menu: the user chose Help › Check for updates. */
export type UpdateTrigger = 'start' | 'menu'

/** Where the updater is: a check or a download is never started twice at once. */
export type UpdatePhase = 'idle' | 'checking' | 'downloading' | 'downloaded'

/** An OS message box: `buttons[0]` is the yes. */
export interface UpdateMessage {
  type: 'info' | 'question' | 'error'
  message: string
  detail?: string
  buttons: string[]
}

export type CheckStep =
  | { do: 'check' }
  | { do: 'nothing' }
  | { do: 'tell'; message: UpdateMessage }
  /** Already downloaded: offer the restart again. */
  | { do: 'ask-restart'; message: UpdateMessage }

export function onTrigger(input: {
  /** An installed app (app.isPackaged), not `npm run dev`. */
  packaged: boolean
  /** Settings › "Check for updates when Reanimate starts". */
  setting: boolean
  trigger: UpdateTrigger
  phase: UpdatePhase
}): CheckStep {
  const asked = input.trigger === 'menu'
  if (!input.packaged)
    return asked
      ? tell(
          'info',
          'Updates are checked only in an installed copy of Reanimate.',
          'This one runs from its source folder: pull and rebuild to update it.',
        )
      : { do: 'nothing' }
  // The setting only stops the automatic check: asking from Help is the user's own request.
  if (!asked && !input.setting) return { do: 'nothing' }
  if (input.phase === 'downloaded')
    return asked ? { do: 'ask-restart', message: restartQuestion() } : { do: 'nothing' }
  if (input.phase !== 'idle')
    return asked
      ? tell(
          'info',
          input.phase === 'checking'
            ? 'Reanimate is already looking for a new version.'
            : 'Reanimate is downloading the new version.',
        )
      : { do: 'nothing' }
  return { do: 'check' }
}

export type CheckResult =
  { kind: 'available'; version: string } | { kind: 'none' } | { kind: 'error'; message: string }

export type AfterCheck = { do: 'nothing' } | { do: 'tell'; message: UpdateMessage } | AskDownload

export interface AskDownload {
  do: 'ask-download'
  message: UpdateMessage
}

/** What follows a check: a found version is offered; the rest is said only to a user who asked. */
export function afterCheck(
  result: CheckResult,
  trigger: UpdateTrigger,
  currentVersion: string,
): AfterCheck {
  if (result.kind === 'available')
    return {
      do: 'ask-download',
      message: {
        type: 'question',
        message: `Reanimate ${result.version} is available (you have ${currentVersion}).`,
        detail:
          'Download it now? It installs when you quit Reanimate; renders at fal are collected after the restart.',
        buttons: ['Download', 'Not now'],
      },
    }
  // At start, silence: no network or no new version is not worth a dialog.
  if (trigger === 'start') return { do: 'nothing' }
  if (result.kind === 'none')
    return tell('info', `Reanimate ${currentVersion} is the latest version.`)
  return tell('error', 'Reanimate could not look for a new version.', result.message)
}

/** The answer to "Download it now?": only a yes downloads. */
export function afterDownloadAnswer(answer: number): 'download' | 'nothing' {
  return answer === 0 ? 'download' : 'nothing'
}

/** Downloaded: installing waits for the quit unless the user restarts now. */
export function restartQuestion(): UpdateMessage {
  return {
    type: 'question',
    message: 'The new version of Reanimate is ready.',
    detail:
      'It installs when you quit Reanimate. Restart now to install it at once; renders at fal are collected after the restart.',
    buttons: ['Restart now', 'Later'],
  }
}

export function afterRestartAnswer(answer: number): 'install-now' | 'install-on-quit' {
  return answer === 0 ? 'install-now' : 'install-on-quit'
}

function tell(type: UpdateMessage['type'], message: string, detail?: string) {
  return {
    do: 'tell' as const,
    message: { type, message, ...(detail ? { detail } : {}), buttons: ['OK'] },
  }
}
