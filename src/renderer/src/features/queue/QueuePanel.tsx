import { useEffect, useMemo, useRef } from 'react'
import { useVirtualizer } from '@tanstack/react-virtual'
import type { Job } from '@shared/jobs'
import { getBridge } from '../../bridge'
import { useApp } from '../../stores/app-store'
import { isCleared, useJobs, CLEARABLE } from './jobs-store'
import { JobRow } from './JobRow'
import { useProject } from '../project/project-store'
import { useTimeline } from '../timeline/timeline-store'
import './queue.css'

/**
 * A take of a clip in the project opens in the editor's player, side by side, following the
 * selected clip; any other finished render (a batch's) in the plain compare view.
 */
function compareTake(id: string, source: string, fallback: (id: string) => void) {
  const clip = useProject.getState().clips.find((c) => c.path === source)
  if (!clip?.takes.some((t) => t.jobId === id)) return fallback(id)
  useJobs.getState().compare(undefined)
  useApp.getState().select(source)
  useTimeline.setState({ take: id, view: 'side', playhead: clip.in })
}

/** A row's height before it is measured (an expanded log makes it taller). */
const ROW_ESTIMATE = 64

/** The rows shown: clips (not their segments), newest first, without the ones cleared. */
export function visibleJobs(jobs: Job[], clearedBefore: string | null): Job[] {
  const out: Job[] = []
  for (let i = jobs.length - 1; i >= 0; i--) {
    const j = jobs[i] as Job
    if (!j.parentId && !isCleared(j, clearedBefore)) out.push(j)
  }
  return out
}

/** The render queue: every job with its stage, live progress, and what the user can do about it. */
export function QueuePanel() {
  const jobs = useJobs((s) => s.jobs)
  const load = useJobs((s) => s.load)
  const loadRates = useJobs((s) => s.loadRates)
  const apply = useJobs((s) => s.apply)
  const compare = useJobs((s) => s.compare)
  const paused = useJobs((s) => s.paused)
  const clearedBefore = useJobs((s) => s.clearedBefore)
  const notify = useApp((s) => s.notify)
  const scroller = useRef<HTMLDivElement>(null)

  useEffect(() => {
    void load()
    void loadRates().catch(() => undefined)
    const offProgress = getBridge().on('jobs.progress', apply)
    const offBatch = getBridge().on('batch.finished', (b) =>
      notify(
        b.failed ? 'error' : 'info',
        `Batch finished: ${b.succeeded} done, ${b.failed} failed, ${b.skipped} skipped. Summary: ${b.summary}`,
      ),
    )
    return () => {
      offProgress()
      offBatch()
    }
  }, [load, loadRates, apply, notify])

  // Cancel and Retry say what they did: cancelled at fal, abandoned, collecting, submitted again.
  const act = (fn: () => Promise<{ message: string } | null>) => () =>
    void fn().then(
      (outcome) => {
        if (outcome?.message) notify('info', outcome.message)
        return load()
      },
      (err: unknown) => notify('error', err instanceof Error ? err.message : String(err)),
    )
  const visible = useMemo(() => visibleJobs(jobs, clearedBefore), [jobs, clearedBefore])
  const clearable = visible.some((j) => CLEARABLE.includes(j.status))
  const counts = useMemo(() => {
    let running = 0
    let queued = 0
    for (const j of visible)
      if (j.status === 'running') running++
      else if (j.status === 'queued') queued++
    return { running, queued }
  }, [visible])

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualiser re-renders this panel itself; nothing of it is memoised elsewhere
  const rows = useVirtualizer({
    count: visible.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_ESTIMATE,
    getItemKey: (i) => visible[i]?.id ?? i,
    overscan: 6,
    gap: 4,
  })

  async function togglePause() {
    try {
      await useJobs.getState().setPaused(!paused)
      notify(
        'info',
        paused
          ? 'Queue resumed.'
          : 'Queue paused: stages already running finish, nothing new starts until you resume.',
      )
    } catch (err) {
      notify('error', err instanceof Error ? err.message : String(err))
    }
  }

  return (
    <section className="panel queue" aria-label="Queue">
      <div className="queue-head">
        <h2>Queue</h2>
        <span className="muted" role="status">
          {paused ? 'Paused · ' : ''}
          {counts.running} running, {counts.queued} waiting
        </span>
        <span className="spacer" />
        <button
          className="ghost"
          aria-pressed={paused}
          onClick={() => void togglePause()}
          title={
            paused
              ? 'Start queued work again'
              : 'Stages already running finish; nothing new starts until you resume'
          }
        >
          {paused ? 'Resume queue' : 'Pause queue'}
        </button>
        <button
          className="ghost"
          disabled={!clearable}
          onClick={() => useJobs.getState().clearFinished()}
          title="Hides finished, cancelled and abandoned renders from this list. They stay on record, so rendering the same again still reuses them instead of paying twice."
        >
          Clear finished
        </button>
      </div>
      {visible.length === 0 && <p className="empty">Renders you start appear here.</p>}
      <div className="job-scroll" ref={scroller} data-testid="job-scroll">
        <ul
          className="job-list"
          aria-label="Renders"
          style={{ height: rows.getTotalSize(), position: 'relative' }}
        >
          {rows.getVirtualItems().map((item) => {
            const job = visible[item.index] as Job
            return (
              <li
                key={item.key}
                data-index={item.index}
                ref={rows.measureElement}
                style={{
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  right: 0,
                  transform: `translateY(${item.start}px)`,
                }}
              >
                <JobRow
                  job={job}
                  act={act}
                  onCompare={(j) => compareTake(j.id, j.spec.source, compare)}
                />
              </li>
            )
          })}
        </ul>
      </div>
    </section>
  )
}
