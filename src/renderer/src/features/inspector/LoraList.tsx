import { useEffect, useId, type ReactNode } from 'react'
import { LORA_SCALE, MAX_LORAS } from '@shared/endpoints'
import { useApp } from '../../stores/app-store'
import { chooseLoraFile, useRecentLoras } from './recent-loras'

type Lora = { path: string; scale?: number }

const fileName = (p: string) => p.split(/[\\/]/).pop() ?? p
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err))

/**
 * The LoRA rows: each a URL or local `.safetensors` file (typed, chosen, or one of main's recent
 * LoRAs offered as the field's suggestions) and a scale slider with its number.
 */
export function LoraList(props: {
  loras: Lora[]
  issues: Record<string, string>
  /** A segment's own list: its reset control. */
  reset?: ReactNode
  onChange: (loras: Lora[]) => void
}) {
  const { loras, issues, onChange } = props
  const listId = useId()
  const recent = useRecentLoras((s) => s.loras)
  const load = useRecentLoras((s) => s.load)
  useEffect(() => void load(), [load])
  const edit = (i: number, patch: Partial<Lora>) =>
    onChange(loras.map((l, j) => (j === i ? { ...l, ...patch } : l)))

  async function choose(i: number) {
    try {
      const file = await chooseLoraFile()
      if (file) edit(i, { path: file })
    } catch (err) {
      useApp.getState().notify('error', errorText(err))
    }
  }

  return (
    <fieldset className="field loras">
      <legend>LoRAs</legend>
      {props.reset}
      <datalist id={listId} data-testid="recent-loras">
        {recent
          .filter((r) => !r.missing)
          .map((r) => (
            <option key={r.path} value={r.path}>
              {r.local ? `Recent file: ${fileName(r.path)}` : 'Recent URL'}
            </option>
          ))}
      </datalist>
      {loras.map((lora, i) => (
        <LoraRow
          key={i}
          n={i + 1}
          lora={lora}
          listId={listId}
          pathError={issues[`loras.${i}.path`] ?? issues[`loras.${i}`]}
          scaleError={issues[`loras.${i}.scale`]}
          onEdit={(patch) => edit(i, patch)}
          onChoose={() => void choose(i)}
          onRemove={() => onChange(loras.filter((_, j) => j !== i))}
        />
      ))}
      {issues.loras && <p className="error">{issues.loras}</p>}
      <button
        type="button"
        disabled={loras.length >= MAX_LORAS}
        onClick={() => onChange([...loras, { path: '' }])}
      >
        Add LoRA
      </button>
    </fieldset>
  )
}

function LoraRow(props: {
  n: number
  lora: Lora
  listId: string
  pathError: string | undefined
  scaleError: string | undefined
  onEdit: (patch: Partial<Lora>) => void
  onChoose: () => void
  onRemove: () => void
}) {
  const { n, lora, pathError, scaleError, onEdit } = props
  const id = useId()
  const shown = lora.scale ?? LORA_SCALE.default
  return (
    <div className="lora">
      <label htmlFor={`${id}-path`}>LoRA {n}</label>
      <div className="row">
        <input
          id={`${id}-path`}
          list={props.listId}
          value={lora.path}
          spellCheck={false}
          placeholder="https://….safetensors or a local .safetensors file"
          aria-invalid={Boolean(pathError)}
          aria-describedby={pathError ? `${id}-path-error` : undefined}
          onChange={(e) => onEdit({ path: e.target.value })}
        />
        <button type="button" aria-label={`Choose file… for LoRA ${n}`} onClick={props.onChoose}>
          Choose file…
        </button>
        <button
          type="button"
          className="ghost"
          aria-label={`Remove LoRA ${n}`}
          title={`Remove LoRA ${n}`}
          onClick={props.onRemove}
        >
          ✕
        </button>
      </div>
      {pathError && (
        <p className="error" id={`${id}-path-error`}>
          {pathError}
        </p>
      )}
      <label htmlFor={`${id}-scale`}>
        LoRA {n} scale
        <span className="muted">
          {' '}
          {LORA_SCALE.min}–{LORA_SCALE.max}, default {LORA_SCALE.default}
        </span>
      </label>
      <div className="row">
        {/* For the mouse; the number box beside it is the labelled control for keyboards. */}
        <input
          type="range"
          aria-hidden="true"
          tabIndex={-1}
          data-testid={`lora-${n}-scale-slider`}
          min={LORA_SCALE.min}
          max={LORA_SCALE.max}
          step={LORA_SCALE.step}
          value={
            Number.isFinite(shown)
              ? Math.min(LORA_SCALE.max, Math.max(LORA_SCALE.min, shown))
              : LORA_SCALE.default
          }
          onChange={(e) => onEdit({ scale: Number(e.target.value) })}
        />
        <input
          id={`${id}-scale`}
          type="number"
          className="num"
          step={LORA_SCALE.step}
          value={lora.scale ?? ''}
          placeholder={String(LORA_SCALE.default)}
          aria-invalid={Boolean(scaleError)}
          aria-describedby={scaleError ? `${id}-scale-error` : undefined}
          onChange={(e) =>
            onEdit({ scale: e.target.value === '' ? undefined : Number(e.target.value) })
          }
        />
      </div>
      {scaleError && (
        <p className="error" id={`${id}-scale-error`}>
          {scaleError}
        </p>
      )}
    </div>
  )
}
