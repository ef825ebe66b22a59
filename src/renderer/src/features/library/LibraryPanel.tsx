import { useState, type DragEvent } from 'react'
import { getBridge } from '../../bridge'
import { useApp } from '../../stores/app-store'
import { formatDuration, formatFps } from './format'
import { useParams } from '../inspector/params-store'
import { useFileBrowser } from './file-browser-store'

/** Drop clips here; each becomes a card with what ffprobe says about it. */
export function LibraryPanel() {
  const clips = useApp((s) => s.clips)
  const selected = useApp((s) => s.selected)
  const select = useApp((s) => s.select)
  const addClips = useApp((s) => s.addClips)
  const notify = useApp((s) => s.notify)
  const [over, setOver] = useState(false)

  const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err))

  // In the desktop app, the OS's dialogs (shown by main); in `reanimate ui`, the page's file browser.
  const inBrowser = useApp((s) => s.info?.transport === 'websocket')
  const browse = useFileBrowser((s) => s.open)
  const chooseFiles = async () =>
    inBrowser
      ? ((await browse('files', 'Open clips')) ?? [])
      : (await getBridge().library.pickFiles({})).paths
  const chooseFolder = async (title: string) =>
    inBrowser
      ? ((await browse('folder', title))?.[0] ?? null)
      : (await getBridge().library.pickFolder({})).path

  async function pick() {
    try {
      const paths = await chooseFiles()
      await addClips(paths)
    } catch (err) {
      notify('error', errorText(err))
    }
  }

  async function batch() {
    const { valid, endpoint } = useParams.getState()
    if (!valid) {
      notify(
        'error',
        'Set the parameters (at least a prompt) first: the batch uses them for every clip.',
      )
      return
    }
    try {
      const input = await chooseFolder('Batch: the folder of clips')
      if (!input) return
      notify('info', 'Now choose where the results go.')
      const output = await chooseFolder('Batch: where the results go')
      if (!output) return
      const started = await getBridge().batch.start({
        dir: input,
        outDir: output,
        recursive: true,
        endpoint,
        params: { ...valid },
      })
      notify(
        'info',
        `Batch started: ${started.alreadyDone} already done, ${started.total - started.collecting} to render${started.collecting ? `, ${started.collecting} collected from fal` : ''}, ${started.skipped} skipped, ${started.unreadable} unreadable.`,
      )
    } catch (err) {
      notify('error', errorText(err))
    }
  }

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
      <div className="library-actions">
        <button onClick={() => void pick()}>Open clips…</button>
        <button
          onClick={() => void batch()}
          title="Restyle every video in a folder with the current parameters"
        >
          Batch a folder…
        </button>
      </div>
      {clips.length === 0 ? (
        <p className="empty">Drop video clips here.</p>
      ) : (
        <ul className="clip-list">
          {clips.map((c) => (
            <li key={c.path}>
              <button
                className={`clip-card${c.path === selected ? ' selected' : ''}${c.error ? ' failed' : ''}`}
                onClick={() => select(c.path)}
                aria-pressed={c.path === selected}
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
