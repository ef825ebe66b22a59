import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_ENDPOINT } from '@shared/endpoints'
import type { ProbeResult } from '@shared/media'
import { setBridge } from '../../bridge'
import { bridgeFrom } from '../../test-bridge'
import { useApp } from '../../stores/app-store'
import { undo, useProject } from '../project/project-store'
import { renderProblem, renderSelected } from './render-clip'

const PATH = '/c/skate.mp4'
let started: { params: { seed?: number }; segments?: { params: { seed?: number } }[] }[] = []
let recentAsked = 0

const clip = () => {
  const c = useProject.getState().clips[0]
  if (!c) throw new Error('no clip')
  return c
}

/** main: every render starts as a new job reporting the seed it was asked for. */
function fakeMain() {
  let n = 0
  return bridgeFrom(async (method, params) => {
    if (method === 'render.start') {
      const req = params as (typeof started)[number]
      started.push(req)
      return {
        job: {
          id: `j${++n}`,
          spec: { output: `/out/${n}.mp4` },
          createdAt: 'now',
          ...(req.params.seed !== undefined ? { seed: req.params.seed } : {}),
        },
        action: 'new',
        message: 'queued',
      }
    }
    if (method === 'jobs.list') return []
    if (method === 'loras.recent') {
      recentAsked++
      return { loras: [] }
    }
    throw new Error(`unexpected ${method}`)
  }).bridge
}

describe('Render and the seed lock', () => {
  beforeEach(() => {
    started = []
    recentAsked = 0
    useProject.setState({
      clips: [],
      template: { endpoint: DEFAULT_ENDPOINT, params: { prompt: '' } },
    })
    useProject.getState().addClip(PATH, 4)
    useProject.getState().setParam(clip().id, null, 'prompt', 'ink')
    useProject.getState().setParam(clip().id, null, 'seed', 42)
    useProject.temporal.getState().clear()
    useApp.setState({
      selected: PATH,
      clips: [{ path: PATH, name: 'skate.mp4', probe: {} as ProbeResult }],
      notices: [],
    })
    setBridge(fakeMain())
  })
  afterEach(() => setBridge(undefined))

  it('locked: every Render sends the same seed and the document keeps it', async () => {
    await renderSelected()
    await renderSelected()
    expect(started.map((r) => r.params.seed)).toEqual([42, 42])
    expect(clip().params.seed).toBe(42)
    expect(clip().takes.map((t) => t.seed)).toEqual([42, 42])
    // main's recent LoRAs are asked for again after each start.
    expect(recentAsked).toBe(2)
  })

  it('unlocked: each Render draws a seed into the document first, one undo step, and the take keeps it', async () => {
    useProject.getState().setSeedLocked(clip().id, false)
    useProject.temporal.getState().clear()
    await renderSelected()
    await renderSelected()
    const [first, second] = started.map((r) => r.params.seed)
    expect(first).not.toBe(42)
    expect(second).not.toBe(first)
    expect(clip().params.seed).toBe(second)
    expect(clip().takes.map((t) => t.seed)).toEqual([first, second])
    // Per Render: the new seed, then its take. Undoing the second take and its seed is two steps.
    undo()
    expect(clip().takes).toHaveLength(1)
    expect(clip().params.seed).toBe(second)
    undo()
    expect(clip().params.seed).toBe(first)
  })

  it('unlocked, a segment with its own seed gets its own fresh one; an invalid typed seed does not block', async () => {
    const p = useProject.getState()
    p.split(clip().id, 2, 25)
    p.setParam(clip().id, 1, 'seed', 7)
    p.setParam(clip().id, null, 'seed', -1)
    expect(renderProblem(clip())).toMatch(/^Segment 1: Seed must be/)
    p.setSeedLocked(clip().id, false)
    expect(renderProblem(clip())).toBeNull()
    await renderSelected()
    const [req] = started
    const [a, b] = req?.segments?.map((s) => s.params.seed) ?? []
    expect(a).toBe(clip().params.seed)
    expect(b).toBe(clip().segments[1]?.params.seed)
    expect([a, b].every((s) => s !== undefined && s >= 0)).toBe(true)
    expect(b).not.toBe(7)
  })
})
