import { useId } from 'react'
import { CROSSFADE_FRAMES } from '@shared/frames'
import { paramName } from '@shared/param-names'
import type { ClipDoc } from '@shared/project/clip'
import { useProject } from '../project/project-store'

const LABEL = paramName('crossfade_frames', 'label')

/**
 * How segments are joined: a hard cut (0) or a blend over this many result frames, rendered as
 * overlap on both sides of each border. Only meaningful with two segments or more.
 */
export function CrossfadeField({ clip }: { clip: ClipDoc }) {
  const id = useId()
  const value = clip.crossfadeFrames ?? 0
  const { min, max } = CROSSFADE_FRAMES
  const valid = Number.isInteger(value) && value >= min && value <= max
  return (
    <span className="row crossfade-field">
      <label htmlFor={id} className="muted">
        {LABEL}
      </label>
      <input
        id={id}
        type="number"
        min={min}
        max={max}
        step={1}
        value={value}
        aria-invalid={!valid}
        aria-describedby={`${id}-unit`}
        onChange={(e) => {
          const n = e.target.valueAsNumber
          if (Number.isFinite(n))
            useProject.getState().setCrossfade(clip.id, Math.min(max, Math.max(min, Math.round(n))))
        }}
      />
      <span id={`${id}-unit`} className="muted">
        {value === 0 ? 'frames (hard cut)' : 'frames'}
      </span>
    </span>
  )
}
