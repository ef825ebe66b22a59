import { useEffect, useMemo, useRef, useState, type DragEvent } from 'react'
import { presetNameProblem } from '@shared/presets'
import { getBridge } from '../../bridge'
import { useApp } from '../../stores/app-store'
import { useFileBrowser } from '../library/file-browser-store'
import { useFocusTrap } from '../../focus-trap'
import { useJobs } from '../queue/jobs-store'
import { jobStateWords } from '../queue/queue-text'
import { askToNotify } from '../notify/browser-notifications'
import {
  CURRENT,
  exampleOutput,
  followBatches,
  presetInUse,
  STOP_BATCH_CONFIRM,
  useBatch,
  type BatchRun,
} from './batch-store'

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err))
const baseName = (p: string) => p.split(/[\\/]/).pop() ?? p

/** 75 → "1:15"; an hour or more → "1:02:05". */
export function clock(sec: number): string {
  const s = Math.max(0, Math.round(sec))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const r = String(s % 60).padStart(2, '0')
  return h ? `${h}:${String(m).padStart(2, '0')}:${r}` : `${m}:${r}`
}

/** Elapsed, and the ETA as the average time per finished clip times the clips left. */
export function timing(run: BatchRun, now: number): { elapsed: number; eta: number | null } {
  const end = run.finishedAt ?? now
  const elapsed = (end - run.startedAt) / 1000
  const done = Object.keys(run.ended).length
  const left = run.jobIds.length - done
  if (run.finishedAt || left <= 0) return { elapsed, eta: 0 }
  if (done === 0) return { elapsed, eta: null }
  return { elapsed, eta: (elapsed / done) * left }
}

type Form = { kind: 'save' | 'rename'; name: string } | { kind: 'delete' } | null

/**
 * A folder restyled with one preset: the folder and what a batch would do with each file, the
 * preset (the current parameters or a saved one), where the results go and how they are named;
 * then one overall progress bar with the batch's jobs, and its summary.
 */
export function BatchPanel() {
  const s = useBatch()
  const inBrowser = useApp((a) => a.info?.transport === 'websocket')
  const concurrency = useApp((a) => a.settings?.concurrency)
  const updateSettings = useApp((a) => a.updateSettings)
  const notify = useApp((a) => a.notify)
  const jobs = useJobs((j) => j.jobs)
  const live = useJobs((j) => j.live)
  const browse = useFileBrowser((f) => f.open)
  const dialog = useRef<HTMLDivElement>(null)
  const [form, setForm] = useState<Form>(null)
  const [formError, setFormError] = useState<string | null>(null)
  const [now, setNow] = useState(() => Date.now())
  const [summaryPath, setSummaryPath] = useState<string | null>(null)
  const [dropping, setDropping] = useState(false)
  const running = Boolean(s.run && !s.summary)

  // The batch's jobs and its end are followed even while the panel is closed.
  useEffect(() => followBatches(getBridge()), [])

  useEffect(() => {
    if (s.open) void useBatch.getState().loadPresets()
  }, [s.open])
  // Focus moves in (the title), Tab stays inside, Esc closes it (the file browser first, when it
  // is open over the panel), and focus goes back to what opened it.
  useFocusTrap(dialog, s.open, () => s.show(false), 'h2')

  useEffect(() => {
    if (!running) return
    const t = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(t)
  }, [running])

  if (!s.open) return null

  async function chooseFolder(title: string): Promise<string | null> {
    try {
      return inBrowser
        ? ((await browse('folder', title))?.[0] ?? null)
        : (await getBridge().library.pickFolder({})).path
    } catch (err) {
      notify('error', errorText(err))
      return null
    }
  }

  /**
   * A folder dropped on the Clips section becomes the batch's folder (not the library's clips).
   * The desktop app knows where it lives; a browser tab is never told, so it says to use Choose….
   */
  function onDropFolder(e: DragEvent) {
    e.preventDefault()
    e.stopPropagation()
    setDropping(false)
    if (running) return
    const files = Array.from(e.dataTransfer.files)
    if (files.length === 0) return
    if (inBrowser)
      return notify(
        'error',
        'A browser tab is not told where a dropped folder is on your disk. Use Choose… beside Folder.',
      )
    const paths = files.map((f) => getBridge().getPathForFile(f)).filter(Boolean)
    if (paths.length === 0)
      return notify('error', 'This has no place on your disk. Drop a folder from your disk.')
    if (paths.length > 1)
      return notify(
        'error',
        'Drop one folder: a batch restyles one folder, and its subfolders with Include subfolders.',
      )
    s.set({ dir: paths[0] as string })
  }

  async function savePreset(kind: 'save' | 'rename', name: string) {
    const problem = presetNameProblem(name)
    if (problem) return setFormError(problem)
    try {
      if (kind === 'rename') {
        const renamed = await getBridge().presets.rename({ from: s.preset, to: name })
        await s.loadPresets()
        s.choosePreset(renamed.name)
        notify('info', `Renamed the preset to “${renamed.name}”.`)
      } else {
        const using = presetInUse(useBatch.getState())
        if (!using.ok) return setFormError(using.message)
        const saved = await getBridge().presets.save({ name, preset: using.preset })
        await s.loadPresets()
        s.choosePreset(saved.name)
        notify('info', `Saved the preset “${saved.name}”.`)
      }
      setForm(null)
      setFormError(null)
    } catch (err) {
      setFormError(errorText(err))
    }
  }

  async function deletePreset() {
    try {
      await getBridge().presets.delete({ name: s.preset })
      notify('info', `Deleted the preset “${s.preset}”.`)
      s.choosePreset(CURRENT)
      await s.loadPresets()
      setForm(null)
    } catch (err) {
      notify('error', errorText(err))
    }
  }

  async function openSummary() {
    if (!s.summary) return
    try {
      const r = await getBridge().batch.revealSummary({ batchId: s.summary.batchId })
      if (!r.shown) {
        setSummaryPath(r.path)
        await navigator.clipboard?.writeText(r.path).then(
          () => notify('info', 'Summary path copied.'),
          () => undefined,
        )
      }
    } catch (err) {
      notify('error', errorText(err))
    }
  }

  const saved = s.presets.find((p) => p.name === s.preset)
  const counts = { render: 0, reuse: 0, skip: 0, unreadable: 0 }
  for (const i of s.preview ?? []) counts[i.status]++
  const rel = (p: string) =>
    s.dir && p.startsWith(s.dir) ? p.slice(s.dir.length).replace(/^[\\/]/, '') : p

  return (
    <div className="modal-backdrop">
      <div
        ref={dialog}
        className="modal batch-panel"
        role="dialog"
        aria-modal
        aria-labelledby="batch-title"
      >
        <header className="dialog-header">
          <h2 id="batch-title" tabIndex={-1}>
            Batch a folder
          </h2>
          <button className="ghost" onClick={() => s.show(false)} aria-label="Close">
            ✕
          </button>
        </header>

        {!s.run && (
          <div className="batch-setup">
            <section
              className={`batch-section${dropping ? ' drop-target' : ''}`}
              aria-labelledby="batch-source"
              onDragOver={(e) => {
                if (!Array.from(e.dataTransfer.types).includes('Files')) return
                e.preventDefault()
                e.stopPropagation()
                e.dataTransfer.dropEffect = 'copy'
                setDropping(true)
              }}
              onDragLeave={(e) => {
                if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDropping(false)
              }}
              onDrop={onDropFolder}
            >
              <h3 id="batch-source">Clips</h3>
              <div className="row">
                <label className="grow">
                  <span>Folder</span>
                  <input readOnly value={s.dir ?? ''} placeholder="No folder chosen" />
                </label>
                <button
                  onClick={async () => {
                    const dir = await chooseFolder('Batch: the folder of clips')
                    if (dir) s.set({ dir })
                  }}
                >
                  Choose…
                </button>
              </div>
              <label className="check">
                <input
                  type="checkbox"
                  checked={s.recursive}
                  onChange={(e) => s.set({ recursive: e.target.checked })}
                />
                <span>Include subfolders</span>
              </label>
              <div className="batch-preview" aria-label="Clips found" role="region">
                {!s.dir && (
                  <p className="muted">
                    {inBrowser
                      ? 'Choose a folder to see the clips in it.'
                      : 'Choose a folder, or drop one here, to see the clips in it.'}
                  </p>
                )}
                {s.previewing && !s.preview && <p className="muted">Looking through the folder…</p>}
                {s.previewError && (
                  <p className="error" role="alert">
                    {s.previewError}
                  </p>
                )}
                {s.preview && (
                  <>
                    <p className="batch-counts" role="status">
                      {counts.render} to render
                      {counts.reuse
                        ? `, ${counts.reuse} already rendered (not paid again)`
                        : ''}, {counts.skip + counts.unreadable} skipped
                    </p>
                    <ul className="browse-list preview-list">
                      {s.preview.map((i) => (
                        <li key={i.source} className={`preview-${i.status}`}>
                          <span className="file">{rel(i.source)}</span>
                          <span className="why">
                            {i.status === 'render'
                              ? (i.reason ?? 'will be rendered')
                              : i.status === 'reuse'
                                ? i.reason
                                : `skipped: ${i.reason ?? ''}`}
                          </span>
                        </li>
                      ))}
                      {s.preview.length === 0 && (
                        <li className="muted">No files in this folder.</li>
                      )}
                    </ul>
                  </>
                )}
              </div>
            </section>

            <section className="batch-section" aria-labelledby="batch-preset">
              <h3 id="batch-preset">Parameters</h3>
              <div className="row">
                <label className="grow">
                  <span id="batch-preset-label">Preset</span>
                  <select
                    aria-labelledby="batch-preset-label"
                    value={s.preset}
                    onChange={(e) => s.choosePreset(e.target.value)}
                  >
                    <option value={CURRENT}>Current inspector values</option>
                    {s.presets.map((p) => (
                      <option key={p.name} value={p.name} disabled={!p.preset}>
                        {p.name}
                        {p.preset ? '' : ' (cannot be read)'}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
              <div className="row wrap" role="group" aria-label="Preset actions">
                <button onClick={() => setForm({ kind: 'save', name: '' })}>Save as preset…</button>
                <button
                  disabled={!saved}
                  onClick={() => setForm({ kind: 'rename', name: s.preset })}
                >
                  Rename…
                </button>
                <button disabled={!saved} onClick={() => setForm({ kind: 'delete' })}>
                  Delete…
                </button>
                <button disabled={!saved?.preset} onClick={() => void s.exportPreset()}>
                  Export…
                </button>
                <button onClick={() => void s.importPreset()}>Import…</button>
              </div>
              {form && form.kind !== 'delete' && (
                <form
                  className="row"
                  onSubmit={(e) => {
                    e.preventDefault()
                    void savePreset(form.kind, form.name)
                  }}
                >
                  <label className="grow">
                    <span>{form.kind === 'save' ? 'Preset name' : 'New name'}</span>
                    <input
                      autoFocus
                      value={form.name}
                      onChange={(e) => setForm({ ...form, name: e.target.value })}
                      aria-invalid={Boolean(formError)}
                      aria-describedby={formError ? 'preset-form-error' : undefined}
                    />
                  </label>
                  <button type="submit">{form.kind === 'save' ? 'Save preset' : 'Rename'}</button>
                  <button type="button" className="ghost" onClick={() => setForm(null)}>
                    Cancel
                  </button>
                </form>
              )}
              {form?.kind === 'delete' && (
                <div className="row" role="group" aria-label="Confirm delete">
                  <span>Delete the preset “{s.preset}”? Its exported copies stay.</span>
                  <button onClick={() => void deletePreset()}>Delete preset</button>
                  <button className="ghost" onClick={() => setForm(null)}>
                    Keep it
                  </button>
                </div>
              )}
              {formError && form && (
                <p className="error" id="preset-form-error" role="alert">
                  {formError}
                </p>
              )}
            </section>

            <section className="batch-section" aria-labelledby="batch-output">
              <h3 id="batch-output">Results</h3>
              <div className="row">
                <label className="grow">
                  <span>Output folder</span>
                  <input readOnly value={s.outDir ?? ''} placeholder="No folder chosen" />
                </label>
                <button
                  onClick={async () => {
                    const outDir = await chooseFolder('Batch: where the results go')
                    if (outDir) s.set({ outDir })
                  }}
                >
                  Choose…
                </button>
              </div>
              <div className="row">
                <label className="grow">
                  <span>Name template</span>
                  <input
                    value={s.nameTemplate}
                    onChange={(e) => s.set({ nameTemplate: e.target.value })}
                    onBlur={() => void s.refreshPreview()}
                    aria-describedby="name-example"
                    spellCheck={false}
                  />
                </label>
                <label>
                  <span>Renders at once</span>
                  <input
                    type="number"
                    min={1}
                    max={40}
                    value={concurrency ?? 2}
                    onChange={(e) => {
                      const n = Number(e.target.value)
                      if (Number.isInteger(n) && n >= 1 && n <= 40)
                        void updateSettings({ concurrency: n }).catch(() => undefined)
                    }}
                  />
                </label>
              </div>
              <p className="muted" id="name-example">
                {'{stem}'} is the clip’s name: beach.mp4 becomes {exampleOutput(s.nameTemplate)}
              </p>
            </section>
          </div>
        )}

        {s.run && <Progress run={s.run} now={now} jobs={jobs} live={live} />}

        {s.summary && (
          <section className="batch-summary" aria-labelledby="batch-summary-title">
            <h3 id="batch-summary-title">Summary</h3>
            <p role="status">
              {s.summary.succeeded} succeeded, {s.summary.failed} failed, {s.summary.skipped}{' '}
              skipped.
            </p>
            {s.summary.rows.some((r) => r.status === 'failed') && (
              <>
                <h4>Failed</h4>
                <ul className="summary-list">
                  {s.summary.rows
                    .filter((r) => r.status === 'failed')
                    .map((r) => (
                      <li key={r.source}>
                        <strong>{r.source}</strong>:{' '}
                        {r.error?.replace(`${baseName(r.source)}: `, '')}
                      </li>
                    ))}
                </ul>
              </>
            )}
            {s.summary.rows.some((r) => r.status === 'skipped') && (
              <>
                <h4>Skipped</h4>
                <ul className="summary-list">
                  {s.summary.rows
                    .filter((r) => r.status === 'skipped')
                    .map((r) => (
                      <li key={r.source}>
                        {r.source}: {r.error}
                      </li>
                    ))}
                </ul>
              </>
            )}
            <div className="row">
              <button onClick={() => void openSummary()}>Open summary</button>
              {summaryPath && (
                <code className="summary-path" title={summaryPath}>
                  {summaryPath}
                </code>
              )}
            </div>
          </section>
        )}

        {s.error && (
          <p className="error" role="alert">
            {s.error}
          </p>
        )}
        <footer className="row">
          <span className="spacer" />
          {s.summary ? (
            <button
              onClick={() => {
                setSummaryPath(null)
                s.reset()
              }}
            >
              New batch
            </button>
          ) : s.run ? (
            <button
              disabled={s.stopping}
              onClick={() => {
                if (window.confirm(STOP_BATCH_CONFIRM)) void s.stop()
              }}
            >
              {s.stopping ? 'Stopping…' : 'Stop batch'}
            </button>
          ) : (
            <button
              className="primary"
              disabled={s.starting}
              onClick={() => {
                askToNotify(inBrowser)
                void s.start()
              }}
            >
              {s.starting ? 'Starting…' : 'Start batch'}
            </button>
          )}
          <button className="ghost" onClick={() => s.show(false)}>
            Close
          </button>
        </footer>
      </div>
    </div>
  )
}

function Progress({
  run,
  now,
  jobs,
  live,
}: {
  run: BatchRun
  now: number
  jobs: ReturnType<typeof useJobs.getState>['jobs']
  live: ReturnType<typeof useJobs.getState>['live']
}) {
  const total = run.jobIds.length
  const done = Object.keys(run.ended).length
  const { elapsed, eta } = timing(run, now)
  // Looked up once per list, not once per row and tick: a batch can hold a thousand jobs.
  const byId = useMemo(() => new Map(jobs.map((j) => [j.id, j])), [jobs])
  const unknown = run.jobIds.some((id) => !byId.has(id))
  // Jobs queued behind the running ones send no progress yet: read the list so they show by name.
  useEffect(() => {
    if (unknown)
      void useJobs
        .getState()
        .load()
        .catch(() => undefined)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [total])
  return (
    <section className="batch-progress" aria-labelledby="batch-progress-title">
      <h3 id="batch-progress-title">Progress</h3>
      <p className="muted batch-what">
        {baseName(run.dir)} → {baseName(run.outDir)}, {run.presetLabel}
      </p>
      <progress
        aria-label="Batch progress"
        max={Math.max(1, total)}
        value={total ? done : run.finishedAt ? 1 : 0}
      />
      <p className="row batch-clock">
        <span data-testid="batch-count">
          {done} of {total}
          {run.planning ? ' so far' : ''}
        </span>
        {run.finishedAt ? (
          <span>finished in {clock(elapsed)}</span>
        ) : (
          <>
            <span>elapsed {clock(elapsed)}</span>
            <span>
              {run.planning
                ? 'ETA once the folder is read'
                : eta === null
                  ? 'ETA after the first clip'
                  : `ETA ${clock(eta)}`}
            </span>
          </>
        )}
      </p>
      {run.planning && !run.finishedAt && (
        <p className="muted" role="status" data-testid="batch-reading">
          Reading the folder: {run.read} of {run.files} files. Clips are sent as they are read.
        </p>
      )}
      {run.alreadyDone + run.skipped + run.unreadable > 0 && (
        <p className="muted" data-testid="batch-not-rendered">
          {[
            run.alreadyDone ? `${run.alreadyDone} already rendered (not paid again)` : '',
            run.skipped ? `${run.skipped} skipped` : '',
            run.unreadable ? `${run.unreadable} unreadable` : '',
          ]
            .filter(Boolean)
            .join(', ')}
          .
        </p>
      )}
      {total > 0 && (
        <ul className="browse-list batch-jobs" aria-label="Jobs of this batch">
          {run.jobIds.map((id) => {
            const job = byId.get(id)
            const ended = run.ended[id]
            const status = ended?.status ?? live[id]?.status ?? job?.status ?? 'queued'
            const stage = live[id]?.stage ?? job?.stage
            return (
              <li key={id}>
                <span className="file">{job ? baseName(job.spec.source) : id.slice(0, 8)}</span>
                <span className="why">{jobStateWords(status, stage ?? 'prepare')}</span>
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}
