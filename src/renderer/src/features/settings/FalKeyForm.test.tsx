import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { AppError } from '@shared/errors'
import type { KeyStatus } from '@shared/secrets'
import { setBridge } from '../../bridge'
import { bridgeFrom } from '../../test-bridge'
import { useApp } from '../../stores/app-store'
import { FalKeyForm } from './FalKeyForm'

/** An in-memory stand-in for main's KeyService, speaking the real contract shapes. */
function fakeBridge(initial: KeyStatus) {
  let status = initial
  let stored: string | undefined
  const calls: string[] = []
  const { bridge } = bridgeFrom(async (method, params) => {
    calls.push(method)
    if (method === 'secrets.setFalKey') {
      const key = (params as { key: string }).key
      if (key.length < 8)
        throw new AppError(
          'invalid-params',
          'secrets.setFalKey: key: the fal key looks too short',
          { field: 'key' },
        )
      stored = key
      status = { ...status, source: 'stored' }
      return status
    }
    if (method === 'secrets.clearFalKey') {
      stored = undefined
      status = { ...status, source: 'none' }
      return status
    }
    throw new Error(`unexpected ${method}`)
  })
  return { bridge, calls, stored: () => stored }
}

const none: KeyStatus = {
  source: 'none',
  canStore: true,
  storage: 'os',
  proxy: false,
  helpUrl: 'https://fal.ai/dashboard/keys',
}

describe('FalKeyForm', () => {
  beforeEach(() => useApp.setState({ keyStatus: none, notices: [] }))
  afterEach(() => {
    cleanup()
    setBridge(undefined)
  })

  it('says where to get a key when none is set', () => {
    setBridge(fakeBridge(none).bridge)
    render(<FalKeyForm />)
    expect(screen.getByTestId('key-status')).toHaveTextContent('No fal key yet')
    expect(screen.getByRole('link', { name: 'https://fal.ai/dashboard/keys' })).toBeInTheDocument()
  })

  it('saves a key, clears the field and offers Replace and Remove', async () => {
    const fake = fakeBridge(none)
    setBridge(fake.bridge)
    render(<FalKeyForm />)
    const input = screen.getByLabelText('fal key', { selector: 'input' }) as HTMLInputElement
    expect(input.type).toBe('password')
    await userEvent.type(input, 'abc12345:secret')
    await userEvent.click(screen.getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(screen.getByRole('button', { name: 'Replace' })).toBeInTheDocument())
    expect(fake.stored()).toBe('abc12345:secret')
    expect(input.value).toBe('')
    await userEvent.click(screen.getByRole('button', { name: 'Remove' }))
    await waitFor(() =>
      expect(screen.getByTestId('key-status')).toHaveTextContent('No fal key yet'),
    )
    expect(fake.calls).toEqual(['secrets.setFalKey', 'secrets.clearFalKey'])
  })

  it("shows main's validation message and keeps what was typed", async () => {
    setBridge(fakeBridge(none).bridge)
    render(<FalKeyForm />)
    const input = screen.getByLabelText('fal key', { selector: 'input' })
    await userEvent.type(input, 'short')
    await userEvent.click(screen.getByRole('button', { name: 'Save' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('too short')
    expect(input).toHaveValue('short')
    expect(input).toHaveAttribute('aria-invalid', 'true')
  })

  it('disables saving where the system cannot protect the key', () => {
    useApp.setState({ keyStatus: { ...none, canStore: false } })
    setBridge(fakeBridge(none).bridge)
    render(<FalKeyForm />)
    expect(screen.getByText(/no keychain/)).toBeInTheDocument()
    expect(screen.getByLabelText('fal key', { selector: 'input' })).toBeDisabled()
  })

  it('in reanimate ui, says a saved key lasts until it stops and how to keep one', () => {
    useApp.setState({ keyStatus: { ...none, storage: 'memory' } })
    setBridge(fakeBridge(none).bridge)
    render(<FalKeyForm />)
    expect(screen.getByTestId('key-status')).toHaveTextContent(
      'No fal key yet. Rendering needs one. Here a saved key lasts until Reanimate stops; start it with FAL_KEY set to keep one.',
    )
    cleanup()
    useApp.setState({ keyStatus: { ...none, storage: 'memory', source: 'env' } })
    render(<FalKeyForm />)
    expect(screen.getByTestId('key-status')).toHaveTextContent(
      'Using the FAL_KEY environment variable.',
    )
    expect(screen.getByTestId('key-status')).not.toHaveTextContent('lasts until')
  })
})
