import { beforeEach, describe, expect, it, vi } from 'vitest'
import { segmentsOf } from '@shared/project/clip'
import { toPayload } from './payload'
import { redo, undo, UNDO_LIMIT, useProject } from './project-store'

const history = () => useProject.temporal.getState()
const clip = () => {
  const first = useProject.getState().clips[0]
  if (!first) throw new Error('no clip')
  return first
}
const bounds = () => segmentsOf(clip()).map((s) => [s.start, s.end])

describe('project store: undo and redo', () => {
  beforeEach(() => {
    useProject.setState({
      clips: [],
      template: { endpoint: 'fal-ai/animatediff-v2v/turbo', params: { prompt: '' } },
    })
    history().clear()
    vi.useRealTimers()
  })

  it('undoes and redoes a scripted sequence of edits, step by step', () => {
    const p = useProject.getState()
    p.setParam(null, null, 'prompt', 'ink')
    p.addClip('/c/skate.mp4', 4)
    const id = clip().id
    p.trim(id, { in: 0.48 }, 25, 4)
    p.split(id, 2, 25)
    p.setParam(id, 1, 'prompt', 'oil')
    p.moveBorder(id, 0, 2.4, 25)
    p.merge(id, 0)
    expect(clip().segments).toEqual([])
    expect(clip().params.prompt).toBe('ink')

    const snapshots: unknown[] = []
    for (let i = 0; i < 5; i++) {
      snapshots.push(structuredClone(useProject.getState().clips))
      undo()
    }
    // Back at "clip added", before the trim.
    expect([clip().in, clip().out]).toEqual([0, 4])
    expect(clip().segments).toEqual([])
    undo()
    expect(useProject.getState().clips).toEqual([])
    expect(useProject.getState().template.params.prompt).toBe('ink')
    redo()
    redo()
    expect([clip().in, clip().out]).toEqual([0.48, 4])
    redo()
    expect(bounds()).toEqual([
      [0.48, 2],
      [2, 4],
    ])
    redo()
    expect(clip().segments[1]?.params.prompt).toBe('oil')
    redo()
    expect(bounds()[0]).toEqual([0.48, 2.4])
    redo()
    expect(useProject.getState().clips).toEqual(snapshots[0])
  })

  it('Crossfade at borders is one undo step while typing, saved only when it blends', async () => {
    vi.useFakeTimers()
    const p = useProject.getState()
    p.addClip('/c/skate.mp4', 4)
    const id = clip().id
    p.split(id, 2, 25)
    p.setCrossfade(id, 1)
    vi.advanceTimersByTime(100)
    p.setCrossfade(id, 12)
    // History resumes after the keystroke's task, as it does between two key presses.
    await Promise.resolve()
    vi.advanceTimersByTime(5000)
    expect(clip().crossfadeFrames).toBe(12)
    expect(toPayload(useProject.getState(), undefined).clips[0]?.crossfadeFrames).toBe(12)
    p.setCrossfade(id, 0)
    expect(clip()).not.toHaveProperty('crossfadeFrames')
    expect(toPayload(useProject.getState(), undefined).clips[0]).not.toHaveProperty(
      'crossfadeFrames',
    )
    undo()
    expect(clip().crossfadeFrames).toBe(12)
    undo()
    expect(clip()).not.toHaveProperty('crossfadeFrames')
    expect(bounds()).toHaveLength(2)
  })

  it('removing several clips at once is one undo step, and they come back in their places', () => {
    const p = useProject.getState()
    for (const name of ['a', 'b', 'c', 'd']) p.addClip(`/c/${name}.mp4`, 2)
    const before = useProject.getState().clips
    const ids = before.filter((c) => c.path !== '/c/c.mp4').map((c) => c.id)
    const steps = history().pastStates.length
    p.removeClips([...ids, 'not-a-clip'])
    expect(useProject.getState().clips.map((c) => c.path)).toEqual(['/c/c.mp4'])
    expect(history().pastStates.length).toBe(steps + 1)
    undo()
    expect(useProject.getState().clips).toEqual(before)
    // Nothing of it in the project: no edit, no step.
    p.removeClips(['not-a-clip'])
    expect(history().pastStates.length).toBe(steps)
  })

  it('typing into one field is one step; another field or a pause starts a new one', () => {
    vi.useFakeTimers()
    const p = useProject.getState()
    p.addClip('/c/a.mp4', 2)
    const id = clip().id
    for (const text of ['a', 'a f', 'a fo', 'a fox']) {
      p.setParam(id, null, 'prompt', text)
      vi.advanceTimersByTime(100)
    }
    return Promise.resolve().then(() => {
      p.setParam(id, null, 'num_inference_steps', 6)
      expect(clip().params).toMatchObject({ prompt: 'a fox', num_inference_steps: 6 })
      undo()
      expect(clip().params.num_inference_steps).toBeUndefined()
      expect(clip().params.prompt).toBe('a fox')
      undo()
      expect(clip().params.prompt).toBe('')
    })
  })

  it(`keeps ${UNDO_LIMIT} steps`, () => {
    const p = useProject.getState()
    p.addClip('/c/a.mp4', 100)
    const id = clip().id
    for (let i = 1; i <= UNDO_LIMIT + 20; i++) p.trim(id, { out: 100 - i * 0.04 }, 25, 100)
    expect(history().pastStates).toHaveLength(UNDO_LIMIT)
    for (let i = 0; i < UNDO_LIMIT; i++) undo()
    expect(clip().out).toBeCloseTo(100 - 20 * 0.04, 6)
  })

  it('unlocking the seed, and a reseed, are one undo step each; new clips take the template lock', () => {
    const p = useProject.getState()
    p.addClip('/c/a.mp4', 2)
    const id = clip().id
    p.setParam(id, null, 'seed', 1)
    p.setSeedLocked(id, false)
    expect(clip().seedLocked).toBe(false)
    p.reseed(id, () => 77)
    expect(clip().params.seed).toBe(77)
    undo()
    expect(clip().params.seed).toBe(1)
    expect(clip().seedLocked).toBe(false)
    undo()
    expect(clip()).not.toHaveProperty('seedLocked')
    p.setSeedLocked(null, false)
    p.addClip('/c/b.mp4', 2)
    expect(useProject.getState().clips[1]?.seedLocked).toBe(false)
    p.setSeedLocked(null, true)
    expect(useProject.getState().template).not.toHaveProperty('seedLocked')
  })
})
