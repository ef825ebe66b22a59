import { useState, type FormEvent } from 'react'
import { useApp } from '../../stores/app-store'
import { FalKeyForm } from './FalKeyForm'
import { ToolsStatusView } from './ToolsStatusView'

/**
 * The fal proxy. The page only asks: main shows its own confirmation naming the host, and whether
 * the fal key goes there too, before anything changes.
 */
function ProxySetting() {
  const proxy = useApp((s) => s.settings?.falProxy ?? null)
  const setFalProxy = useApp((s) => s.setFalProxy)
  const [draft, setDraft] = useState(proxy?.url ?? '')
  const [sendKey, setSendKey] = useState(proxy?.sendKey ?? false)
  const [error, setError] = useState<string>()

  async function save(e: FormEvent) {
    e.preventDefault()
    setError(undefined)
    try {
      await setFalProxy(draft.trim() || null, sendKey)
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err))
    }
  }

  return (
    <form className="row" onSubmit={save}>
      <label>
        <span>fal proxy URL</span>
        <input
          value={draft}
          placeholder="https://example.com/api/fal/proxy (optional)"
          onChange={(e) => setDraft(e.target.value)}
          spellCheck={false}
        />
      </label>
      <label className="check">
        <input type="checkbox" checked={sendKey} onChange={(e) => setSendKey(e.target.checked)} />
        <span>Send my fal key to this proxy</span>
      </label>
      <button type="submit">{draft.trim() ? 'Use proxy…' : 'Talk to fal directly'}</button>
      <p className="muted">
        {proxy
          ? `Renders go through ${proxy.url}, ${proxy.sendKey ? 'with your fal key' : 'which adds its own key'}.`
          : 'Renders go straight to fal.'}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  )
}

/** ffmpeg and ffprobe are chosen in the system's file dialog, shown by the app itself. */
function ToolChoice(props: { tool: 'ffmpeg' | 'ffprobe' }) {
  const chosen = useApp((s) => s.settings?.[props.tool === 'ffmpeg' ? 'ffmpegPath' : 'ffprobePath'])
  const pickTool = useApp((s) => s.pickTool)
  const resetTool = useApp((s) => s.resetTool)
  return (
    <div className="row">
      <button type="button" onClick={() => void pickTool(props.tool)}>
        Choose {props.tool}…
      </button>
      {chosen && (
        <button type="button" className="ghost" onClick={() => void resetTool(props.tool)}>
          Find {props.tool} automatically
        </button>
      )}
    </div>
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
        <ProxySetting />
      </section>
      <section className="field-group">
        <h3>ffmpeg</h3>
        <ToolsStatusView />
        <ToolChoice tool="ffmpeg" />
        <ToolChoice tool="ffprobe" />
      </section>
    </div>
  )
}
