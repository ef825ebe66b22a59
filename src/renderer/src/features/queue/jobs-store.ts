import { create } from 'zustand'
import type { Job, JobProgress } from '@shared/jobs'
import { getBridge } from '../../bridge'

interface JobsState {
  jobs: Job[]
  /** Live progress by job id (stage fraction, queue position, elapsed). */
  live: Record<string, JobProgress>
  /** fal's newest log line per job, for the takes lane. */
  lastLog: Record<string, string>
  paused: boolean
  /** The finished job shown in the compare view. */
  comparing?: string
  load(): Promise<void>
  apply(p: JobProgress): void
  compare(id: string | undefined): void
}

export const useJobs = create<JobsState>((set, get) => ({
  jobs: [],
  live: {},
  lastLog: {},
  paused: false,
  async load() {
    set({ jobs: await getBridge().jobs.list({}) })
  },
  apply(p) {
    set({ live: { ...get().live, [p.id]: p } })
    const log = p.newLogs?.at(-1)
    if (log) set({ lastLog: { ...get().lastLog, [p.id]: log } })
    const known = get().jobs.find((j) => j.id === p.id)
    // Stage and status changes come with every event; refetch the list only for new jobs or ends.
    if (
      !known ||
      known.status !== p.status ||
      ['done', 'failed', 'cancelled', 'abandoned'].includes(p.status)
    )
      void get().load()
    else
      set({
        jobs: get().jobs.map((j) =>
          j.id === p.id ? { ...j, stage: p.stage, status: p.status } : j,
        ),
      })
  },
  compare(id) {
    set({ comparing: id })
  },
}))
