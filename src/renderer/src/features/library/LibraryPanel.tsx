import { useState, type DragEvent } from 'react'
import { getBridge } from '../../bridge'
import { useApp } from '../../stores/app-store'
import { formatDuration, formatFps } from './format'

/** Drop clips here; each becomes a card with what ffprobe says about it. */
export function LibraryPanel() {
  const clips = useApp((s) => s.clips)
  const selected = useApp((s) => s.selected)
  const select = useApp((s) => s.select)
  const addClips = useApp((s) => s.addClips)
  const notify = useApp((s) => s.notify)
  const [over, setOver] = useState(false)

  function onDrop(e: DragEvent) {
    e.preventDefault()
    setOver(false)
    const files = Array.from(e.dataTransfer.files)
    const paths = files.map((f) => getBridge().getPathForFile(f)).filter(Boolean)
    if (files.length > 0 && paths.length === 0) {
      notify('error', 'These files have no local path. Drop files from your disk.')
      return
    }
    void addClips(paths)
  }

  return (
    <aside
      className={`panel library${over ? ' drop-over' : ''}`}
      aria-label="Library"
      onDragOver={(e) => {
        e.preventDefault()
        setOver(true)
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <h2>Clips</h2>
      {clips.length === 0 ? (
        <p className="empty">Drop video clips here.</p>
      ) : (
        <ul className="clip-list">
          {clips.map((c) => (
            <li key={c.path}>
              <button
                className={`clip-card${c.path === selected ? ' selected' : ''}${c.error ? ' failed' : ''}`}
                onClick={() => select(c.path)}
                title={c.path}
              >
                <span className="clip-name">{c.name}</span>
                {c.probe && (
                  <span className="muted">
                    {formatDuration(c.probe.durationSec)} · {c.probe.width}×{c.probe.height} ·{' '}
                    {formatFps(c.probe.fpsNominal)} fps
                  </span>
                )}
                {!c.probe && !c.error && <span className="muted">Reading…</span>}
                {c.error && <span className="error">{c.error}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </aside>
  )
}
