import { create } from 'zustand'
import { effectiveParams, renderRequestOf, segmentsOf, type ClipDoc } from '@shared/project/clip'
import { getBridge } from '../../bridge'
import { useApp } from '../../stores/app-store'
import { useProject } from '../project/project-store'
import { useJobs } from '../queue/jobs-store'
import { askToNotify } from '../notify/browser-notifications'
import { validate } from './params-store'

/**
 * Why the clip cannot render yet, in the inspector's words ("Segment 2: Prompt …"), or null.
 * Every segment is checked with the values it renders with.
 */
export function renderProblem(clip: ClipDoc): string | null {
  const segs = segmentsOf(clip)
  for (const [i, seg] of segs.entries()) {
    const { issues } = validate(clip.endpoint, effectiveParams(clip, seg))
    const first = Object.values(issues)[0]
    if (first) return segs.length > 1 ? `Segment ${i + 1}: ${first}` : first
  }
  return null
}

interface RenderState {
  busy: boolean
  /** The request whose last start reused an earlier render: "Render again" is offered for it. */
  reused: string
}
export const useRender = create<RenderState>(() => ({ busy: false, reused: '' }))

/** The selected clip's range with its segments, as one take (Render, Ctrl/Cmd+Enter). */
export async function renderSelected(again = false): Promise<void> {
  const { selected, clips, notify, info } = useApp.getState()
  const clip = useProject.getState().clips.find((c) => c.path === selected)
  if (!clip || useRender.getState().busy) return
  if (!clips.find((c) => c.path === selected)?.probe) return
  const problem = renderProblem(clip)
  if (problem) {
    notify('error', problem)
    return
  }
  askToNotify(info?.transport === 'websocket')
  const request = renderRequestOf(clip, again)
  const key = JSON.stringify({ ...request, again: false })
  useRender.setState({ busy: true })
  try {
    const started = await getBridge().render.start(request)
    useProject.getState().addTake(clip.id, {
      jobId: started.job.id,
      output: started.job.spec.output,
      ...(started.job.seed !== undefined ? { seed: started.job.seed } : {}),
      createdAt: started.job.createdAt,
    })
    // The same render was already paid for or under way: say so, and offer a new take.
    if (started.action !== 'new') {
      notify('info', started.message)
      useRender.setState({ reused: key })
    } else useRender.setState({ reused: '' })
    await useJobs.getState().load()
  } catch (err) {
    notify('error', err instanceof Error ? err.message : String(err))
  } finally {
    useRender.setState({ busy: false })
  }
}

/** The key `reused` is compared with, for the selected clip as it is now. */
export function requestKey(clip: ClipDoc): string {
  return JSON.stringify({ ...renderRequestOf(clip), again: false })
}
