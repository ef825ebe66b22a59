import { aboutText, falKey, falSecFor } from '@shared/eta'
import { useApp } from '../../stores/app-store'
import { shapesOfClip } from '../queue/job-eta'
import { useJobs } from '../queue/jobs-store'
import { useProject } from '../project/project-store'
import { renderProblem, renderSelected, requestKey, useRender } from './render-clip'

/** Renders the selected clip's range and segments as one take; asks for a key when there is none. */
export function RenderButton() {
  const clip = useApp((s) => s.clips.find((c) => c.path === s.selected))
  const doc = useProject((s) => s.clips.find((c) => c.path === clip?.path))
  const keyStatus = useApp((s) => s.keyStatus)
  const openSettings = useApp((s) => s.openSettings)
  const { busy, reused } = useRender()
  const rates = useJobs((s) => s.rates)

  if (keyStatus?.source === 'none' && !keyStatus.proxy) {
    return (
      <div className="render-box">
        <p className="warn">Rendering runs on fal and needs a fal key.</p>
        <button onClick={() => openSettings(true)}>Add a fal key</button>
      </div>
    )
  }
  const problem = doc ? renderProblem(doc) : null
  const ready = Boolean(clip?.probe && doc && !problem)
  const shapes = doc ? shapesOfClip(doc, clip?.probe) : []
  const falSec = shapes.reduce((sum, shape) => sum + falSecFor(rates, shape), 0)
  const measured = shapes.every(
    (s) => rates.falSecPerFrame[falKey(s.endpoint, s.steps)] !== undefined,
  )
  // A disabled Render always says why, beside it and to screen readers (aria-describedby).
  const why = !clip
    ? 'Pick a clip first.'
    : clip.error
      ? `${clip.name} could not be read: pick another clip.`
      : !clip.probe || !doc
        ? `Reading ${clip.name}…`
        : problem
          ? `Write a prompt (and fix any marked field) to render.${problem.startsWith('Segment') ? ` ${problem}` : ''}`
          : busy
            ? 'Starting the render…'
            : null
  return (
    <div className="render-box">
      <button
        className="primary"
        disabled={!ready || busy}
        onClick={() => void renderSelected(false)}
        title="Ctrl/Cmd+Enter"
        aria-describedby={why ? 'render-why' : undefined}
      >
        Render{clip ? ` ${clip.name}` : ''}
      </button>
      {ready && doc && reused === requestKey(doc) && (
        <button disabled={busy} onClick={() => void renderSelected(true)}>
          Render again
        </button>
      )}
      {doc && shapes.length > 0 && (
        <p
          className="muted"
          data-testid="render-estimate"
          title={
            measured
              ? "fal's working time for this range, from renders at these steps on this computer; its queue comes on top."
              : "A first guess: nothing rendered at these steps yet. It learns from this computer's renders; fal's queue comes on top."
          }
        >
          {aboutText(falSec)} at fal{measured ? '' : ' (first guess)'}
        </p>
      )}
      {why && (
        <p className="muted render-why" id="render-why" role="status">
          {why}
        </p>
      )}
    </div>
  )
}
