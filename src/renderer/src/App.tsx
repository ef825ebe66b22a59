import { useEffect } from 'react'
import { useApp } from './stores/app-store'
import { LibraryPanel } from './features/library/LibraryPanel'
import { SettingsPanel } from './features/settings/SettingsPanel'
import { FileBrowser } from './features/library/FileBrowser'
import { BatchPanel } from './features/batch/BatchPanel'
import { ParamsForm } from './features/inspector/ParamsForm'
import { RenderButton } from './features/inspector/RenderButton'
import { QueuePanel } from './features/queue/QueuePanel'
import { useJobs } from './features/queue/jobs-store'
import { notifyWhenFinished } from './features/notify/browser-notifications'
import { getBridge } from './bridge'
import { ComparePlayer } from './features/player/ComparePlayer'
import { EditorPlayer } from './features/player/EditorPlayer'
import { Timeline } from './features/timeline/Timeline'
import { useTimeline } from './features/timeline/timeline-store'
import { useProject } from './features/project/project-store'
import {
  openProject,
  projectName,
  saveProject,
  startSession,
  useSession,
} from './features/project/project-session'
import { RecentProjectsMenu } from './features/project/RecentProjectsMenu'
import { installShortcuts } from './features/keys/shortcuts'
import { ShortcutsHelp } from './features/keys/ShortcutsHelp'
import { targetFrameRate } from '@shared/frames'
import { formatBytes, formatDuration, formatFps } from './features/library/format'

function ProjectTitle() {
  const path = useSession((s) => s.path)
  const dirty = useProject((s) => s.clips) !== useSession((s) => s.saved)
  return (
    <span className="project-title" data-testid="project-title" title={path ?? 'Not saved yet'}>
      {projectName(path)}
      {dirty ? ' •' : ''}
    </span>
  )
}

function KeyBadge() {
  const keyStatus = useApp((s) => s.keyStatus)
  const openSettings = useApp((s) => s.openSettings)
  if (!keyStatus) return null
  const ok = keyStatus.source !== 'none' || keyStatus.proxy
  return (
    <button
      className={`badge ${ok ? 'ok' : 'warn'}`}
      onClick={() => openSettings(true)}
      data-testid="key-badge"
    >
      {keyStatus.source === 'none' && keyStatus.proxy
        ? 'Using your fal proxy'
        : ok
          ? 'fal key ready'
          : 'Add a fal key to render'}
    </button>
  )
}

function ClipDetails() {
  const clip = useApp((s) => s.clips.find((c) => c.path === s.selected))
  if (!clip) return <p className="empty">Pick or drop a clip to see it here.</p>
  if (clip.error) return <p className="error">{clip.error}</p>
  const p = clip.probe
  if (!p) return <p className="muted">Reading {clip.name}…</p>
  return (
    <dl className="facts" aria-label="Clip facts">
      <dt>Duration</dt>
      <dd>{formatDuration(p.durationSec)}</dd>
      <dt>Size</dt>
      <dd>
        {p.width}×{p.height}
        {p.rotation ? ` (rotated ${p.rotation}°)` : ''}
      </dd>
      <dt>Frame rate</dt>
      <dd>
        {formatFps(p.fpsNominal)} fps{p.variableFrameRate ? ' (variable)' : ''}
      </dd>
      <dt>Codec</dt>
      <dd>
        {p.codec} {p.pixelFormat} {p.bitDepth}-bit
      </dd>
      <dt>Audio</dt>
      <dd>
        {p.audio.length ? p.audio.map((a) => `${a.codec} ${a.channels}ch`).join(', ') : 'none'}
      </dd>
      <dt>File</dt>
      <dd>{formatBytes(p.sizeBytes)}</dd>
    </dl>
  )
}

/** The compare view for a finished render, else the selected clip. */
function Stage() {
  const comparing = useJobs((s) => s.jobs.find((j) => j.id === s.comparing))
  const compare = useJobs((s) => s.compare)
  const clip = useApp((s) => s.clips.find((c) => c.path === s.selected))
  const doc = useProject((s) => s.clips.find((c) => c.path === clip?.path))
  // A newly selected clip starts at its in point, paused.
  useEffect(() => {
    // The compared take stays chosen: the player falls back to the newest when it is another clip's.
    if (doc) useTimeline.setState({ playhead: doc.in, playing: false, selectedBorder: null })
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [doc?.id])
  if (comparing) {
    return (
      <>
        <div className="row">
          <h2>Compare</h2>
          <div className="spacer" />
          <button className="ghost" onClick={() => compare(undefined)}>
            Close
          </button>
        </div>
        <ComparePlayer
          original={comparing.spec.source}
          result={comparing.spec.output}
          resultStartSec={comparing.spec.range.startSec}
        />
      </>
    )
  }
  if (clip?.probe && doc) {
    return (
      <>
        <EditorPlayer clip={doc} fps={targetFrameRate(clip.probe).fps} />
        <Timeline clip={doc} probe={clip.probe} />
        <ClipDetails />
      </>
    )
  }
  return <ClipDetails />
}

export function App() {
  const init = useApp((s) => s.init)
  const ready = useApp((s) => s.ready)
  const info = useApp((s) => s.info)
  const notices = useApp((s) => s.notices)
  const dismiss = useApp((s) => s.dismiss)
  const openSettings = useApp((s) => s.openSettings)
  const sessionReady = useSession((s) => s.ready)

  // Services first; then the last session's work and the files the app was started with.
  useEffect(() => {
    void init().then(() => startSession())
  }, [init])

  useEffect(() => installShortcuts(), [])

  // The desktop app notifies from main; a browser tab does it here, once the user allowed it.
  const inBrowser = info?.transport === 'websocket'
  useEffect(() => {
    if (!inBrowser) return
    return notifyWhenFinished(getBridge(), () => useJobs.getState().jobs)
  }, [inBrowser])

  return (
    <div className="shell" data-ready={ready}>
      <header className="topbar">
        <h1>Reanimate</h1>
        <span className="muted">{info ? `v${info.version}` : ''}</span>
        <ProjectTitle />
        <div className="spacer" />
        <button className="ghost" onClick={() => void openProject()} title="Ctrl/Cmd+O">
          Open project…
        </button>
        <RecentProjectsMenu />
        <button className="ghost" onClick={() => void saveProject()} title="Ctrl/Cmd+S">
          Save
        </button>
        <KeyBadge />
        <button className="ghost" onClick={() => openSettings(true)}>
          Settings
        </button>
      </header>
      {sessionReady ? (
        <>
          <LibraryPanel />
          <main className="panel stage" aria-label="Player">
            <Stage />
          </main>
          <aside className="panel inspector" aria-label="Inspector">
            <h2>Parameters</h2>
            <ParamsForm />
            <RenderButton />
          </aside>
          <QueuePanel />
        </>
      ) : (
        <main className="panel stage" aria-label="Player">
          <p className="muted" role="status">
            Opening your last session…
          </p>
        </main>
      )}
      <footer className="statusbar" data-testid="statusbar">
        {info?.tools.ffmpeg
          ? `ffmpeg ${info.tools.ffmpeg.version} (${info.tools.ffmpeg.source})`
          : 'ffmpeg not found: see Settings'}
      </footer>
      <SettingsPanel />
      <BatchPanel />
      <FileBrowser />
      <ShortcutsHelp />
      <div className="notices" aria-live="polite">
        {notices.map((n) => (
          <div
            key={n.id}
            className={`notice ${n.kind}`}
            role={n.kind === 'error' ? 'alert' : 'status'}
          >
            {n.text}
            <button className="ghost" onClick={() => dismiss(n.id)} aria-label="Dismiss">
              ✕
            </button>
          </div>
        ))}
      </div>
    </div>
  )
}
