import { create } from 'zustand'
import type { Job, JobProgress, Stage } from '@shared/jobs'
import { NO_HISTORY, type LearnedRates } from '@shared/eta'
import { getBridge } from '../../bridge'

/**
 * "Clear finished" hides finished rows; it never removes a job from the journal. The journal is
 * what lets the render service reuse a finished render by its spec key (the money rule: nothing
 * is paid twice), and the CLI shares it. So clearing is a view preference kept here, in the
 * window: a time mark, and finished rows that ended at or before it are not listed. It survives a
 * reload; another window keeps its own view; main and the journal never see it.
 */
export const CLEARED_KEY = 'reanimate.queue.clearedBefore'

const readCleared = (): string | null => {
  try {
    return globalThis.localStorage?.getItem(CLEARED_KEY) ?? null
  } catch {
    return null
  }
}

/** Rows "Clear finished" hides: ended without anything left to do (failed ones stay, to act on). */
export const CLEARABLE: Job['status'][] = ['done', 'cancelled', 'abandoned']

export function isCleared(job: Job, clearedBefore: string | null): boolean {
  if (!clearedBefore || !CLEARABLE.includes(job.status)) return false
  return (job.finishedAt ?? job.updatedAt) <= clearedBefore
}

interface JobsState {
  jobs: Job[]
  /** Live progress by job id (stage fraction, queue position, elapsed). */
  live: Record<string, JobProgress>
  /** When each job's live progress and its current stage arrived (ms), for ticking clocks. */
  liveAt: Record<string, number>
  stageSince: Record<string, { stage: Stage; at: number }>
  /** fal's newest log line per job, for the takes lane. */
  lastLog: Record<string, string>
  /** fal's log lines that arrived since the list was read, per job. */
  newLogs: Record<string, string[]>
  paused: boolean
  /** How fast this machine and fal work, learned by main: ETAs come from it. */
  rates: LearnedRates
  clearedBefore: string | null
  /** The finished job shown in the compare view. */
  comparing?: string
  load(): Promise<void>
  loadRates(): Promise<void>
  apply(p: JobProgress): void
  compare(id: string | undefined): void
  setPaused(paused: boolean): Promise<void>
  clearFinished(now?: Date): void
}

export const useJobs = create<JobsState>((set, get) => ({
  jobs: [],
  live: {},
  liveAt: {},
  stageSince: {},
  lastLog: {},
  newLogs: {},
  paused: false,
  rates: NO_HISTORY,
  clearedBefore: readCleared(),
  async load() {
    const [jobs, state] = await Promise.all([
      getBridge().jobs.list({}),
      getBridge()
        .jobs.state({})
        .catch(() => null),
    ])
    set({ jobs, newLogs: {}, ...(state ? { paused: state.paused } : {}) })
  },
  async loadRates() {
    set({ rates: await getBridge().jobs.estimates({}) })
  },
  apply(p) {
    const now = Date.now()
    const since = get().stageSince[p.id]
    set({
      live: { ...get().live, [p.id]: p },
      liveAt: { ...get().liveAt, [p.id]: now },
      ...(since?.stage !== p.stage
        ? { stageSince: { ...get().stageSince, [p.id]: { stage: p.stage, at: now } } }
        : {}),
    })
    const log = p.newLogs?.at(-1)
    if (log) set({ lastLog: { ...get().lastLog, [p.id]: log } })
    if (p.newLogs?.length)
      set({
        newLogs: {
          ...get().newLogs,
          [p.id]: [...(get().newLogs[p.id] ?? []), ...p.newLogs.map((l) => `fal: ${l}`)],
        },
      })
    const known = get().jobs.find((j) => j.id === p.id)
    const ended = ['done', 'failed', 'cancelled', 'abandoned'].includes(p.status)
    // A finished stage taught main something: the next ETAs use it.
    if (ended || since?.stage !== p.stage)
      void get()
        .loadRates()
        .catch(() => undefined)
    // Stage and status changes come with every event; refetch the list only for new jobs or ends.
    if (!known || known.status !== p.status || ended) void get().load()
    else
      set({
        jobs: get().jobs.map((j) =>
          j.id === p.id
            ? {
                ...j,
                stage: p.stage,
                status: p.status,
                ...(p.requestId ? { requestId: p.requestId } : {}),
              }
            : j,
        ),
      })
  },
  compare(id) {
    set({ comparing: id })
  },
  async setPaused(paused) {
    const r = paused ? await getBridge().jobs.pause({}) : await getBridge().jobs.resume({})
    set({ paused: r.paused })
  },
  clearFinished(now = new Date()) {
    const mark = now.toISOString()
    try {
      globalThis.localStorage?.setItem(CLEARED_KEY, mark)
    } catch {
      // Private mode or a full storage: cleared for this session only.
    }
    set({ clearedBefore: mark })
  },
}))
