import { useState, type DragEvent } from 'react'
import { getBridge } from '../../bridge'
import { useApp } from '../../stores/app-store'
import { formatDuration, formatFps } from './format'
import { inspectorNow } from '../inspector/params-store'
import { useProject } from '../project/project-store'
import { useFileBrowser } from './file-browser-store'
import { importDroppedFile } from './import-dropped'
import { Poster } from '../player/Poster'
import { askToNotify } from '../notify/browser-notifications'

/** Drop clips here; each becomes a card with what ffprobe says about it. */
export function LibraryPanel() {
  const opened = useApp((s) => s.clips)
  const inProject = useProject((s) => s.clips)
  // Readable clips are listed while the document has them (undo can take one out); the others
  // (being read, or unreadable with the reason) stay listed.
  const [query, setQuery] = useState('')
  const listed = opened.filter((c) => !c.probe || inProject.some((d) => d.path === c.path))
  const clips = listed.filter((c) => c.name.toLowerCase().includes(query.trim().toLowerCase()))
  const selected = useApp((s) => s.selected)
  const select = useApp((s) => s.select)
  const addClips = useApp((s) => s.addClips)
  const notify = useApp((s) => s.notify)
  const [over, setOver] = useState(false)
  const [importing, setImporting] = useState<{ name: string; fraction: number } | null>(null)

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

  /** Takes the clip out of the project (Ctrl/Cmd+Z brings it back). */
  function remove(path: string) {
    const doc = useProject.getState().clips.find((d) => d.path === path)
    if (doc) useProject.getState().removeClip(doc.id)
    else useApp.getState().forget(path)
    if (useApp.getState().selected === path) {
      const next = useProject.getState().clips[0]
      if (next) select(next.path)
    }
  }

  /** A source that moved: the user shows where it is now; trims, segments and takes stay. */
  async function locate(path: string) {
    try {
      const [found] = await chooseFiles()
      const doc = useProject.getState().clips.find((d) => d.path === path)
      if (!found || !doc) return
      useProject.getState().relink(doc.id, found)
      useApp.getState().forget(path)
      await addClips([found])
      select(found)
    } catch (err) {
      notify('error', errorText(err))
    }
  }

  async function pick() {
    try {
      const paths = await chooseFiles()
      await addClips(paths)
    } catch (err) {
      notify('error', errorText(err))
    }
  }

  async function batch() {
    const { valid, endpoint } = inspectorNow()
    if (!valid) {
      notify(
        'error',
        'Set the parameters (at least a prompt) first: the batch uses them for every clip.',
      )
      return
    }
    askToNotify(inBrowser)
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

  /** `reanimate ui`: dropped files are copied into Reanimate's imports folder, then opened. */
  async function importFiles(files: File[]) {
    for (const file of files) {
      try {
        setImporting({ name: file.name, fraction: 0 })
        const path = await importDroppedFile(file, (fraction) =>
          setImporting({ name: file.name, fraction }),
        )
        notify('info', `${file.name} was copied into Reanimate's imports folder: ${path}`)
        await addClips([path])
      } catch (err) {
        notify('error', errorText(err))
      } finally {
        setImporting(null)
      }
    }
  }

  function onDrop(e: DragEvent) {
    e.preventDefault()
    setOver(false)
    const files = Array.from(e.dataTransfer.files)
    if (inBrowser && files.length > 0) {
      void importFiles(files)
      return
    }
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
      {importing && (
        <p className="muted" role="status">
          Copying {importing.name}… {Math.round(importing.fraction * 100)}%
        </p>
      )}
      {listed.length > 1 && (
        <input
          className="search"
          type="search"
          aria-label="Search clips"
          placeholder="Search clips"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
      )}
      {listed.length === 0 ? (
        <p className="empty">Drop video clips here.</p>
      ) : clips.length === 0 ? (
        <p className="empty">No clip matches “{query}”.</p>
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
                {c.probe && <Poster path={c.path} />}
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
              <div className="clip-actions">
                {c.error && inProject.some((d) => d.path === c.path) && (
                  <button className="ghost" onClick={() => void locate(c.path)}>
                    Locate…
                  </button>
                )}
                <button
                  className="ghost"
                  aria-label={`Remove ${c.name}`}
                  title="Remove from the project (Ctrl/Cmd+Z brings it back)"
                  onClick={() => remove(c.path)}
                >
                  ✕
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </aside>
  )
}
