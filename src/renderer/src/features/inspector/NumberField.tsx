import { useId, type ReactNode } from 'react'

/** Marks a segment's own value; pressing it inherits the clip's value again. */
export function ResetToClip(props: { label: string; onReset: () => void }) {
  return (
    <button
      type="button"
      className="ghost reset-to-clip"
      aria-label={`Reset ${props.label} to the clip`}
      title="This segment's own value: reset to the clip's"
      onClick={props.onReset}
    >
      ● reset
    </button>
  )
}
import type { NumberParam } from '@shared/endpoints'

/** A slider and a number box bound to one schema range; shows the schema's message when invalid. */
export function NumberField(props: {
  name: string
  param: NumberParam
  value: number | undefined
  error?: string
  /** A segment's own value: its reset control. */
  reset?: ReactNode
  onChange: (value: number | undefined) => void
}) {
  const id = useId()
  const { param } = props
  const shown = props.value ?? param.default
  return (
    <div className="field">
      <label htmlFor={id}>
        {param.label}
        <span className="muted">
          {' '}
          {param.min}–{param.max}, default {param.default}
        </span>
      </label>
      {props.reset}
      <div className="row">
        <input
          type="range"
          aria-hidden="true"
          tabIndex={-1}
          min={param.min}
          max={param.max}
          step={param.step}
          value={
            Number.isFinite(shown) ? Math.min(param.max, Math.max(param.min, shown)) : param.default
          }
          onChange={(e) => props.onChange(Number(e.target.value))}
        />
        <input
          id={id}
          name={props.name}
          type="number"
          className="num"
          step={param.step}
          value={props.value ?? ''}
          placeholder={String(param.default)}
          aria-invalid={Boolean(props.error)}
          aria-describedby={props.error ? `${id}-error` : undefined}
          onChange={(e) =>
            props.onChange(e.target.value === '' ? undefined : Number(e.target.value))
          }
        />
      </div>
      {props.error && (
        <p className="error" id={`${id}-error`}>
          {props.error}
        </p>
      )}
    </div>
  )
}
