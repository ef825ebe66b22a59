import { create } from 'zustand'
import {
  effectiveParams,
  isSeedLocked,
  renderRequestOf,
  reseed,
  segmentsOf,
  type ClipDoc,
} from '@shared/project/clip'
import { getBridge } from '../../bridge'
import { topicOf, useApp } from '../../stores/app-store'
import { useProject } from '../project/project-store'
import { useJobs } from '../queue/jobs-store'
import { askToNotify } from '../notify/browser-notifications'
import { validate } from './params-store'
import { useRecentLoras } from './recent-loras'

/**
 * Why the clip cannot render yet, in the inspector's words ("Segment 2: Prompt …"), or null.
 * Every segment is checked with the values it renders with: an unlocked clip's seeds are drawn
 * afresh before it renders, so whatever seed is typed there does not stop it.
 */
export function renderProblem(clip: ClipDoc): string | null {
  const checked = isSeedLocked(clip) ? clip : reseed(clip, () => 0)
  const segs = segmentsOf(checked)
  for (const [i, seg] of segs.entries()) {
    const { issues } = validate(checked.endpoint, effectiveParams(checked, seg))
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

/**
 * The selected clip's range with its segments, as one take (Render, Ctrl/Cmd+Enter). A locked seed
 * renders as it is (the identical render is reused); an unlocked one is first drawn afresh into the
 * document, one undo step, so the take's seed is there to see and to render again.
 */
export async function renderSelected(again = false): Promise<void> {
  const { selected, clips, notify, info } = useApp.getState()
  let clip = useProject.getState().clips.find((c) => c.path === selected)
  if (!clip || useRender.getState().busy) return
  if (!clips.find((c) => c.path === selected)?.probe) return
  const problem = renderProblem(clip)
  if (problem) {
    notify('error', problem)
    return
  }
  if (!isSeedLocked(clip)) {
    const id = clip.id
    useProject.getState().reseed(id)
    clip = useProject.getState().clips.find((c) => c.id === id) ?? clip
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
    // main remembered this render's LoRAs: the LoRA fields offer them from now on.
    void useRecentLoras.getState().load()
    await useJobs.getState().load()
  } catch (err) {
    // A missing key or ffmpeg: the notice goes by itself once that is fixed in Settings.
    notify('error', err instanceof Error ? err.message : String(err), topicOf(err))
  } finally {
    useRender.setState({ busy: false })
  }
}

/** The key `reused` is compared with, for the selected clip as it is now. */
export function requestKey(clip: ClipDoc): string {
  return JSON.stringify({ ...renderRequestOf(clip), again: false })
}
