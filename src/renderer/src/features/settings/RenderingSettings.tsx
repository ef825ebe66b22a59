import { useId, useState, type FormEvent } from 'react'
import { nameTemplateProblem, applyNameTemplate } from '@shared/name-template'
import { useApp } from '../../stores/app-store'
import { useFileBrowser } from '../library/file-browser-store'
import { SaveNote, useSave } from './save-state'

const UPLOAD_SIZES = [512, 768, 1024, 1280, 1920] as const

/** Renders at once: fal gives new accounts 2; more only helps when the account allows it. */
function ConcurrencyField() {
  const value = useApp((s) => s.settings?.concurrency ?? 2)
  const update = useApp((s) => s.updateSettings)
  const [draft, setDraft] = useState(String(value))
  const { state, save, fail } = useSave()
  const id = useId()
  // A value saved elsewhere (another window, main) replaces the draft.
  const [shown, setShown] = useState(value)
  if (shown !== value) {
    setShown(value)
    setDraft(String(value))
  }

  function commit() {
    if (draft === String(value)) return
    const n = Number(draft)
    if (!draft.trim() || !Number.isInteger(n) || n < 1 || n > 40)
      return fail('Renders at once must be a whole number from 1 to 40.')
    void save(() => update({ concurrency: n }))
  }
  return (
    <div className="setting">
      <label htmlFor={`${id}-input`}>Renders at once</label>
      <div className="row">
        <input
          id={`${id}-input`}
          type="number"
          min={1}
          max={40}
          step={1}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => e.key === 'Enter' && commit()}
          aria-invalid={state.kind === 'error'}
          aria-describedby={`${id}-hint ${id}-error`}
          className="narrow"
        />
        <SaveNote id={`${id}-error`} state={state} />
      </div>
      <p className="hint" id={`${id}-hint`}>
        How many clips fal works on at the same time. New fal accounts allow 2; if fal says it is
        rate-limiting, lower this.
      </p>
    </div>
  )
}

function UploadSizeField() {
  const value = useApp((s) => s.settings?.prepareMaxSide ?? 768)
  const update = useApp((s) => s.updateSettings)
  const { state, save } = useSave()
  const id = useId()
  const sizes: (number | 'original')[] = [...UPLOAD_SIZES]
  if (typeof value === 'number' && !sizes.includes(value))
    sizes.splice(
      sizes.findIndex((s) => typeof s === 'number' && s > value),
      0,
      value,
    )
  return (
    <div className="setting">
      <label htmlFor={`${id}-input`}>Upload size (longest side)</label>
      <div className="row">
        <select
          id={`${id}-input`}
          value={String(value)}
          onChange={(e) => {
            const v = e.target.value
            void save(() => update({ prepareMaxSide: v === 'original' ? 'original' : Number(v) }))
          }}
          aria-describedby={`${id}-hint ${id}-error`}
        >
          {sizes.map((s) => (
            <option key={s} value={String(s)}>
              {s} px
            </option>
          ))}
          <option value="original">Original size</option>
        </select>
        <SaveNote id={`${id}-error`} state={state} />
      </div>
      <p className="hint" id={`${id}-hint`}>
        Clips are scaled down to this before upload: smaller is faster and cheaper at fal.
      </p>
    </div>
  )
}

/** Chosen in a picker, never typed: main only writes where the user pointed. */
function OutputFolderField() {
  const dir = useApp((s) => s.settings?.outputDir ?? null)
  const inBrowser = useApp((s) => s.info?.transport === 'websocket')
  const pickOutputDir = useApp((s) => s.pickOutputDir)
  const update = useApp((s) => s.updateSettings)
  const { state, save } = useSave()
  const id = useId()

  async function choose() {
    await save(async () => {
      if (!inBrowser) return pickOutputDir()
      const chosen = await useFileBrowser.getState().open('folder', 'Output folder')
      if (!chosen?.[0]) return false
      return pickOutputDir(chosen[0])
    })
  }
  return (
    <div className="setting">
      <span className="label" id={`${id}-label`}>
        Output folder
      </span>
      <p className="value" data-testid="output-dir" aria-labelledby={`${id}-label`}>
        {dir ?? 'Beside each source clip'}
      </p>
      <div className="row">
        <button type="button" onClick={() => void choose()} aria-describedby={`${id}-error`}>
          Choose output folder…
        </button>
        {dir && (
          <button
            type="button"
            className="ghost"
            onClick={() => void save(() => update({ outputDir: null }))}
          >
            Save beside each source
          </button>
        )}
        <SaveNote id={`${id}-error`} state={state} />
      </div>
    </div>
  )
}

function NameTemplateField() {
  const value = useApp((s) => s.settings?.nameTemplate ?? '{stem}.reanimate')
  const update = useApp((s) => s.updateSettings)
  const [draft, setDraft] = useState(value)
  const { state, save, fail } = useSave()
  const id = useId()
  const [shown, setShown] = useState(value)
  if (shown !== value) {
    setShown(value)
    setDraft(value)
  }
  const problem = nameTemplateProblem(draft)

  function commit(e?: FormEvent) {
    e?.preventDefault()
    if (draft.trim() === value) return
    if (problem) return fail(`Output name ${problem}.`)
    void save(() => update({ nameTemplate: draft.trim() }))
  }
  return (
    <form className="setting" onSubmit={commit}>
      <label htmlFor={`${id}-input`}>Output name</label>
      <div className="row">
        <input
          id={`${id}-input`}
          value={draft}
          spellCheck={false}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={() => commit()}
          aria-invalid={state.kind === 'error'}
          aria-describedby={`${id}-hint ${id}-error`}
        />
        <SaveNote id={`${id}-error`} state={state} />
      </div>
      <p className="hint" id={`${id}-hint`}>
        {'{stem}'} is the clip’s name:{' '}
        {problem ? 'beach.mov' : `beach.mov → ${applyNameTemplate(draft, 'beach')}.mp4`}. A name
        already taken gets (2), (3)…: nothing is overwritten.
      </p>
    </form>
  )
}

/**
 * A setting chosen from a few options, saved as soon as one is picked. The pick shows at once;
 * a refused one goes back to what is saved.
 */
function RadioSetting<V extends string>(props: {
  legend: string
  value: V
  options: readonly (readonly [V, string])[]
  save: (v: V) => Promise<unknown>
}) {
  const { state, save } = useSave()
  const [picked, setPicked] = useState<V | null>(null)
  const id = useId()
  const shown = picked ?? props.value
  return (
    <fieldset className="setting" aria-describedby={`${id}-error`}>
      <legend>{props.legend}</legend>
      <div className="row">
        {props.options.map(([v, text]) => (
          <label key={v} className="check">
            <input
              type="radio"
              name={`${id}-radio`}
              value={v}
              checked={shown === v}
              onChange={() => {
                setPicked(v)
                void save(() => props.save(v)).finally(() => setPicked(null))
              }}
            />
            <span>{text}</span>
          </label>
        ))}
        <SaveNote id={`${id}-error`} state={state} />
      </div>
    </fieldset>
  )
}

function ResultFpsField() {
  const value = useApp((s) => s.settings?.resultFps ?? 'result')
  const update = useApp((s) => s.updateSettings)
  return (
    <RadioSetting
      legend="Result frame rate"
      value={value}
      options={[
        ['result', 'As fal renders it'],
        ['source', 'Same as the source clip'],
      ]}
      save={(resultFps) => update({ resultFps })}
    />
  )
}

export function RenderingSettings() {
  return (
    <>
      <ConcurrencyField />
      <UploadSizeField />
      <OutputFolderField />
      <NameTemplateField />
      <ResultFpsField />
    </>
  )
}

export function AppearanceSettings() {
  const value = useApp((s) => s.settings?.theme ?? 'system')
  const update = useApp((s) => s.updateSettings)
  return (
    <RadioSetting
      legend="Theme"
      value={value}
      options={[
        ['system', 'Follow the system'],
        ['light', 'Light'],
        ['dark', 'Dark'],
      ]}
      save={(theme) => update({ theme })}
    />
  )
}
