import { useEffect, useRef, useState } from 'react'
import { Group, Panel, Separator, useDefaultLayout, usePanelRef } from 'react-resizable-panels'
import { Toaster, toast } from 'sonner'
import { useApp, type Notice } from './stores/app-store'
import { falStatus } from './features/settings/fal-status'
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
import { installShortcuts, panelToggles, runCommand } from './features/keys/shortcuts'
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

/** The same words as Settings' fal status (one function says both). */
function KeyBadge() {
  const keyStatus = useApp((s) => s.keyStatus)
  const proxy = useApp((s) => s.settings?.falProxy)
  const openSettings = useApp((s) => s.openSettings)
  if (!keyStatus) return null
  const status = falStatus(keyStatus, proxy)
  return (
    <button
      className={`badge ${status.ready ? 'ok' : 'warn'}`}
      onClick={() => openSettings(true)}
      data-testid="key-badge"
      title={status.text}
    >
      {status.badge}
    </button>
  )
}

/** Settings' Appearance, else the system's: set on <html> as data-theme, which the colours follow. */
function useTheme(): 'light' | 'dark' {
  const chosen = useApp((s) => s.settings?.theme ?? 'system')
  const query =
    typeof window.matchMedia === 'function'
      ? window.matchMedia('(prefers-color-scheme: dark)')
      : null
  const [systemDark, setSystemDark] = useState(() => query?.matches ?? true)
  useEffect(() => {
    if (!query) return
    const follow = () => setSystemDark(query.matches)
    query.addEventListener('change', follow)
    return () => query.removeEventListener('change', follow)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])
  const theme = chosen === 'system' ? (systemDark ? 'dark' : 'light') : chosen
  useEffect(() => {
    document.documentElement.dataset.theme = theme
  }, [theme])
  return theme
}

/**
 * The app's notices as toasts: an error stays until dismissed or until what it is about is fixed
 * (the store drops it); info fades. The store stays the one list, so `notify` works as before.
 */
function Toasts(props: { theme: 'light' | 'dark' }) {
  const notices = useApp((s) => s.notices)
  const shown = useRef(new Map<number, Notice>())
  useEffect(() => {
    const { dismiss } = useApp.getState()
    const now = new Set(notices.map((n) => n.id))
    for (const n of notices) {
      if (shown.current.has(n.id)) continue
      shown.current.set(n.id, n)
      const options = {
        id: n.id,
        // Info fades (the store drops it after a few seconds); an error waits for the user.
        duration: Infinity,
        className: `notice ${n.kind}`,
        onDismiss: () => dismiss(n.id),
      }
      if (n.kind === 'error') toast.error(n.text, options)
      else toast.info(n.text, options)
    }
    for (const id of [...shown.current.keys()]) {
      if (now.has(id)) continue
      shown.current.delete(id)
      toast.dismiss(id)
    }
  }, [notices])
  // The toasts' region is polite; an error must interrupt a screen reader, so it is said again here.
  const lastError = notices.findLast((n) => n.kind === 'error')
  return (
    <>
      <Toaster
        theme={props.theme}
        position="bottom-center"
        closeButton
        visibleToasts={5}
        containerAriaLabel="Notifications"
        toastOptions={{ closeButtonAriaLabel: 'Dismiss' }}
      />
      <div role="alert" className="sr-only" data-testid="error-announcer">
        {lastError?.text ?? ''}
      </div>
    </>
  )
}

/** Who may see a panel: a toggle in the top bar collapses and expands it (sizes are remembered). */
type PanelHandle = ReturnType<typeof usePanelRef>

function PanelToggle(props: { name: string; panel: PanelHandle; collapsed: boolean }) {
  return (
    <button
      className="ghost toggle"
      aria-pressed={!props.collapsed}
      onClick={() =>
        props.collapsed ? props.panel.current?.expand() : props.panel.current?.collapse()
      }
      title={`${props.collapsed ? 'Show' : 'Hide'} the ${props.name.toLowerCase()}`}
    >
      {props.name}
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

const layoutStorage = typeof localStorage === 'undefined' ? undefined : localStorage

export function App() {
  const init = useApp((s) => s.init)
  const ready = useApp((s) => s.ready)
  const info = useApp((s) => s.info)
  const openSettings = useApp((s) => s.openSettings)
  const sessionReady = useSession((s) => s.ready)
  const theme = useTheme()

  // Panel sizes (and which are collapsed) are the window's own: remembered in this browser profile.
  const columns = useDefaultLayout({
    id: 'reanimate-columns',
    ...(layoutStorage ? { storage: layoutStorage } : {}),
  })
  const rows = useDefaultLayout({
    id: 'reanimate-stage-queue',
    ...(layoutStorage ? { storage: layoutStorage } : {}),
  })
  const library = usePanelRef()
  const inspector = usePanelRef()
  const queue = usePanelRef()
  const [collapsed, setCollapsed] = useState({ library: false, inspector: false, queue: false })
  const track = (name: keyof typeof collapsed) => (size: { asPercentage: number }) => {
    const now = size.asPercentage < 0.5
    setCollapsed((c) => (c[name] === now ? c : { ...c, [name]: now }))
  }

  // Services first; then the last session's work and the files the app was started with.
  useEffect(() => {
    void init().then(() => startSession())
  }, [init])

  useEffect(() => installShortcuts(), [])
  // The application menu (desktop app) runs the same commands as the keys.
  useEffect(() => getBridge().on('app.command', ({ id }) => runCommand(id)), [])
  useEffect(() => {
    const toggle = (panel: PanelHandle) => () =>
      panel.current?.isCollapsed() ? panel.current.expand() : panel.current?.collapse()
    panelToggles.library = toggle(library)
    panelToggles.queue = toggle(queue)
    panelToggles.inspector = toggle(inspector)
  }, [library, queue, inspector])

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
        <span className="muted version">{info ? `v${info.version}` : ''}</span>
        <ProjectTitle />
        <div className="spacer" />
        <button className="ghost" onClick={() => void openProject()} title="Ctrl/Cmd+O">
          Open project…
        </button>
        <RecentProjectsMenu />
        <button className="ghost" onClick={() => void saveProject()} title="Ctrl/Cmd+S">
          Save
        </button>
        {sessionReady && (
          <div className="panel-toggles" role="group" aria-label="Panels">
            <PanelToggle name="Library" panel={library} collapsed={collapsed.library} />
            <PanelToggle name="Queue" panel={queue} collapsed={collapsed.queue} />
            <PanelToggle name="Inspector" panel={inspector} collapsed={collapsed.inspector} />
          </div>
        )}
        <KeyBadge />
        <button className="ghost" onClick={() => openSettings(true)}>
          Settings
        </button>
      </header>
      {sessionReady ? (
        <Group
          id="reanimate-columns"
          className="workspace"
          orientation="horizontal"
          defaultLayout={columns.defaultLayout}
          onLayoutChanged={columns.onLayoutChanged}
        >
          <Panel
            className="pane"
            id="library"
            panelRef={library}
            collapsible
            defaultSize="20%"
            minSize={200}
            maxSize="35%"
            onResize={track('library')}
          >
            <LibraryPanel />
          </Panel>
          <Separator className="resize-handle" aria-label="Resize the library" />
          <Panel id="center" className="pane" minSize={360}>
            <Group
              id="reanimate-stage-queue"
              orientation="vertical"
              defaultLayout={rows.defaultLayout}
              onLayoutChanged={rows.onLayoutChanged}
            >
              <Panel id="stage" className="pane" minSize={200}>
                <main className="panel stage" aria-label="Player">
                  <Stage />
                </main>
              </Panel>
              <Separator className="resize-handle" aria-label="Resize the queue" />
              <Panel
                className="pane"
                id="queue"
                panelRef={queue}
                collapsible
                defaultSize="20%"
                minSize={96}
                onResize={track('queue')}
              >
                <QueuePanel />
              </Panel>
            </Group>
          </Panel>
          <Separator className="resize-handle" aria-label="Resize the inspector" />
          <Panel
            className="pane"
            id="inspector"
            panelRef={inspector}
            collapsible
            defaultSize="24%"
            minSize={280}
            maxSize="40%"
            onResize={track('inspector')}
          >
            <aside className="panel inspector" aria-label="Inspector">
              <div className="inspector-body">
                <h2>Parameters</h2>
                <ParamsForm />
              </div>
              {/* Render stays in reach however long the parameters get. */}
              <div className="inspector-footer">
                <RenderButton />
              </div>
            </aside>
          </Panel>
        </Group>
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
      <Toasts theme={theme} />
    </div>
  )
}
