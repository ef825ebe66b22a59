import type { Job, Stage } from '../../shared/jobs'

/**
 * Steps that run in this process, whose progress a quit throws away. `submit` counts: a send to
 * fal cut off mid-way is not sent again by itself (that could pay twice), it waits for Retry.
 */
const LOCAL_STAGES: ReadonlySet<Stage> = new Set([
  'prepare',
  'upload',
  'submit',
  'download',
  'finish',
])

export interface QuitPlan {
  /** Ask before quitting: some render has a local step under way. */
  ask: boolean
  /** Renders with a local step under way here. */
  local: number
  /** Renders waiting at fal only: the next launch collects them. */
  atFal: number
  /** Renders queued here that have not started: the next launch starts them. */
  queued: number
  /** What to tell the user (empty when there is nothing to say). */
  message: string
  detail: string
}

const renders = (n: number) => (n === 1 ? '1 render' : `${n} renders`)

/**
 * What quitting now would do to this process's renders. A render (a clip, with its segments) is
 * local if any part of it is preparing, uploading, sending, downloading or finishing here; at fal
 * if its parts here only wait for fal. Jobs of other processes (the CLI) are not ours to stop.
 */
export function quitPlan(jobs: readonly Job[], activeHere: (id: string) => boolean): QuitPlan {
  const local = new Set<string>()
  const atFal = new Set<string>()
  const queued = new Set<string>()
  for (const job of jobs) {
    if (!activeHere(job.id)) continue
    const render = job.parentId ?? job.id
    if (job.status === 'running' && LOCAL_STAGES.has(job.stage)) local.add(render)
    else if (job.status === 'running' && job.stage === 'wait') atFal.add(render)
    else if (job.status === 'queued') queued.add(render)
  }
  for (const id of local) {
    atFal.delete(id)
    queued.delete(id)
  }
  for (const id of atFal) queued.delete(id)

  const later: string[] = []
  if (atFal.size)
    later.push(
      `${renders(atFal.size)} at fal ${atFal.size === 1 ? 'is' : 'are'} collected the next time you open Reanimate; nothing is paid twice.`,
    )
  if (queued.size)
    later.push(
      `${renders(queued.size)} waiting in the queue ${queued.size === 1 ? 'starts' : 'start'} the next time you open Reanimate.`,
    )
  const message = local.size
    ? `${renders(local.size)} ${local.size === 1 ? 'is' : 'are'} being prepared, uploaded or saved on this computer. Quit anyway?`
    : later.length
      ? 'Renders continue the next time you open Reanimate.'
      : ''
  const detail = [
    ...(local.size
      ? [
          'Quitting stops that step: it starts over the next time you open Reanimate (a render cut off while being sent to fal waits for your Retry).',
        ]
      : []),
    ...later,
  ].join(' ')
  return {
    ask: local.size > 0,
    local: local.size,
    atFal: atFal.size,
    queued: queued.size,
    message,
    detail,
  }
}
