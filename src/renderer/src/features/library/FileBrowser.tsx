import { useEffect, useLayoutEffect, useRef, useState, type FormEvent } from 'react'
import type { RecentProject, Result } from '@shared/contract'
import { getBridge } from '../../bridge'
import { projectName } from '../project/project-session'
import { useFileBrowser, type BrowseMode, type BrowseRequest } from './file-browser-store'
import { useFocusTrap } from '../../focus-trap'
import { typedFolder } from './path-bar'

type Listing = Result<'files.browse'>
type Show = 'videos' | 'projects' | 'loras' | 'presets'

/** Where the last browse ended: the next one starts there. */
let lastDir: string | undefined

const browse = (dir?: string, show: Show = 'videos') =>
  getBridge().files.browse(dir ? { dir, show } : { show })
const showFor = (mode: BrowseMode): Show =>
  mode === 'project'
    ? 'projects'
    : mode === 'lora'
      ? 'loras'
      : mode === 'preset'
        ? 'presets'
        : 'videos'
const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

/**
 * Folders and videos as main lists them, with a path bar and recent folders: the Open and Batch
 * pickers of `reanimate ui`. Files mode chooses videos; folder mode chooses the folder shown;
 * project mode a project (main's recent ones listed first); lora mode one `.safetensors` file.
 */
export function FileBrowser() {
  const request = useFileBrowser((s) => s.request)
  // A fresh dialog per request: a listing, path or error left by the last picker never shows in
  // the next one, and its buttons never move under the pointer when the new listing arrives.
  return request ? <BrowserDialog key={request.id} request={request} /> : null
}

function BrowserDialog({ request }: { request: BrowseRequest }) {
  const close = useFileBrowser((s) => s.close)
  const [listing, setListing] = useState<Listing>()
  const [typed, setTyped] = useState('')
  const [picked, setPicked] = useState<string[]>([])
  const [error, setError] = useState<string>()
  const name = useFileBrowser((s) => s.name)
  const setName = useFileBrowser((s) => s.setName)
  const show = showFor(request.mode)
  /** Project mode: main's recent projects, above the folders. */
  const [recentProjects, setRecentProjects] = useState<RecentProject[]>([])

  /** The user typed in the path bar since the last navigation: a listing arriving keeps it. */
  const edited = useRef(false)
  const bar = useRef<HTMLInputElement>(null)
  /** The first listing has filled the path bar. */
  const filled = useRef(false)
  // The first listing fills the bar with its folder, selected while focus is there: typing a path
  // replaces it, as in a file dialog (a select-all made before it arrived is made again, and the
  // typed path is never joined onto the folder shown).
  useLayoutEffect(() => {
    if (!listing || filled.current) return
    filled.current = true
    if (!edited.current && document.activeElement === bar.current) bar.current?.select()
  }, [listing])

  function display(next: Listing) {
    lastDir = next.dir
    setListing(next)
    if (!edited.current) setTyped(next.dir)
    setPicked([])
    setError(undefined)
  }

  /** Only the newest listing asked for is shown: a slow answer never replaces a newer one. */
  const asked = useRef(0)

  async function go(dir?: string) {
    const mine = ++asked.current
    edited.current = false
    try {
      const next = await browse(dir, show)
      if (mine === asked.current) display(next)
    } catch (err) {
      if (mine === asked.current) setError(message(err))
    }
  }

  useEffect(() => {
    const mine = ++asked.current
    browse(lastDir, showFor(request.mode)).then(
      (next) => mine === asked.current && display(next),
      (err: unknown) => mine === asked.current && setError(message(err)),
    )
    let live = true
    if (request.mode === 'project')
      getBridge()
        .project.recent({})
        .then(
          (r) => live && setRecentProjects(r.projects),
          () => undefined,
        )
    return () => {
      live = false
      asked.current += 1
    }
  }, [request])

  // Focus moves in (the path bar), stays in, Esc cancels, and goes back to the control that opened it.
  const dialog = useRef<HTMLDivElement>(null)
  useFocusTrap(dialog, true, () => close(null))

  const files = request.mode === 'files'
  const project = request.mode === 'project'
  const lora = request.mode === 'lora'
  const preset = request.mode === 'preset'
  /** One file is chosen: a project, a LoRA or a preset. */
  const single = project || lora || preset
  const saving = request.mode === 'save'

  async function choose(paths: string[]) {
    try {
      close((await getBridge().files.choose({ paths })).paths)
    } catch (err) {
      setError(message(err))
    }
  }

  /** The folder in the path bar, even if typed without pressing Go. */
  async function chooseFolder() {
    const wanted = typedFolder(typed, listing?.dir)
    try {
      const target = wanted && wanted !== listing?.dir ? await browse(wanted, show) : listing
      if (!target) return
      if (saving) {
        const chosen = (await getBridge().files.choose({ paths: [target.dir] })).paths[0]
        if (chosen) close([chosen, name.trim()])
      } else await choose([target.dir])
    } catch (err) {
      setError(message(err))
    }
  }

  function submitPath(e: FormEvent) {
    e.preventDefault()
    void go(typedFolder(typed, listing?.dir))
  }

  const toggle = (p: string) =>
    setPicked((now) => (now.includes(p) ? now.filter((x) => x !== p) : [...now, p]))

  return (
    <div className="modal-backdrop">
      <div
        className="modal file-browser"
        role="dialog"
        aria-label={request.title}
        aria-modal
        aria-busy={!listing && !error}
        ref={dialog}
      >
        <div className="dialog-header">
          <h2>{request.title}</h2>
          <button className="ghost" onClick={() => close(null)} aria-label="Cancel">
            ✕
          </button>
        </div>
        <form className="row" onSubmit={submitPath}>
          <label>
            <span>Folder</span>
            <input
              ref={bar}
              value={typed}
              onChange={(e) => {
                edited.current = true
                setTyped(e.target.value)
              }}
              spellCheck={false}
              // Keyboard users land in the dialog: type a folder, Enter to go, Esc to cancel.
              autoFocus
            />
          </label>
          <button type="submit">Go</button>
          {listing?.parent && (
            <button type="button" onClick={() => void go(listing.parent ?? undefined)}>
              Up
            </button>
          )}
        </form>
        {listing && listing.recent.length > 0 && (
          <div className="recent" role="group" aria-label="Recent folders">
            {listing.recent.map((r) => (
              <button key={r} className="ghost" onClick={() => void go(r)} title={r}>
                {r.split(/[\\/]/).pop() || r}
              </button>
            ))}
          </div>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {project && recentProjects.length > 0 && (
          <section className="recent-projects" aria-labelledby="recent-projects-title">
            <h3 id="recent-projects-title">Recent projects</h3>
            <ul className="browse-list">
              {recentProjects.map((p) => (
                <li key={p.path}>
                  {/* main opens these by path: the user opened or saved them before. */}
                  <button
                    className="ghost"
                    disabled={p.missing}
                    title={p.missing ? `${p.path}: moved or deleted` : p.path}
                    onClick={() => close([p.path])}
                  >
                    {projectName(p.path)}
                    {p.missing ? ' (missing)' : ''}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
        <ul className="browse-list" aria-label="Folder contents">
          {listing?.entries.map((e) => (
            <li key={e.path}>
              {e.kind === 'folder' ? (
                <button className="ghost" onClick={() => void go(e.path)}>
                  {e.name}/
                </button>
              ) : (
                <button
                  className={`ghost${picked.includes(e.path) ? ' selected' : ''}`}
                  aria-pressed={picked.includes(e.path)}
                  disabled={!files && !single}
                  onClick={() => (single ? setPicked([e.path]) : toggle(e.path))}
                  onDoubleClick={() => void choose([e.path])}
                >
                  {e.name}
                </button>
              )}
            </li>
          ))}
          {listing && listing.entries.length === 0 && (
            <li className="muted">
              No folders or{' '}
              {project ? 'projects' : lora ? 'LoRA files' : preset ? 'preset files' : 'videos'}{' '}
              here.
            </li>
          )}
        </ul>
        <div className="row dialog-footer">
          <span className="spacer" />
          <button className="ghost" onClick={() => close(null)}>
            Cancel
          </button>
          {saving && (
            <label className="save-name">
              <span>Name</span>
              <input value={name} onChange={(e) => setName(e.target.value)} spellCheck={false} />
            </label>
          )}
          {files || single ? (
            <button disabled={picked.length === 0} onClick={() => void choose(picked)}>
              {project
                ? 'Open project'
                : lora
                  ? 'Use this LoRA'
                  : preset
                    ? 'Import this preset'
                    : `Open ${picked.length > 1 ? `${picked.length} clips` : 'clip'}`}
            </button>
          ) : saving ? (
            <button disabled={!listing || !name.trim()} onClick={() => void chooseFolder()}>
              Save here
            </button>
          ) : (
            <button disabled={!listing} onClick={() => void chooseFolder()}>
              Choose this folder
            </button>
          )}
        </div>
      </div>
    </div>
  )
}
