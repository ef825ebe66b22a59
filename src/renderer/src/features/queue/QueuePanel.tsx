import { useEffect } from 'react'
import { getBridge } from '../../bridge'
import { useApp } from '../../stores/app-store'
import { useJobs } from './jobs-store'
import { OutputLocation } from './OutputLocation'
import { useProject } from '../project/project-store'
import { useTimeline } from '../timeline/timeline-store'

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

const clock = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`
const name = (p: string) => p.split(/[\\/]/).pop() ?? p

/** The render queue: every job with its stage, live progress, and what the user can do about it. */
export function QueuePanel() {
  const { jobs, live, load, apply, compare } = useJobs()
  const notify = useApp((s) => s.notify)

  useEffect(() => {
    void load()
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
  }, [load, apply, notify])

  // Cancel and Retry say what they did: cancelled at fal, abandoned, collecting, submitted again.
  const act = (fn: () => Promise<{ message: string } | null>) => () =>
    void fn().then(
      (outcome) => {
        if (outcome?.message) notify('info', outcome.message)
        return load()
      },
      (err: unknown) => notify('error', err instanceof Error ? err.message : String(err)),
    )
  const visible = jobs
    .filter((j) => !j.parentId)
    .slice(-50)
    .reverse()

  return (
    <section className="panel queue" aria-label="Queue">
      <h2>Queue</h2>
      {visible.length === 0 && <p className="empty">Renders you start appear here.</p>}
      <ul className="job-list">
        {visible.map((job) => {
          const p = live[job.id]
          const detail =
            job.status === 'running' && p
              ? [
                  p.stage,
                  p.fraction !== undefined ? `${Math.round(p.fraction * 100)}%` : '',
                  p.queuePosition !== undefined ? `queued at fal, position ${p.queuePosition}` : '',
                  `elapsed ${clock(p.elapsedSec)}`,
                ]
                  .filter(Boolean)
                  .join(' · ')
              : job.status
          return (
            <li key={job.id} className={`job ${job.status}`} data-testid="job">
              <span className="job-name" title={job.spec.source}>
                {name(job.spec.source)} — {job.spec.params.prompt}
              </span>
              <span className="muted" data-testid="job-status">
                {detail}
              </span>
              {job.error && <span className="error">{job.error.message}</span>}
              <span className="row">
                {(job.status === 'queued' || job.status === 'running') && (
                  <button
                    className="ghost"
                    onClick={act(() => getBridge().jobs.cancel({ id: job.id }))}
                    title="Cancels at fal while queued there; a running render is abandoned (its result can still be collected)"
                  >
                    Cancel
                  </button>
                )}
                {['failed', 'cancelled', 'abandoned'].includes(job.status) && (
                  <button onClick={act(() => getBridge().jobs.retry({ id: job.id }))}>Retry</button>
                )}
                {job.status === 'done' && (
                  <>
                    <button onClick={() => compareTake(job.id, job.spec.source, compare)}>
                      Compare
                    </button>
                    <OutputLocation id={job.id} output={job.spec.output} />
                  </>
                )}
              </span>
            </li>
          )
        })}
      </ul>
    </section>
  )
}
