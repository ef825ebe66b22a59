import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { DEFAULT_ENDPOINT, STANDARD } from '@shared/endpoints'
import { ParamsForm } from './ParamsForm'
import { useParams } from './params-store'

describe('ParamsForm', () => {
  beforeEach(() => {
    useParams.getState().setEndpoint(DEFAULT_ENDPOINT)
    useParams.setState({ draft: { prompt: '', loras: [] } })
    useParams.getState().update({})
  })
  afterEach(cleanup)

  it("shows turbo's ranges and defaults from the shared schema", () => {
    render(<ParamsForm />)
    expect(screen.getByText('Steps').parentElement).toHaveTextContent('4–12, default 8')
    expect(screen.getByText('Guidance').parentElement).toHaveTextContent('1–2.5, default 2.2')
    expect(screen.queryByLabelText('Base model')).toBeNull()
  })

  it('marks an out-of-range value with a message naming the control and the range', async () => {
    render(<ParamsForm />)
    await userEvent.type(screen.getByLabelText('Prompt'), 'a fox')
    const steps = screen.getByRole('spinbutton', { name: /Steps/ })
    fireEvent.change(steps, { target: { value: '20' } })
    expect(steps).toHaveAttribute('aria-invalid', 'true')
    expect(
      screen.getByText('Steps must be a whole number from 4 to 12 (got 20)'),
    ).toBeInTheDocument()
    expect(useParams.getState().valid).toBeNull()
    fireEvent.change(steps, { target: { value: '10' } })
    expect(steps).toHaveAttribute('aria-invalid', 'false')
    expect(useParams.getState().valid).toMatchObject({
      prompt: 'a fox',
      num_inference_steps: 10,
      guidance_scale: 2.2,
    })
  })

  it('switching to the standard model brings its own ranges and the base model choice', async () => {
    render(<ParamsForm />)
    await userEvent.selectOptions(screen.getByLabelText('Model'), STANDARD)
    expect(screen.getByText('Steps').parentElement).toHaveTextContent('1–50, default 25')
    expect(screen.getByLabelText('Base model')).toHaveValue('cardosAnimev20')
  })

  it('adds LoRAs up to the limit and validates their scale', async () => {
    render(<ParamsForm />)
    await userEvent.type(screen.getByLabelText('Prompt'), 'x')
    await userEvent.click(screen.getByRole('button', { name: 'Add LoRA' }))
    await userEvent.type(
      screen.getByLabelText('LoRA 1 path'),
      'https://example.com/style.safetensors',
    )
    fireEvent.change(screen.getByLabelText('LoRA 1 scale'), { target: { value: '3' } })
    expect(screen.getByText('LoRA 1 scale must be from 0 to 2 (got 3)')).toBeInTheDocument()
    for (let i = 0; i < 4; i++)
      await userEvent.click(screen.getByRole('button', { name: 'Add LoRA' }))
    expect(screen.getByRole('button', { name: 'Add LoRA' })).toBeDisabled()
  })
})
