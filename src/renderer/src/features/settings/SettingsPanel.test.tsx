import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { DEFAULT_SETTINGS, type Settings } from '@shared/settings'
import { setBridge } from '../../bridge'
import { bridgeFrom } from '../../test-bridge'
import { useApp } from '../../stores/app-store'
import { SettingsPanel } from './SettingsPanel'
import { falStatus } from './fal-status'
import { createDispatcher, type Handlers } from '@shared/contract/dispatch'
import { AppError } from '@shared/errors'
import type { KeyStatus } from '@shared/secrets'

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

/**
 * main behind the real contract: arguments are parsed and refused by the same dispatcher the
 * transports use, so the messages are the ones a user sees.
 */
function contractMain(start: Settings = DEFAULT_SETTINGS) {
  let settings = start
  const calls: { method: string; params: unknown }[] = []
  const handlers = {
    'settings.update': async (patch: Partial<Settings>) => {
      settings = { ...settings, ...patch }
      return settings
    },
  } as unknown as Handlers
  const dispatch = createDispatcher(handlers)
  const { bridge } = bridgeFrom(async (method, params) => {
    calls.push({ method, params })
    const reply = await dispatch(method, params, { transport: 'websocket', mediaBaseUrl: '/' })
    if (!reply.ok) throw AppError.fromInfo(reply.error)
    return reply.value
  })
  return { bridge, calls, settings: () => settings }
}

const noKey: KeyStatus = {
  source: 'none',
  canStore: true,
  storage: 'os',
  proxy: false,
  helpUrl: 'https://fal.ai/dashboard/keys',
}

describe('SettingsPanel: an honest fal status, in the same words as the badge', () => {
  afterEach(() => {
    cleanup()
    setBridge(undefined)
  })

  it('with a proxy set and no key: renders go through the proxy, and nothing says "No fal key yet"', () => {
    const falProxy = { url: 'https://proxy.example/api/fal/proxy', sendKey: false }
    const keyStatus = { ...noKey, proxy: true }
    useApp.setState({ settings: { ...DEFAULT_SETTINGS, falProxy }, keyStatus, settingsOpen: true })
    setBridge(contractMain().bridge)
    render(<SettingsPanel />)
    const status = screen.getByTestId('fal-status')
    expect(status).toHaveTextContent('Using your fal proxy.')
    expect(status).toHaveTextContent(
      'Renders go through proxy.example, which adds its own fal key.',
    )
    // The top bar badge says the same (it is drawn from the same status).
    expect(falStatus(keyStatus, falProxy).badge).toBe('Using your fal proxy')
    expect(screen.getByTestId('key-status')).not.toHaveTextContent('No fal key yet')
    expect(screen.getByTestId('key-status')).toHaveTextContent('none is needed')
  })

  it('with neither: says rendering needs a key or a proxy, like the badge', () => {
    useApp.setState({ settings: DEFAULT_SETTINGS, keyStatus: noKey, settingsOpen: true })
    setBridge(contractMain().bridge)
    render(<SettingsPanel />)
    expect(screen.getByTestId('fal-status')).toHaveTextContent('Add a fal key to render.')
    expect(screen.getByTestId('fal-status')).toHaveTextContent('No fal key and no proxy yet')
  })
})

describe('SettingsPanel: Rendering and Appearance save in place', () => {
  beforeEach(() =>
    useApp.setState({
      settings: DEFAULT_SETTINGS,
      keyStatus: noKey,
      settingsOpen: true,
      notices: [],
    }),
  )
  afterEach(() => {
    cleanup()
    setBridge(undefined)
  })

  it('confirms "Saved" beside the control, and names the control when a value is refused', async () => {
    const main = contractMain()
    setBridge(main.bridge)
    render(<SettingsPanel />)
    const concurrency = screen.getByLabelText('Renders at once')
    await userEvent.clear(concurrency)
    await userEvent.type(concurrency, '3{Enter}')
    await waitFor(() => expect(main.settings().concurrency).toBe(3))
    expect(await screen.findByText('Saved')).toBeInTheDocument()

    // A refused value: the message names the field by its label, not the contract's field.
    const name = screen.getByLabelText('Output name')
    await userEvent.clear(name)
    await userEvent.type(name, '{{stem}-styled{Enter}')
    await waitFor(() => expect(main.settings().nameTemplate).toBe('{stem}-styled'))
    await userEvent.clear(name)
    await userEvent.type(name, 'styled{Enter}')
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Output name must contain {stem}, or every clip would get the same name',
    )
    expect(name).toHaveAttribute('aria-invalid', 'true')
    expect(main.calls.map((c) => c.params)).not.toContainEqual({ nameTemplate: 'styled' })
    await expect(useApp.getState().updateSettings({ concurrency: 41 })).rejects.toThrow(
      'Renders at once must be at most 40',
    )
    expect(useApp.getState().notices).toEqual([])
  })

  it('the theme and the result frame rate are radio groups that save at once', async () => {
    const main = contractMain()
    setBridge(main.bridge)
    render(<SettingsPanel />)
    expect(screen.getByRole('radio', { name: 'Follow the system' })).toBeChecked()
    await userEvent.click(screen.getByRole('radio', { name: 'Dark' }))
    await waitFor(() => expect(main.settings().theme).toBe('dark'))
    await userEvent.click(screen.getByRole('radio', { name: 'Same as the source clip' }))
    await waitFor(() => expect(main.settings().resultFps).toBe('source'))
    expect(screen.getByRole('radio', { name: 'Dark' })).toBeChecked()
  })
})

describe('SettingsPanel: updates', () => {
  afterEach(() => {
    cleanup()
    setBridge(undefined)
    useApp.setState({ info: undefined })
  })

  it('"Check for updates when Reanimate starts" is on by default and saves when unticked', async () => {
    useApp.setState({ settings: DEFAULT_SETTINGS, keyStatus: noKey, settingsOpen: true })
    const main = contractMain()
    setBridge(main.bridge)
    render(<SettingsPanel />)
    const box = screen.getByRole('checkbox', { name: 'Check for updates when Reanimate starts' })
    expect(box).toBeChecked()
    await userEvent.click(box)
    await waitFor(() => expect(main.settings().checkForUpdates).toBe(false))
    expect(main.calls.map((c) => c.params)).toContainEqual({ checkForUpdates: false })
    expect(box).not.toBeChecked()
    expect(await screen.findByText('Saved')).toBeInTheDocument()
  })

  it('is not offered in a browser tab, which never updates itself', () => {
    useApp.setState({
      settings: DEFAULT_SETTINGS,
      keyStatus: noKey,
      settingsOpen: true,
      info: { transport: 'websocket' } as never,
    })
    setBridge(contractMain().bridge)
    render(<SettingsPanel />)
    expect(screen.queryByRole('checkbox', { name: /check for updates/i })).toBeNull()
  })
})

describe('SettingsPanel: a drawer that takes focus', () => {
  afterEach(() => {
    cleanup()
    setBridge(undefined)
  })

  it('moves focus in, keeps Tab inside, closes on Esc and gives focus back', async () => {
    useApp.setState({ settings: DEFAULT_SETTINGS, keyStatus: noKey, settingsOpen: false })
    setBridge(contractMain().bridge)
    render(
      <>
        <button onClick={() => useApp.getState().openSettings(true)}>Settings</button>
        <SettingsPanel />
      </>,
    )
    const opener = screen.getByRole('button', { name: 'Settings' })
    await userEvent.click(opener)
    const drawer = await screen.findByRole('dialog', { name: 'Settings' })
    expect(drawer).toContainElement(document.activeElement as HTMLElement)
    // Round the drawer once and past its end: focus never leaves it.
    const stops = drawer.querySelectorAll(
      'button:not([disabled]), input:not([disabled]), select, a',
    ).length
    const seen = new Set<Element | null>()
    for (let i = 0; i < stops + 2; i++) {
      await userEvent.tab()
      seen.add(document.activeElement)
      expect(drawer).toContainElement(document.activeElement as HTMLElement)
    }
    expect(seen.size).toBeGreaterThan(5)
    await userEvent.keyboard('{Escape}')
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(opener).toHaveFocus()
  }, 20_000)
})
