import { useState } from 'react'
import { getBridge } from '../../bridge'
import { useApp } from '../../stores/app-store'
import { useJobs } from '../queue/jobs-store'
import { useParams } from './params-store'
import { askToNotify } from '../notify/browser-notifications'

/** Starts a render of the selected clip with the current parameters; asks for a key when there is none. */
export function RenderButton() {
  const clip = useApp((s) => s.clips.find((c) => c.path === s.selected))
  const keyStatus = useApp((s) => s.keyStatus)
  const openSettings = useApp((s) => s.openSettings)
  const notify = useApp((s) => s.notify)
  const { endpoint, valid } = useParams()
  const load = useJobs((s) => s.load)
  const [busy, setBusy] = useState(false)
  /** The clip and parameters whose last start reused an earlier render ("Render again" shows). */
  const [reused, setReused] = useState('')

  if (keyStatus?.source === 'none' && !keyStatus.proxy) {
    return (
      <div className="render-box">
        <p className="warn">Rendering runs on fal and needs a fal key.</p>
        <button onClick={() => openSettings(true)}>Add a fal key</button>
      </div>
    )
  }
  const ready = Boolean(clip?.probe && valid)
  const key = clip && valid ? JSON.stringify([clip.path, endpoint, valid]) : ''
  const start = async (again: boolean) => {
    if (!clip?.probe || !valid) return
    askToNotify(useApp.getState().info?.transport === 'websocket')
    setBusy(true)
    try {
      const started = await getBridge().render.start({
        path: clip.path,
        range: { startSec: 0 },
        endpoint,
        params: { ...valid },
        again,
      })
      // The same render was already paid for or under way: say so, and offer a new take.
      if (started.action !== 'new') {
        notify('info', started.message)
        setReused(key)
      } else setReused('')
      await load()
    } catch (err) {
      notify('error', err instanceof Error ? err.message : String(err))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="render-box">
      <button className="primary" disabled={!ready || busy} onClick={() => void start(false)}>
        Render{clip ? ` ${clip.name}` : ''}
      </button>
      {ready && reused === key && (
        <button disabled={busy} onClick={() => void start(true)}>
          Render again
        </button>
      )}
      {!clip && <p className="muted">Pick a clip first.</p>}
      {clip && !valid && (
        <p className="muted">Write a prompt (and fix any marked field) to render.</p>
      )}
    </div>
  )
}
