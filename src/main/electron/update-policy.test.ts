import { describe, expect, it } from 'vitest'
import {
  afterCheck,
  afterDownloadAnswer,
  afterRestartAnswer,
  onTrigger,
  type UpdatePhase,
  type UpdateTrigger,
} from './update-policy'

const at = (
  trigger: UpdateTrigger,
  o: { packaged?: boolean; setting?: boolean; phase?: UpdatePhase } = {},
) =>
  onTrigger({
    packaged: o.packaged ?? true,
    setting: o.setting ?? true,
    phase: o.phase ?? 'idle',
    trigger,
  })

describe('onTrigger: whether to look for a new version', () => {
  it('an installed app with the setting on checks at start and from the menu', () => {
    expect(at('start')).toEqual({ do: 'check' })
    expect(at('menu')).toEqual({ do: 'check' })
  })

  it('never in development: silent at start, and says why when asked from Help', () => {
    expect(at('start', { packaged: false })).toEqual({ do: 'nothing' })
    const step = at('menu', { packaged: false })
    expect(step.do).toBe('tell')
    expect(step.do === 'tell' && step.message.message).toMatch(/only in an installed copy/)
    // even with the setting on, and whatever the phase
    expect(at('start', { packaged: false, setting: true, phase: 'downloaded' }).do).toBe('nothing')
  })

  it('the setting off stops the check at start, not the one the user asks for from Help', () => {
    expect(at('start', { setting: false })).toEqual({ do: 'nothing' })
    expect(at('menu', { setting: false })).toEqual({ do: 'check' })
  })

  it('never checks twice at once; a user who asks is told what is going on', () => {
    expect(at('start', { phase: 'checking' })).toEqual({ do: 'nothing' })
    expect(at('menu', { phase: 'checking' })).toMatchObject({
      do: 'tell',
      message: { message: 'Reanimate is already looking for a new version.' },
    })
    expect(at('menu', { phase: 'downloading' })).toMatchObject({
      do: 'tell',
      message: { message: 'Reanimate is downloading the new version.' },
    })
  })

  it('with an update downloaded, Help offers the restart again', () => {
    expect(at('menu', { phase: 'downloaded' })).toMatchObject({
      do: 'ask-restart',
      message: { buttons: ['Restart now', 'Later'] },
    })
    expect(at('start', { phase: 'downloaded' })).toEqual({ do: 'nothing' })
  })
})

describe('afterCheck', () => {
  it('offers a found version, at start and from the menu, with Download as the yes', () => {
    for (const trigger of ['start', 'menu'] as const) {
      expect(afterCheck({ kind: 'available', version: '0.2.0' }, trigger, '0.1.0')).toEqual({
        do: 'ask-download',
        message: expect.objectContaining({
          message: 'Reanimate 0.2.0 is available (you have 0.1.0).',
          buttons: ['Download', 'Not now'],
        }),
      })
    }
  })

  it('no update or a failed check is silent at start', () => {
    expect(afterCheck({ kind: 'none' }, 'start', '0.1.0')).toEqual({ do: 'nothing' })
    expect(afterCheck({ kind: 'error', message: 'offline' }, 'start', '0.1.0')).toEqual({
      do: 'nothing',
    })
  })

  it('from the menu, says there is none, or why the check failed', () => {
    expect(afterCheck({ kind: 'none' }, 'menu', '0.1.0')).toMatchObject({
      do: 'tell',
      message: { type: 'info', message: 'Reanimate 0.1.0 is the latest version.' },
    })
    expect(
      afterCheck({ kind: 'error', message: 'net::ERR_INTERNET_DISCONNECTED' }, 'menu', '0.1.0'),
    ).toMatchObject({
      do: 'tell',
      message: { type: 'error', detail: 'net::ERR_INTERNET_DISCONNECTED' },
    })
  })
})

describe('the user’s answers', () => {
  it('downloads only after a yes; Not now or closing the box (cancel) downloads nothing', () => {
    expect(afterDownloadAnswer(0)).toBe('download')
    expect(afterDownloadAnswer(1)).toBe('nothing')
  })

  it('a downloaded update installs on quit unless the user restarts now', () => {
    expect(afterRestartAnswer(0)).toBe('install-now')
    expect(afterRestartAnswer(1)).toBe('install-on-quit')
  })
})
