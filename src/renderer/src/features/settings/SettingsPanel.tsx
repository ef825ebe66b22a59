import { useState, type FormEvent } from 'react'
import { useApp } from '../../stores/app-store'
import { FalKeyForm } from './FalKeyForm'
import { ToolsStatusView } from './ToolsStatusView'

/** One text setting that saves on submit and shows the schema's message beside the field. */
function PathSetting(props: {
  label: string
  field: 'ffmpegPath' | 'ffprobePath' | 'falProxyUrl'
  placeholder: string
}) {
  const settings = useApp((s) => s.settings)
  const updateSettings = useApp((s) => s.updateSettings)
  const [draft, setDraft] = useState(settings?.[props.field] ?? '')
  const [error, setError] = useState<string>()

  async function save(e: FormEvent) {
    e.preventDefault()
    setError(undefined)
    try {
      await updateSettings({ [props.field]: draft.trim() || null })
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err))
    }
  }

  return (
    <form className="row" onSubmit={save}>
      <label>
        <span>{props.label}</span>
        <input
          value={draft}
          placeholder={props.placeholder}
          onChange={(e) => setDraft(e.target.value)}
          spellCheck={false}
        />
      </label>
      <button type="submit">Save</button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  )
}

export function SettingsPanel() {
  const open = useApp((s) => s.settingsOpen)
  const openSettings = useApp((s) => s.openSettings)
  if (!open) return null
  return (
    <div className="drawer" role="dialog" aria-label="Settings">
      <header>
        <h2>Settings</h2>
        <button className="ghost" onClick={() => openSettings(false)} aria-label="Close settings">
          ✕
        </button>
      </header>
      <FalKeyForm />
      <section className="field-group">
        <h3>Network</h3>
        <PathSetting
          label="fal proxy URL"
          field="falProxyUrl"
          placeholder="https://example.com/api/fal/proxy (optional)"
        />
      </section>
      <section className="field-group">
        <h3>ffmpeg</h3>
        <ToolsStatusView />
        <PathSetting label="ffmpeg path" field="ffmpegPath" placeholder="Automatic" />
        <PathSetting label="ffprobe path" field="ffprobePath" placeholder="Automatic" />
      </section>
    </div>
  )
}
