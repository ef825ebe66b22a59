import { useEffect, useState } from 'react'
import { aboutText } from '@shared/eta'
import type { ErrorInfo } from '@shared/errors'
import type { Job, JobProgress, Stage } from '@shared/jobs'
import type { ParamsDraft } from '@shared/project/clip'
import { getBridge } from '../../bridge'
import { useApp } from '../../stores/app-store'
import { useProject } from '../project/project-store'
import { jobEtaSec } from './job-eta'
import { useJobs } from './jobs-store'
import { OutputLocation } from './OutputLocation'
import { jobStateWords, queueText, STAGE_WORDS, WAITING_WORDS } from './queue-text'

export const fileName = (p: string) => p.split(/[\\/]/).pop() ?? p
export const clock = (s: number) =>
  `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err))

/** The stages a user sees, in order (submit is part of sending to fal, done is the end). */
const SHOWN: Stage[] = ['prepare', 'upload', 'submit', 'wait', 'download', 'finish']

/**
 * The parameters of a take as they were sent, under fal's names as the editor keeps them. The seed
 * only if it was sent: a seed fal chose, written into the clip, would make the next Render a new
 * request, paid again for the same picture; left out, that Render collects this take.
 */
export function takeSettings(job: Job): ParamsDraft {
  const p = job.spec.params
  const seed = p.seed
  return {
    prompt: p.prompt,
    ...(p.negative_prompt !== undefined ? { negative_prompt: p.negative_prompt } : {}),
    ...(p.num_inference_steps !== undefined ? { num_inference_steps: p.num_inference_steps } : {}),
    ...(p.guidance_scale !== undefined ? { guidance_scale: p.guidance_scale } : {}),
    ...(p.select_every_nth_frame !== undefined
      ? { select_every_nth_frame: p.select_every_nth_frame }
      : {}),
    ...(p.loras.length ? { loras: p.loras.map((l) => ({ path: l.path, scale: l.scale })) } : {}),
    ...(p.base_model ? { base_model: p.base_model } : {}),
    ...(seed !== undefined ? { seed } : {}),
  }
}

/** The hover text of a row: what was asked, in the inspector's words. */
export function settingsText(job: Job): string {
  const s = takeSettings(job)
  return [
    `Prompt: ${s.prompt ?? ''}`,
    s.negative_prompt ? `Negative prompt: ${s.negative_prompt}` : '',
    s.num_inference_steps !== undefined ? `Steps: ${s.num_inference_steps}` : '',
    s.guidance_scale !== undefined ? `Guidance: ${s.guidance_scale}` : '',
    s.select_every_nth_frame !== undefined
      ? `Use every Nth frame: ${s.select_every_nth_frame}`
      : '',
    ...(s.loras ?? []).map((l) => `LoRA: ${fileName(l.path)} × ${l.scale ?? 1}`),
    s.base_model ? `Base model: ${s.base_model}` : '',
    `Seed: ${s.seed ?? (job.seed !== undefined ? `${job.seed} (chosen by fal)` : 'chosen by fal')}`,
  ]
    .filter(Boolean)
    .join('\n')
}

/** What to do about a failure, in plain words, by what went wrong. */
export function nextStep(error: ErrorInfo | undefined): string {
  switch (error?.code) {
    case 'key-missing':
    case 'key-rejected':
      return 'Add or fix your fal key in Settings, then press Retry.'
    case 'not-found':
      return 'Put the file back where it was (or locate it in the library), then press Retry.'
    case 'network':
    case 'fal-server':
    case 'fal-rate-limited':
      return 'Check your connection, wait a moment, then press Retry.'
    case 'invalid-input':
    case 'fal-validation':
    case 'invalid-params':
      return 'Fix the clip or its parameters in the inspector, then render again.'
    case 'ffmpeg-missing':
      return 'Set up ffmpeg in Settings, then press Retry.'
    default:
      return 'Retry tries again from where it stopped; anything fal already rendered is collected, not paid for again.'
  }
}

export const ABANDON_CONFIRM =
  'Abandon this render? Reanimate stops following it. fal may still finish it and charge for it, and the result will not be collected (Retry can still collect it later, without paying again). Abandon it?'

/** Ticks every second while mounted and `on`. */
function useNow(on: boolean): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (!on) return
    const t = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(t)
  }, [on])
  return now
}

/** A segmented clip's progress is its segments': the first one not finished yet. */
function progressOf(job: Job, jobs: Job[], live: Record<string, JobProgress>) {
  if (!job.segmentCount || job.status !== 'queued') return { job, live: live[job.id] }
  const kids = jobs
    .filter((j) => j.parentId === job.id)
    .sort((a, b) => (a.segmentIndex ?? 0) - (b.segmentIndex ?? 0))
  const current = kids.find((k) => k.status !== 'done')
  if (!current) return { job, live: live[job.id] }
  return { job: current, live: live[current.id], segment: (current.segmentIndex ?? 0) + 1 }
}

/** The per-stage bar: one segment per stage, the current one filled by its fraction. */
function StageBar(props: { stage: Stage; fraction?: number; label: string; text: string }) {
  const at = SHOWN.indexOf(props.stage)
  return (
    <div
      className="stage-bar"
      role="progressbar"
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={100}
      {...(props.fraction !== undefined
        ? { 'aria-valuenow': Math.round(props.fraction * 100) }
        : {})}
      aria-valuetext={props.text}
    >
      {SHOWN.map((s, i) => (
        <span
          key={s}
          aria-hidden="true"
          title={STAGE_WORDS[s]}
          className={`seg${i < at ? ' done' : ''}${i === at ? ' now' : ''}${i === at && props.fraction === undefined ? ' busy' : ''}`}
        >
          {i === at && props.fraction !== undefined && (
            <span className="fill" style={{ width: `${Math.round(props.fraction * 100)}%` }} />
          )}
        </span>
      ))}
    </div>
  )
}

/** A finished render's first frame, made by main from the output it recorded. */
function Thumbnail({ output }: { output: string }) {
  const [url, setUrl] = useState<string>()
  useEffect(() => {
    let live = true
    getBridge()
      .media.poster({ path: output, atSec: 0, height: 72 })
      .then(
        (r) => live && setUrl(r.url),
        () => undefined,
      )
    return () => {
      live = false
    }
  }, [output])
  return url ? (
    <img className="job-thumb" src={url} alt={`First frame of ${fileName(output)}`} />
  ) : (
    <span className="job-thumb" aria-hidden="true" />
  )
}

export interface JobRowProps {
  job: Job
  /** Cancel, Retry, Abandon: run, then say what happened and read the list again. */
  act: (fn: () => Promise<{ message: string } | null>) => () => void
  onCompare: (job: Job) => void
}

export function JobRow({ job, act, onCompare }: JobRowProps) {
  const jobs = useJobs((s) => s.jobs)
  const liveAll = useJobs((s) => s.live)
  const liveAt = useJobs((s) => s.liveAt)
  const stageSince = useJobs((s) => s.stageSince)
  const rates = useJobs((s) => s.rates)
  const newLogs = useJobs((s) => s.newLogs[job.id])
  const probe = useApp((s) => s.clips.find((c) => c.path === job.spec.source)?.probe)
  const notify = useApp((s) => s.notify)
  const [logsOpen, setLogsOpen] = useState(false)
  const active = job.status === 'running' || job.status === 'queued'
  const now = useNow(job.status === 'running')

  const name = fileName(job.spec.source)
  const shown = progressOf(job, jobs, liveAll)
  const p = shown.live
  const stage = p?.stage ?? shown.job.stage
  const atFal = p?.stage === 'wait' && p.queuePosition !== undefined
  /** Not started by this app yet (the queue is paused, or busy with other clips). */
  const waiting = job.status === 'queued' && !shown.segment
  const eta = active ? jobEtaSec(shown.job, rates, now, p, stageSince[shown.job.id], probe) : null
  // `now` is the row's last tick, which an event can be newer than: never below what main said.
  const elapsed =
    p && shown.job.status === 'running'
      ? p.elapsedSec + Math.max(0, now - (liveAt[shown.job.id] ?? now)) / 1000
      : job.startedAt && job.status === 'running'
        ? Math.max(0, now - Date.parse(job.startedAt)) / 1000
        : null
  const logs = [...job.logs.map((l) => l.replace(/^\S+Z /, '')), ...(newLogs ?? [])]

  const stageText = [
    shown.segment ? `Segment ${shown.segment} of ${job.segmentCount}: ` : '',
    atFal ? `Waiting: ${queueText(p.queuePosition ?? 0)}` : STAGE_WORDS[stage],
    p?.fraction !== undefined ? ` · ${Math.round(p.fraction * 100)}%` : '',
  ].join('')

  async function open() {
    try {
      if ((await getBridge().jobs.open({ id: job.id })).opened) return
      // No OS here (reanimate ui): the browser plays it from main's playback URL.
      const { url } = await getBridge().media.playbackUrl({ path: job.spec.output })
      window.open(url, '_blank', 'noopener')
    } catch (err) {
      notify('error', errorText(err))
    }
  }

  function applySettings() {
    const clip = useProject.getState().clips.find((c) => c.path === job.spec.source)
    if (!clip) {
      notify('error', `${name} is not in the project any more: add it again to use these settings.`)
      return
    }
    useProject.getState().applyTakeSettings(clip.id, job.spec.endpoint, takeSettings(job))
    useApp.getState().select(job.spec.source)
    const sent = takeSettings(job).seed
    const chosen =
      sent === undefined && job.seed !== undefined
        ? ` fal chose its seed (${job.seed}): Render collects this take; type ${job.seed} into Seed to vary it with the same seed.`
        : ''
    notify(
      'info',
      `${name} now has this take's settings${sent !== undefined ? ` and seed ${sent}` : ''}.${chosen} Undo puts the previous ones back.`,
    )
  }

  function abandon() {
    if (!window.confirm(ABANDON_CONFIRM)) return
    act(() => getBridge().jobs.abandon({ id: job.id }))()
  }

  return (
    <div
      className={`job ${job.status}`}
      data-testid="job"
      role="group"
      aria-label={`${name}: ${job.status}`}
    >
      {job.status === 'done' && <Thumbnail output={job.spec.output} />}
      <div className="job-main">
        <span className="job-line">
          <span className="job-name" title={settingsText(job)}>
            {name} — {job.spec.params.prompt}
          </span>
          {active && (
            <StageBar
              stage={stage}
              {...(p?.fraction !== undefined ? { fraction: p.fraction } : {})}
              label={`${name}: ${waiting ? 'waiting to start' : STAGE_WORDS[stage]}`}
              text={stageText}
            />
          )}
        </span>
        {active && (
          <span className="job-line">
            <span className="muted" data-testid="job-status">
              {waiting ? WAITING_WORDS : stageText}
              {elapsed !== null ? ` · elapsed ${clock(elapsed)}` : ''}
              {eta !== null ? ` · ${aboutText(eta)} ${waiting ? 'once it starts' : 'left'}` : ''}
            </span>
          </span>
        )}
        {!active && (
          <span className="job-line">
            <span className="muted" data-testid="job-status">
              {jobStateWords(job.status, stage)}
              {job.status === 'done' && job.seed !== undefined ? ` · seed ${job.seed}` : ''}
            </span>
          </span>
        )}
        {job.status === 'done' && <OutputLocation id={job.id} output={job.spec.output} />}
        {job.status === 'failed' && (
          <span className="error" role="note">
            {job.error?.message ?? 'It stopped without saying why.'} {nextStep(job.error)}
          </span>
        )}
        {job.status === 'abandoned' && job.error && (
          <span className="muted">{job.error.message}</span>
        )}
      </div>
      <span className="row job-actions">
        <button
          className="ghost"
          aria-expanded={logsOpen}
          onClick={() => {
            // The journal's copy has Reanimate's own notes too (submitted, uploaded...).
            if (!logsOpen) void useJobs.getState().load()
            setLogsOpen(!logsOpen)
          }}
          title="fal's step logs and Reanimate's notes for this render"
        >
          {logsOpen ? 'Hide log' : `Log (${logs.length})`}
        </button>
        {active && (
          <button
            className="ghost"
            onClick={act(() => getBridge().jobs.cancel({ id: job.id }))}
            title="Cancels at fal while queued there; a render fal is already running is abandoned (Retry can still collect it)"
          >
            Cancel
          </button>
        )}
        {job.status === 'running' && job.requestId && (
          <button className="ghost" onClick={abandon} title={ABANDON_CONFIRM}>
            Abandon
          </button>
        )}
        {['failed', 'cancelled', 'abandoned'].includes(job.status) && (
          <button onClick={act(() => getBridge().jobs.retry({ id: job.id }))}>Retry</button>
        )}
        {job.status === 'done' && (
          <>
            <button onClick={() => void open()}>Open</button>
            <button onClick={() => onCompare(job)}>Compare</button>
            <button onClick={applySettings} title={settingsText(job)}>
              Use these settings
            </button>
          </>
        )}
      </span>
      {logsOpen && (
        <pre className="job-logs" role="log" aria-label={`fal's log for ${name}`}>
          {logs.length ? logs.join('\n') : 'No log lines yet.'}
        </pre>
      )}
    </div>
  )
}
