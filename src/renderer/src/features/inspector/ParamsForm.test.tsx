import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { DEFAULT_ENDPOINT, STANDARD } from '@shared/endpoints'
import { useApp } from '../../stores/app-store'
import { useProject } from '../project/project-store'
import { useTimeline } from '../timeline/timeline-store'
import type { Job } from '@shared/jobs'
import { useJobs } from '../queue/jobs-store'
import { ParamsForm } from './ParamsForm'
import { inspectorNow } from './params-store'

describe('ParamsForm', () => {
  beforeEach(() => {
    useProject.setState({
      clips: [],
      template: { endpoint: DEFAULT_ENDPOINT, params: { prompt: '' } },
    })
    useApp.setState({ selected: undefined })
    useTimeline.setState({ playhead: 0 })
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
    expect(inspectorNow().valid).toBeNull()
    fireEvent.change(steps, { target: { value: '10' } })
    expect(steps).toHaveAttribute('aria-invalid', 'false')
    expect(inspectorNow().valid).toMatchObject({
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

  it('with the playhead in a segment, edits that segment: overrides marked, reset inherits again', async () => {
    useProject.getState().addClip('/c/skate.mp4', 4)
    useApp.setState({ selected: '/c/skate.mp4' })
    const id = useProject.getState().clips[0]?.id ?? ''
    useProject.getState().setParam(id, null, 'prompt', 'ink')
    useProject.getState().setParam(id, null, 'num_inference_steps', 6)
    useProject.getState().split(id, 2, 25)
    useTimeline.setState({ playhead: 3 })
    render(<ParamsForm />)
    expect(screen.getByTestId('inspector-target')).toHaveTextContent('Segment 2 of 2')
    const prompt = screen.getByLabelText('Prompt')
    // Inherited from the clip until changed here.
    expect(prompt).toHaveValue('ink')
    expect(screen.queryByRole('button', { name: 'Reset Prompt to the clip' })).toBeNull()
    await userEvent.clear(prompt)
    await userEvent.type(prompt, 'oil')
    const clip = () => {
      const c = useProject.getState().clips[0]
      if (!c) throw new Error('no clip')
      return c
    }
    expect(clip().segments.map((s) => s.params.prompt)).toEqual([undefined, 'oil'])
    expect(clip().params.prompt).toBe('ink')
    expect(screen.getByRole('spinbutton', { name: /Steps/ })).toHaveValue(6)
    await userEvent.click(screen.getByRole('button', { name: 'Reset Prompt to the clip' }))
    expect(prompt).toHaveValue('ink')
    expect(clip().segments[1]?.params).toEqual({})
    // The first segment is the clip's values.
    cleanup()
    useTimeline.setState({ playhead: 1 })
    render(<ParamsForm />)
    expect(screen.getByTestId('inspector-target')).toHaveTextContent('Segment 1 of 2')
  })

  it("marks the control fal's 422 named on the clip's newest take, in fal's words", () => {
    useProject.getState().addClip('/c/skate.mp4', 4)
    useApp.setState({ selected: '/c/skate.mp4' })
    const id = useProject.getState().clips[0]?.id ?? ''
    useProject.getState().addTake(id, { jobId: 'j1', output: '/c/o.mp4', createdAt: 'now' })
    useJobs.setState({
      jobs: [
        {
          id: 'j1',
          status: 'failed',
          error: {
            code: 'fal-validation',
            message: 'fal refused Guidance: ensure this value is less than or equal to 2.5',
            field: 'guidance_scale',
          },
        } as unknown as Job,
      ],
    })
    render(<ParamsForm />)
    const guidance = screen.getByRole('spinbutton', { name: /Guidance/ })
    expect(guidance).toHaveAttribute('aria-invalid', 'true')
    expect(
      screen.getByText('fal refused Guidance: ensure this value is less than or equal to 2.5'),
    ).toBeInTheDocument()
    useJobs.setState({ jobs: [] })
  })
})
