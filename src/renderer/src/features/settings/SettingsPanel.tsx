import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react'
import { useApp } from '../../stores/app-store'
import { useFocusTrap } from '../../focus-trap'
import { FalKeyForm } from './FalKeyForm'
import { ToolsStatusView } from './ToolsStatusView'
import { falStatus } from './fal-status'
import { SaveNote, useSave } from './save-state'
import { AppearanceSettings, RenderingSettings } from './RenderingSettings'
import { UpdateSettings } from './UpdateSettings'

/**
 * The fal proxy. The page only asks: main shows its own confirmation naming the host, and whether
 * the fal key goes there too, before anything changes.
 */
function ProxySetting() {
  const proxy = useApp((s) => s.settings?.falProxy ?? null)
  const setFalProxy = useApp((s) => s.setFalProxy)
  // FAL_PROXY_URL: main says a proxy is in use though none is set here.
  const fromEnv = useApp((s) => Boolean(s.keyStatus?.proxy)) && !proxy
  const [draft, setDraft] = useState(proxy?.url ?? '')
  const [sendKey, setSendKey] = useState(proxy?.sendKey ?? false)
  const { state, save: run } = useSave()

  async function save(e: FormEvent) {
    e.preventDefault()
    await run(() => setFalProxy(draft.trim() || null, sendKey))
  }

  return (
    <form className="setting proxy" onSubmit={save} aria-label="fal proxy">
      <label>
        <span>fal proxy URL</span>
        <input
          value={draft}
          aria-describedby="proxy-error"
          placeholder="https://example.com/api/fal/proxy (optional)"
          onChange={(e) => setDraft(e.target.value)}
          spellCheck={false}
        />
      </label>
      <label className="check">
        <input type="checkbox" checked={sendKey} onChange={(e) => setSendKey(e.target.checked)} />
        <span>Send my fal key to this proxy</span>
      </label>
      <div className="row">
        <button type="submit">{draft.trim() ? 'Use proxy…' : 'Talk to fal directly'}</button>
      </div>
      <p className="hint">
        {proxy
          ? `Renders go through ${proxy.url}, ${proxy.sendKey ? 'with your fal key' : 'which adds its own key'}.`
          : fromEnv
            ? 'Renders go through the proxy in FAL_PROXY_URL, set when Reanimate started; it comes before this field.'
            : 'Renders go straight to fal.'}
      </p>
      <SaveNote id="proxy-error" state={state} />
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

/** How renders reach fal now: the same words as the top bar badge, never "no key" beside a working proxy. */
function FalStatusLine() {
  const keyStatus = useApp((s) => s.keyStatus)
  const proxy = useApp((s) => s.settings?.falProxy)
  if (!keyStatus) return null
  const status = falStatus(keyStatus, proxy)
  return (
    <p
      className={`fal-status ${status.ready ? 'ok' : 'warn'}`}
      data-testid="fal-status"
      role="status"
    >
      <strong>{status.badge}.</strong> {status.text}
    </p>
  )
}

function Section(props: { title: string; children: ReactNode }) {
  const id = useId()
  return (
    <section className="settings-section" aria-labelledby={id}>
      <h3 id={id}>{props.title}</h3>
      {props.children}
    </section>
  )
}

export function SettingsPanel() {
  const open = useApp((s) => s.settingsOpen)
  const openSettings = useApp((s) => s.openSettings)
  const drawer = useRef<HTMLDivElement>(null)
  // Only the desktop app updates itself; a browser tab runs whatever the checkout holds.
  const inBrowser = useApp((s) => s.info?.transport === 'websocket')
  // The drawer takes focus, keeps it, and Esc closes it (focus goes back to what opened it).
  useFocusTrap(drawer, open, () => openSettings(false))
  if (!open) return null
  return (
    <div className="drawer-backdrop" onClick={() => openSettings(false)}>
      <div
        className="drawer"
        role="dialog"
        aria-modal="true"
        aria-labelledby="settings-title"
        ref={drawer}
        onClick={(e) => e.stopPropagation()}
      >
        <div className="dialog-header">
          <h2 id="settings-title">Settings</h2>
          <button className="ghost" onClick={() => openSettings(false)} aria-label="Close settings">
            ✕
          </button>
        </div>
        <div className="drawer-body">
          <Section title="fal">
            <FalStatusLine />
            <FalKeyForm />
            <ProxySetting />
          </Section>
          <Section title="Rendering">
            <RenderingSettings />
          </Section>
          <Section title="Tools">
            <ToolsStatusView />
            <ToolChoice tool="ffmpeg" />
            <ToolChoice tool="ffprobe" />
          </Section>
          <Section title="Appearance">
            <AppearanceSettings />
          </Section>
          {!inBrowser && (
            <Section title="Updates">
              <UpdateSettings />
            </Section>
          )}
        </div>
      </div>
    </div>
  )
}
