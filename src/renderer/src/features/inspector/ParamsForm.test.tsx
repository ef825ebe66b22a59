import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { AppInfo, RecentLora } from '@shared/contract'
import { DEFAULT_ENDPOINT, LORA_SCALE, SEED_MAX, STANDARD } from '@shared/endpoints'
import { setBridge } from '../../bridge'
import { bridgeFrom } from '../../test-bridge'
import { useApp } from '../../stores/app-store'
import { useFileBrowser } from '../library/file-browser-store'
import { useProject } from '../project/project-store'
import { useTimeline } from '../timeline/timeline-store'
import type { Job } from '@shared/jobs'
import { useJobs } from '../queue/jobs-store'
import { ParamsForm } from './ParamsForm'
import { inspectorNow } from './params-store'
import { useRecentLoras } from './recent-loras'

/** main as the form reaches it: its recent LoRAs and its LoRA dialog. */
let recentLoras: RecentLora[] = []
let picked: string | null = null
const calls: { method: string; params: unknown }[] = []

const clipDoc = () => {
  const c = useProject.getState().clips[0]
  if (!c) throw new Error('no clip')
  return c
}

describe('ParamsForm', () => {
  beforeEach(() => {
    useProject.setState({
      clips: [],
      template: { endpoint: DEFAULT_ENDPOINT, params: { prompt: '' } },
    })
    useApp.setState({ selected: undefined, info: undefined, notices: [] })
    useTimeline.setState({ playhead: 0 })
    useRecentLoras.setState({ loras: [] })
    recentLoras = []
    picked = null
    calls.length = 0
    setBridge(
      bridgeFrom(async (method, params) => {
        calls.push({ method, params })
        if (method === 'loras.recent') return { loras: recentLoras }
        if (method === 'loras.pick') return { path: picked }
        throw new Error(`unexpected ${method}`)
      }).bridge,
    )
  })
  afterEach(() => {
    cleanup()
    setBridge(undefined)
    useFileBrowser.setState({ request: null })
  })

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
    await userEvent.type(screen.getByLabelText('LoRA 1'), 'https://example.com/style.safetensors')
    const scale = screen.getByRole('spinbutton', { name: /^LoRA 1 scale/ })
    fireEvent.change(scale, { target: { value: '3' } })
    expect(scale).toHaveAttribute('aria-invalid', 'true')
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

  it('a LoRA row marks a path that is neither a URL nor a .safetensors file, in its label words', async () => {
    render(<ParamsForm />)
    await userEvent.click(screen.getByRole('button', { name: 'Add LoRA' }))
    const field = screen.getByLabelText('LoRA 1')
    await userEvent.type(field, '/home/ana/style.ckpt')
    expect(field).toHaveAttribute('aria-invalid', 'true')
    expect(
      screen.getByText(
        'LoRA 1 must be an http(s) URL or a local .safetensors file (got "/home/ana/style.ckpt")',
      ),
    ).toBeInTheDocument()
  })

  it("the scale slider spans LORA_SCALE and moves with the number; the number's value moves it", async () => {
    render(<ParamsForm />)
    await userEvent.click(screen.getByRole('button', { name: 'Add LoRA' }))
    const slider = screen.getByTestId('lora-1-scale-slider')
    const number = screen.getByRole('spinbutton', { name: /^LoRA 1 scale/ })
    expect(slider).toHaveAttribute('type', 'range')
    expect(slider).toHaveAttribute('min', String(LORA_SCALE.min))
    expect(slider).toHaveAttribute('max', String(LORA_SCALE.max))
    expect(slider).toHaveAttribute('step', String(LORA_SCALE.step))
    // Empty means the default, which the slider shows.
    expect(slider).toHaveValue(String(LORA_SCALE.default))
    fireEvent.change(slider, { target: { value: '0.35' } })
    expect(number).toHaveValue(0.35)
    expect(useProject.getState().template.params.loras).toEqual([{ path: '', scale: 0.35 }])
    fireEvent.change(number, { target: { value: '1.5' } })
    expect(slider).toHaveValue('1.5')
    // Out of range: marked on the number, the slider stays at its end.
    fireEvent.change(number, { target: { value: '7' } })
    expect(slider).toHaveValue(String(LORA_SCALE.max))
    expect(number).toHaveAttribute('aria-invalid', 'true')
  })

  it("Choose file… puts the file main's dialog picked in the row; cancelling changes nothing", async () => {
    render(<ParamsForm />)
    await userEvent.click(screen.getByRole('button', { name: 'Add LoRA' }))
    await userEvent.click(screen.getByRole('button', { name: 'Add LoRA' }))
    const second = screen.getByLabelText('LoRA 2')
    await userEvent.click(screen.getByRole('button', { name: 'Choose file… for LoRA 2' }))
    expect(second).toHaveValue('')
    picked = '/home/ana/loras/Ink Style.safetensors'
    await userEvent.click(screen.getByRole('button', { name: 'Choose file… for LoRA 2' }))
    await waitFor(() => expect(second).toHaveValue(picked))
    expect(screen.getByLabelText('LoRA 1')).toHaveValue('')
    expect(second).toHaveAttribute('aria-invalid', 'false')
    expect(calls.filter((c) => c.method === 'loras.pick')).toHaveLength(2)
  })

  it("in reanimate ui, Choose file… opens the page's file browser for LoRA files", async () => {
    useApp.setState({ info: { transport: 'websocket' } as AppInfo })
    render(<ParamsForm />)
    await userEvent.click(screen.getByRole('button', { name: 'Add LoRA' }))
    await userEvent.click(screen.getByRole('button', { name: 'Choose file… for LoRA 1' }))
    expect(useFileBrowser.getState().request).toMatchObject({ mode: 'lora' })
    useFileBrowser.getState().close(['/srv/loras/oil.safetensors'])
    await waitFor(() =>
      expect(screen.getByLabelText('LoRA 1')).toHaveValue('/srv/loras/oil.safetensors'),
    )
    expect(calls.some((c) => c.method === 'loras.pick')).toBe(false)
  })

  it("offers main's recent LoRAs in the path field, leaving out local files that are gone", async () => {
    recentLoras = [
      { path: '/loras/ink.safetensors', local: true, missing: false },
      { path: '/loras/gone.safetensors', local: true, missing: true },
      { path: 'https://example.com/anime.safetensors', local: false, missing: false },
    ]
    render(<ParamsForm />)
    await userEvent.click(screen.getByRole('button', { name: 'Add LoRA' }))
    const field = screen.getByLabelText('LoRA 1') as HTMLInputElement
    const list = screen.getByTestId('recent-loras')
    expect(field.getAttribute('list')).toBe(list.id)
    await waitFor(() =>
      expect([...list.querySelectorAll('option')].map((o) => [o.value, o.textContent])).toEqual([
        ['/loras/ink.safetensors', 'Recent file: ink.safetensors'],
        ['https://example.com/anime.safetensors', 'Recent URL'],
      ]),
    )
    // Choosing one is typing its path: it is validated like any other.
    fireEvent.change(field, { target: { value: '/loras/ink.safetensors' } })
    expect(field).toHaveAttribute('aria-invalid', 'false')
  })

  it('the seed is locked by default; unlocking is kept on the clip; Randomise draws a valid seed', async () => {
    useProject.getState().addClip('/c/skate.mp4', 4)
    useApp.setState({ selected: '/c/skate.mp4' })
    render(<ParamsForm />)
    const lock = screen.getByRole('checkbox', { name: 'Lock seed' })
    expect(lock).toBeChecked()
    expect(screen.getByTestId('seed-lock-hint')).toHaveTextContent('Every Render uses this seed')
    await userEvent.click(lock)
    expect(lock).not.toBeChecked()
    expect(clipDoc().seedLocked).toBe(false)
    expect(screen.getByTestId('seed-lock-hint')).toHaveTextContent('draws a new seed first')

    const seed = screen.getByRole('spinbutton', { name: 'Seed' })
    await userEvent.click(screen.getByRole('button', { name: 'Randomise' }))
    const drawn = clipDoc().params.seed
    expect(Number.isInteger(drawn) && drawn !== undefined && drawn >= 0 && drawn <= SEED_MAX).toBe(
      true,
    )
    expect(seed).toHaveValue(drawn)
    fireEvent.change(seed, { target: { value: '-4' } })
    expect(seed).toHaveAttribute('aria-invalid', 'true')
    expect(
      screen.getByText(`Seed must be a whole number from 0 to ${SEED_MAX}`),
    ).toBeInTheDocument()
    await userEvent.click(lock)
    expect(clipDoc()).not.toHaveProperty('seedLocked')
  })
})
