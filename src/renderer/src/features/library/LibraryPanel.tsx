import { useEffect, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react'
import { getBridge } from '../../bridge'
import { useApp } from '../../stores/app-store'
import { formatDuration, formatFps } from './format'
import { useProject } from '../project/project-store'
import { chooseClipFiles, pickClips } from './pick-clips'
import { importDroppedFile } from './import-dropped'
import { Poster } from '../player/Poster'
import { useLibrary } from './library-store'
import { useBatch } from '../batch/batch-store'
import { afterRemoval, all, chosen, click, step, type Selection } from './selection'
import { skippedNotice, walkDropped, type DroppedEntry } from './dropped-entries'

/** What the contract takes at once (`library.expand`). */
const EXPAND_AT_ONCE = 500

interface Importing {
  name: string
  fraction: number
  index: number
  total: number
}

/** Drop clips here; each becomes a card with what ffprobe says about it. */
export function LibraryPanel() {
  const opened = useApp((s) => s.clips)
  const inProject = useProject((s) => s.clips)
  // Readable clips are listed while the document has them (undo can take one out); the others
  // (being read, or unreadable with the reason) stay listed.
  const [query, setQuery] = useState('')
  const listed = opened.filter(
    (c) => inProject.some((d) => d.path === c.path) || (!c.probe && !c.removed),
  )
  const clips = listed.filter((c) => c.name.toLowerCase().includes(query.trim().toLowerCase()))
  const selected = useApp((s) => s.selected)
  const select = useApp((s) => s.select)
  const addClips = useApp((s) => s.addClips)
  const notify = useApp((s) => s.notify)
  const [over, setOver] = useState(false)
  const [importing, setImporting] = useState<Importing | null>(null)

  // Several clips picked (Ctrl/Cmd+click, Shift+click, Shift+arrows), in the order listed.
  const { picked, anchor } = useLibrary()
  const order = clips.map((c) => c.path)
  const selection: Selection = { picked, anchor, lead: selected ?? null }
  const current = chosen(order, selection)
  const isChosen = new Set(current)
  function apply(next: Selection) {
    useLibrary.setState({ picked: next.picked, anchor: next.anchor })
    if (next.lead !== null && next.lead !== useApp.getState().selected) select(next.lead)
  }

  /** Cards by path, to move the keyboard focus with the selection. */
  const cards = useRef(new Map<string, HTMLButtonElement>())
  const refocus = useRef(false)
  useEffect(() => {
    if (!refocus.current) return
    refocus.current = false
    if (selected) cards.current.get(selected)?.focus()
  })

  const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err))

  const inBrowser = useApp((s) => s.info?.transport === 'websocket')
  const chooseFiles = chooseClipFiles

  /**
   * Takes clips out of the project, all in one undo step (Ctrl/Cmd+Z brings them back); an
   * unreadable clip that never joined the project is just forgotten.
   */
  function remove(paths: string[]) {
    const gone = new Set(paths)
    const docs = useProject.getState().clips.filter((d) => gone.has(d.path))
    const next =
      afterRemoval(order, paths) ??
      useProject.getState().clips.find((d) => !gone.has(d.path))?.path ??
      null
    useProject.getState().removeClips(docs.map((d) => d.id))
    useApp.getState().markRemoved(docs.map((d) => d.path))
    for (const p of paths) if (!docs.some((d) => d.path === p)) useApp.getState().forget(p)
    const shown = useApp.getState().selected
    if (shown === undefined || gone.has(shown)) {
      if (next) apply({ picked: [next], lead: next, anchor: next })
      else useApp.setState({ selected: undefined })
    } else useLibrary.setState({ picked: picked.filter((p) => !gone.has(p)) })
    refocus.current = true
  }

  function onCardClick(e: MouseEvent, path: string) {
    apply(click(order, selection, path, { toggle: e.ctrlKey || e.metaKey, range: e.shiftKey }))
  }

  /**
   * Keys while the focus is in the clip list. They stop here: Delete elsewhere merges segments on
   * the timeline, and must not do that as well.
   */
  function onListKey(e: KeyboardEvent) {
    const mod = e.ctrlKey || e.metaKey
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      apply(step(order, selection, e.key === 'ArrowDown' ? 1 : -1, e.shiftKey))
      refocus.current = true
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      if (current.length) remove(current)
    } else if (mod && e.key.toLowerCase() === 'a') apply(all(order, selection))
    else return
    e.preventDefault()
    e.stopPropagation()
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

  const pick = pickClips

  /** The batch panel: folder, preview, preset, output, then progress and summary. */
  function batch() {
    useBatch.getState().show(true)
  }

  /** The desktop app: dropped paths as clips, a folder standing for every video in it. */
  async function addPaths(paths: string[]) {
    try {
      const found: string[] = []
      const skipped: string[] = []
      let skippedCount = 0
      for (let i = 0; i < paths.length; i += EXPAND_AT_ONCE) {
        const r = await getBridge().library.expand({ paths: paths.slice(i, i + EXPAND_AT_ONCE) })
        found.push(...r.paths)
        skipped.push(...r.skipped)
        skippedCount += r.skippedCount
      }
      const text = skippedNotice(skipped, skippedCount)
      if (text) notify('info', text)
      if (found.length === 0) notify('info', 'No videos in what you dropped.')
      await addClips(found)
    } catch (err) {
      notify('error', errorText(err))
    }
  }

  /** `reanimate ui`: dropped files are copied into Reanimate's imports folder, then opened. */
  async function importFiles(files: { file: File; path: string }[]) {
    const copied: string[] = []
    for (const [i, { file, path }] of files.entries()) {
      const show = (fraction: number) =>
        setImporting({ name: path, fraction, index: i + 1, total: files.length })
      try {
        show(0)
        const copy = await importDroppedFile(file, show)
        copied.push(copy)
        // Read while the next one uploads: each clip shows up as soon as it is here.
        void addClips([copy])
      } catch (err) {
        notify('error', errorText(err))
      }
    }
    setImporting(null)
    const [only] = copied
    if (copied.length === 1 && only)
      notify(
        'info',
        `${files[0]?.file.name ?? 'The clip'} was copied into Reanimate's imports folder: ${only}`,
      )
    else if (copied.length > 1)
      notify('info', `${copied.length} clips were copied into Reanimate's imports folder.`)
  }

  /** `reanimate ui`: a dropped folder, walked here (the page has no path for it), videos uploaded. */
  async function importEntries(entries: DroppedEntry[]) {
    setImporting({ name: 'the dropped folder', fraction: 0, index: 0, total: 0 })
    const walked = await walkDropped(entries)
    setImporting(null)
    for (const problem of walked.problems) notify('error', problem)
    const text = skippedNotice(walked.skipped)
    if (text) notify('info', text)
    if (walked.files.length === 0) notify('info', 'No videos in what you dropped.')
    await importFiles(walked.files)
  }

  /** Whatever was dropped anywhere in the window. */
  function onDrop(data: DataTransfer) {
    const files = Array.from(data.files)
    if (inBrowser) {
      // Read now: the drop's items are gone once this event is over.
      const entries = Array.from(data.items)
        .filter((item) => item.kind === 'file')
        .map((item) => item.webkitGetAsEntry() as DroppedEntry | null)
      if (entries.some((e) => e?.isDirectory) && entries.every((e) => e !== null))
        void importEntries(entries as DroppedEntry[])
      else void importFiles(files.map((file) => ({ file, path: file.name })))
      return
    }
    const paths = files.map((f) => getBridge().getPathForFile(f)).filter(Boolean)
    if (files.length > 0 && paths.length === 0) {
      notify('error', 'These files have no local path. Drop files from your disk.')
      return
    }
    void addPaths(paths)
  }

  // Files or folders dropped anywhere in the window land in the library.
  const dropped = useRef(onDrop)
  useEffect(() => {
    dropped.current = onDrop
  })
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined
    const carriesFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files')
    const onOver = (e: DragEvent) => {
      if (!carriesFiles(e)) return
      e.preventDefault()
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy'
      setOver(true)
      // The browser repeats dragover while the drag is over the window: its end is a pause.
      clearTimeout(timer)
      timer = setTimeout(() => setOver(false), 250)
    }
    const onDropped = (e: DragEvent) => {
      if (!e.dataTransfer || e.dataTransfer.files.length === 0) return
      e.preventDefault()
      clearTimeout(timer)
      setOver(false)
      dropped.current(e.dataTransfer)
    }
    window.addEventListener('dragover', onOver)
    window.addEventListener('drop', onDropped)
    return () => {
      clearTimeout(timer)
      window.removeEventListener('dragover', onOver)
      window.removeEventListener('drop', onDropped)
    }
  }, [])

  const count = current.length
  return (
    <aside className="panel library" aria-label="Library">
      {over && (
        <div className="drop-overlay" data-testid="drop-overlay">
          <p>
            <strong>Drop clips or folders to add them</strong>
            <span className="muted">
              Every video in a folder is added; other files are skipped.
            </span>
          </p>
        </div>
      )}
      <h2>Clips</h2>
      <div className="library-actions">
        <button onClick={() => void pick()}>Open clips…</button>
        <button
          onClick={batch}
          title="Restyle every video in a folder with the current parameters or a saved preset"
        >
          Batch a folder…
        </button>
      </div>
      {importing && (
        <div className="importing" role="status">
          <span>
            {importing.total === 0
              ? `Looking through ${importing.name}…`
              : `Copying ${importing.total > 1 ? `${importing.index} of ${importing.total}: ` : ''}${importing.name}… ${Math.round(importing.fraction * 100)}%`}
          </span>
          {importing.total > 0 && (
            <progress
              aria-label="Copying into Reanimate"
              max={1}
              value={(importing.index - 1 + importing.fraction) / importing.total}
            />
          )}
        </div>
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
      {count > 1 && (
        <div className="selection-bar" role="group" aria-label="Selected clips">
          <span role="status">{count} selected</span>
          <button
            onClick={() => remove(current)}
            title="Take them out of the project (Ctrl/Cmd+Z brings them back)"
          >
            Remove {count} clips
          </button>
        </div>
      )}
      {listed.length === 0 ? (
        <p className="empty">Drop video clips or folders anywhere in the window.</p>
      ) : clips.length === 0 ? (
        <p className="empty">No clip matches “{query}”.</p>
      ) : (
        <ul className="clip-list" aria-label="Clips" onKeyDown={onListKey}>
          {clips.map((c) => (
            <li key={c.path}>
              <button
                ref={(el) => {
                  if (el) cards.current.set(c.path, el)
                  else cards.current.delete(c.path)
                }}
                className={`clip-card${isChosen.has(c.path) ? ' selected' : ''}${c.error ? ' failed' : ''}`}
                onClick={(e) => onCardClick(e, c.path)}
                aria-pressed={isChosen.has(c.path)}
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
                  onClick={() => remove([c.path])}
                >
                  ✕
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {listed.length > 1 && (
        <p className="hint muted">
          Ctrl/Cmd+click or Shift+click to pick several; Delete removes them.
        </p>
      )}
    </aside>
  )
}
