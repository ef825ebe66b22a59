import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { DEFAULT_SETTINGS, type Settings } from '@shared/settings'
import { setBridge } from '../../bridge'
import { bridgeFrom } from '../../test-bridge'
import { useApp } from '../../stores/app-store'
import { SettingsPanel } from './SettingsPanel'

/**
 * main's side of the main-owned settings: the page only asks; `answer` is the user at main's own
 * dialog, which the page never sees.
 */
function fakeMain(answer: boolean) {
  let settings: Settings = DEFAULT_SETTINGS
  const calls: { method: string; params: unknown }[] = []
  const { bridge } = bridgeFrom(async (method, params) => {
    calls.push({ method, params })
    if (method === 'settings.setFalProxy') {
      const { url, sendKey } = params as { url: string | null; sendKey: boolean }
      if (!answer) return { settings, changed: false }
      settings = { ...settings, falProxy: url ? { url, sendKey } : null }
      return { settings, changed: true }
    }
    if (method === 'settings.pickTool') {
      if (!answer) return { settings, changed: false }
      settings = { ...settings, ffmpegPath: '/opt/ffmpeg/bin/ffmpeg' }
      return { settings, changed: true }
    }
    if (method === 'settings.resetTool') {
      settings = { ...settings, ffmpegPath: null }
      return settings
    }
    if (method === 'app.info') return { tools: { ffmpeg: null, ffprobe: null, problems: [] } }
    throw new Error(`unexpected ${method}`)
  })
  return { bridge, calls }
}

describe('SettingsPanel: the proxy and ffmpeg are asked of main, never set by the page', () => {
  beforeEach(() => useApp.setState({ settings: DEFAULT_SETTINGS, settingsOpen: true, notices: [] }))
  afterEach(() => {
    cleanup()
    setBridge(undefined)
  })

  it('asks main to use a proxy, with the key only when ticked, and shows where renders go', async () => {
    const main = fakeMain(true)
    setBridge(main.bridge)
    render(<SettingsPanel />)
    expect(screen.getByText('Renders go straight to fal.')).toBeInTheDocument()
    await userEvent.type(
      screen.getByLabelText('fal proxy URL'),
      'https://proxy.example/api/fal/proxy',
    )
    await userEvent.click(screen.getByLabelText('Send my fal key to this proxy'))
    await userEvent.click(screen.getByRole('button', { name: 'Use proxy…' }))
    expect(main.calls).toEqual([
      {
        method: 'settings.setFalProxy',
        params: { url: 'https://proxy.example/api/fal/proxy', sendKey: true },
      },
    ])
    await waitFor(() =>
      expect(
        screen.getByText(
          'Renders go through https://proxy.example/api/fal/proxy, with your fal key.',
        ),
      ).toBeInTheDocument(),
    )
  })

  it('says nothing changed when the user declines in main', async () => {
    const main = fakeMain(false)
    setBridge(main.bridge)
    render(<SettingsPanel />)
    await userEvent.type(screen.getByLabelText('fal proxy URL'), 'https://proxy.example/')
    await userEvent.click(screen.getByRole('button', { name: 'Use proxy…' }))
    await waitFor(() =>
      expect(useApp.getState().notices.map((n) => n.text)).toContain(
        'The fal proxy was not changed.',
      ),
    )
    expect(screen.getByText('Renders go straight to fal.')).toBeInTheDocument()
  })

  it('has no field to type a program path into: Choose ffmpeg… asks main', async () => {
    const main = fakeMain(true)
    setBridge(main.bridge)
    render(<SettingsPanel />)
    expect(screen.queryByLabelText(/ffmpeg path/i)).toBeNull()
    await userEvent.click(screen.getByRole('button', { name: 'Choose ffmpeg…' }))
    expect(main.calls[0]).toEqual({ method: 'settings.pickTool', params: { tool: 'ffmpeg' } })
    await userEvent.click(await screen.findByRole('button', { name: 'Find ffmpeg automatically' }))
    expect(main.calls.map((c) => c.method)).toContain('settings.resetTool')
    await waitFor(() => expect(useApp.getState().settings?.ffmpegPath).toBeNull())
  })
})
