import { ENDPOINT_IDS, ENDPOINTS, isEndpointId } from '@shared/endpoints'
import { randomSeed, type ParamField } from '@shared/project/clip'
import { LoraList } from './LoraList'
import { NumberField, ResetToClip } from './NumberField'
import { useParams } from './params-store'

const fileName = (p: string) => p.split(/[\\/]/).pop() ?? p

/** The render parameters, with ranges, defaults and messages all taken from the shared endpoint schema. */
export function ParamsForm() {
  const {
    clip,
    segment,
    segmentCount,
    endpoint,
    draft,
    issues,
    overridden,
    seedLocked,
    setEndpoint,
    update,
    reset,
    setSeedLocked,
  } = useParams()
  const info = ENDPOINTS[endpoint]
  /** A segment's own value of `field`, with its reset; nothing when it inherits the clip's. */
  const own = (field: ParamField, label: string) =>
    segment !== null && overridden.has(field) ? (
      <ResetToClip label={label} onReset={() => reset(field)} />
    ) : null

  return (
    <form className="params" aria-label="Render parameters" onSubmit={(e) => e.preventDefault()}>
      <p className="muted inspector-target" data-testid="inspector-target">
        {!clip
          ? 'Defaults for new clips and batches'
          : segment === null
            ? `Clip: ${fileName(clip.path)}`
            : `Segment ${segment + 1} of ${segmentCount}: marked fields differ from the clip`}
      </p>
      <div className="field">
        <label htmlFor="endpoint">Model</label>
        <select
          id="endpoint"
          value={endpoint}
          onChange={(e) => isEndpointId(e.target.value) && setEndpoint(e.target.value)}
        >
          {ENDPOINT_IDS.map((id) => (
            <option key={id} value={id}>
              {ENDPOINTS[id].label} ({id})
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="prompt">Prompt</label>
        {own('prompt', 'Prompt')}
        <textarea
          id="prompt"
          rows={3}
          value={draft.prompt}
          placeholder="a watercolor painting of …"
          aria-invalid={Boolean(issues.prompt) && draft.prompt !== ''}
          onChange={(e) => update({ prompt: e.target.value })}
        />
        {issues.prompt && draft.prompt !== '' && <p className="error">{issues.prompt}</p>}
      </div>
      <div className="field">
        <label htmlFor="negative">Negative prompt</label>
        {own('negative_prompt', 'Negative prompt')}
        <textarea
          id="negative"
          rows={2}
          value={draft.negative_prompt ?? ''}
          placeholder="(bad quality, worst quality:1.2), ugly faces, bad anime"
          onChange={(e) => update({ negative_prompt: e.target.value || undefined })}
        />
      </div>
      <NumberField
        name="num_inference_steps"
        param={info.steps}
        value={draft.num_inference_steps}
        error={issues.num_inference_steps}
        reset={own('num_inference_steps', info.steps.label)}
        onChange={(v) => update({ num_inference_steps: v })}
      />
      <NumberField
        name="guidance_scale"
        param={info.guidance}
        value={draft.guidance_scale}
        error={issues.guidance_scale}
        reset={own('guidance_scale', info.guidance.label)}
        onChange={(v) => update({ guidance_scale: v })}
      />
      <NumberField
        name="select_every_nth_frame"
        param={info.nth}
        value={draft.select_every_nth_frame}
        error={issues.select_every_nth_frame}
        reset={own('select_every_nth_frame', info.nth.label)}
        onChange={(v) => update({ select_every_nth_frame: v })}
      />
      <div className="field">
        <label htmlFor="seed">Seed</label>
        {own('seed', 'Seed')}
        <div className="row">
          <input
            id="seed"
            type="number"
            className="num seed"
            value={draft.seed ?? ''}
            placeholder="random"
            aria-invalid={Boolean(issues.seed)}
            aria-describedby={issues.seed ? 'seed-error' : undefined}
            onChange={(e) =>
              update({ seed: e.target.value === '' ? undefined : Number(e.target.value) })
            }
          />
          <button type="button" onClick={() => update({ seed: randomSeed() })}>
            Randomise
          </button>
          <label className="check">
            <input
              type="checkbox"
              checked={seedLocked}
              onChange={(e) => setSeedLocked(e.target.checked)}
            />
            <span>Lock seed{segment !== null ? ' (whole clip)' : ''}</span>
          </label>
          <p className="muted" data-testid="seed-lock-hint">
            {seedLocked
              ? 'Every Render uses this seed: the same render is reused, not paid twice.'
              : 'Every Render draws a new seed first and keeps it here.'}
          </p>
        </div>
        {issues.seed && (
          <p className="error" id="seed-error">
            {issues.seed}
          </p>
        )}
      </div>
      {info.baseModels && (
        <div className="field">
          <label htmlFor="base-model">Base model</label>
          <select
            id="base-model"
            value={draft.base_model ?? info.defaultBaseModel}
            onChange={(e) => update({ base_model: e.target.value })}
          >
            {info.baseModels.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </div>
      )}
      <LoraList
        loras={draft.loras}
        issues={issues}
        reset={own('loras', 'LoRAs')}
        onChange={(loras) => update({ loras })}
      />
    </form>
  )
}
