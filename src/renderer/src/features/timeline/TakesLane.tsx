import type { ClipDoc } from '@shared/project/clip'
import { Poster } from '../player/Poster'
import { useJobs } from '../queue/jobs-store'
import { useTimeline } from './timeline-store'
import { takeState } from './take-state'

/**
 * Each render of the clip over the range it covers, newest on top: live while it renders (stage,
 * fal's queue and logs, per segment), with a thumbnail once done. Clicking one compares it.
 */
export function TakesLane(props: { clip: ClipDoc; x: (t: number) => number; pxPerSec: number }) {
  const { clip, x, pxPerSec } = props
  const jobs = useJobs((s) => s.jobs)
  const live = useJobs((s) => s.live)
  const lastLog = useJobs((s) => s.lastLog)
  const shown = useTimeline((s) => (s.view === 'source' ? null : s.take))
  const takes = [...clip.takes].reverse().slice(0, 3)
  if (!takes.length) return null
  return (
    <div className="takes" aria-label="Takes">
      {takes.map((take, row) => {
        const job = jobs.find((j) => j.id === take.jobId)
        const range = job?.spec.range ?? { startSec: clip.in, endSec: clip.out }
        const end = range.endSec ?? clip.out
        const parts = jobs
          .filter((j) => j.parentId === take.jobId)
          .sort((a, b) => (a.segmentIndex ?? 0) - (b.segmentIndex ?? 0))
        const state =
          parts.length && job && job.status === 'running'
            ? parts
                .map((p, i) => `${i + 1}: ${takeState(p, live[p.id], lastLog[p.id])}`)
                .join(' · ')
            : takeState(job, job ? live[job.id] : undefined, job ? lastLog[job.id] : undefined)
        const n = clip.takes.indexOf(take) + 1
        return (
          <button
            key={take.jobId}
            className={`take ${job?.status ?? 'gone'}${shown === take.jobId ? ' shown' : ''}`}
            style={{
              left: x(range.startSec),
              width: Math.max(24, (end - range.startSec) * pxPerSec),
              top: row * 34,
            }}
            onClick={() =>
              job?.status === 'done' && useTimeline.setState({ take: take.jobId, view: 'side' })
            }
            data-testid="take"
            title={`Take ${n}: ${state}`}
          >
            {job?.status === 'done' && <Poster path={take.output} />}
            <span className="take-label">
              Take {n} · {state}
            </span>
          </button>
        )
      })}
    </div>
  )
}
