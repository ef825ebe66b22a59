import { useId } from 'react'
import type { NumberParam } from '@shared/endpoints'

/** A slider and a number box bound to one schema range; shows the schema's message when invalid. */
export function NumberField(props: {
  name: string
  param: NumberParam
  value: number | undefined
  error?: string
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
