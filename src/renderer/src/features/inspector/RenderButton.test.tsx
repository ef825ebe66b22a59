import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { act, cleanup, render, screen } from '@testing-library/react'
import { TURBO } from '@shared/endpoints'
import { learnRates, NO_HISTORY } from '@shared/eta'
import type { ProbeResult } from '@shared/media'
import { useApp } from '../../stores/app-store'
import { useProject } from '../project/project-store'
import { useJobs } from '../queue/jobs-store'
import { RenderButton } from './RenderButton'

const PATH = '/c/skate.mp4'
const probe = { path: PATH, durationSec: 8, fpsNominal: 25, fpsAverage: 25 } as ProbeResult

describe('the estimate next to Render', () => {
  beforeEach(() => {
    useProject.setState({
      clips: [],
      template: { endpoint: TURBO, params: { prompt: '' } },
    })
    useProject.getState().addClip(PATH, 8)
    const id = useProject.getState().clips[0]?.id as string
    useProject.getState().setParam(id, null, 'prompt', 'ink')
    // 4 s of the clip at 25 fps, every 2nd frame: 50 frames for fal.
    useProject.getState().trim(id, { in: 2, out: 6 }, 25, 8)
    useApp.setState({
      selected: PATH,
      clips: [{ path: PATH, name: 'skate.mp4', probe }],
      keyStatus: undefined,
    })
    useJobs.setState({ rates: NO_HISTORY })
  })
  afterEach(() => cleanup())

  it('says fal time for the range from this machine’s history, and a first guess without it', () => {
    render(<RenderButton />)
    // No history: 0.06 s per frame per step × 8 steps × 50 frames = 24 s.
    expect(screen.getByTestId('render-estimate')).toHaveTextContent(
      'about 25 s at fal (first guess)',
    )
    act(() =>
      useJobs.setState({
        rates: learnRates([
          { kind: 'fal', endpoint: TURBO, steps: 8, secPerFrame: 0.8, at: '' },
          { kind: 'fal', endpoint: TURBO, steps: 8, secPerFrame: 0.8, at: '' },
        ]),
      }),
    )
    // 50 frames × 0.8 s.
    expect(screen.getByTestId('render-estimate')).toHaveTextContent(/^about 40 s at fal$/)
  })

  it('adds up the segments, each at its own steps', () => {
    const p = useProject.getState()
    const id = p.clips[0]?.id as string
    p.split(id, 4, 25)
    p.setParam(id, 1, 'num_inference_steps', 4)
    act(() =>
      useJobs.setState({
        rates: learnRates([{ kind: 'fal', endpoint: TURBO, steps: 8, secPerFrame: 0.8, at: '' }]),
      }),
    )
    render(<RenderButton />)
    // 25 frames at 8 steps (0.8 s) + 25 frames at 4 steps (scaled: 0.4 s) = 30 s; 4 steps were
    // never measured, so it says it is a guess.
    expect(screen.getByTestId('render-estimate')).toHaveTextContent(
      /^about 30 s at fal \(first guess\)$/,
    )
  })
})
