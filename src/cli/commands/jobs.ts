import path from 'node:path'
import { parseArgs } from 'node:util'
import { isTerminal, type Job, type JobProgress } from '../../shared/jobs'
import { cliServices, type CliServices } from '../context'
import { EXIT, exitCodeFor, fail, finish, UsageError, type Io } from '../output'
import { jobLine } from '../progress-line'
import { numberFlag } from '../render-flags'
import { requireConnection } from './run'

export const JOBS_HELP = `reanimate jobs [list | retry ID | cancel ID] [--json]

Every render of the data folder's journal: the app's, "run"'s and "batch"'s.
  list        one line per render: id, status, stage, source, request id, output or error
  retry ID    collects a submitted render from fal; submits it again only if fal says it failed
  cancel ID   cancels a request still queued at fal (nothing is billed); one already running
              there cannot be stopped and is abandoned with its request id kept
ID may be the first characters of the id. Each action says what it did.`

/**
 * Columns of `jobs list`: a header row, then one aligned row per render. A job whose process
 * stopped without finishing it (`stopped`) reads "interrupted": retry takes it up.
 */
export function jobsTable(jobs: Job[], stopped: ReadonlySet<string> = new Set()): string[] {
  const rows = jobs.map((j) => [
    j.id.slice(0, 8),
    stopped.has(j.id) ? 'interrupted' : j.status,
    j.stage,
    path.basename(j.spec.source),
    j.requestId ?? '-',
    j.status === 'done' ? j.spec.output : (j.error?.message ?? ''),
  ])
  const header = ['ID', 'STATUS', 'STAGE', 'SOURCE', 'REQUEST', 'OUTPUT / ERROR']
  const all = [header, ...rows]
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)))
  return all.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  )
}

export async function jobsCommand(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
      'poll-ms': { type: 'string' },
      // Before the shared journal a batch kept its own; the flag now imports it, once.
      state: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  })
  if (values.help) {
    io.stdout(JOBS_HELP)
    return EXIT.ok
  }
  const json = values.json
  const [action = 'list', id] = positionals
  let services: CliServices | null = null
  try {
    if (!['list', 'retry', 'cancel'].includes(action))
      throw new UsageError(`unknown jobs action "${action}": list, retry ID or cancel ID`, 'action')
    if (action !== 'list' && !id)
      throw new UsageError(`jobs ${action} needs a job ID (see "reanimate jobs list")`, 'ID')
    const pollMs = numberFlag(values['poll-ms'], 'poll-ms', true)
    services = cliServices(env, 'jobs', { concurrency: 1, ...(pollMs ? { pollMs } : {}) })
    const { render } = services
    await render.init()
    if (values.state) {
      const dir = path.resolve(values.state)
      const imported =
        (await render.journal.importLegacy(path.join(dir, '.reanimate', 'journal.json'))) +
        (await render.journal.importLegacy(path.join(dir, 'journal.json')))
      io.stderr(
        `reanimate: --state is no longer needed: every render is in the data folder's journal${imported ? ` (${imported} imported from ${dir})` : ''}`,
      )
      await render.runner.refresh()
    }
    if (action === 'list') {
      const jobs = render
        .list()
        .filter((j) => !j.parentId)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      const stopped = new Set<string>()
      for (const j of jobs)
        if (!isTerminal(j.status) && !(await render.runner.runningElsewhere(j.id)))
          stopped.add(j.id)
      if (!json) {
        if (jobs.length === 0) io.stdout('no jobs')
        else for (const line of jobsTable(jobs, stopped)) io.stdout(line)
      }
      return finish(io, json, {
        exitCode: EXIT.ok,
        jobs: jobs.map((j) => ({
          id: j.id,
          status: j.status,
          ...(stopped.has(j.id) ? { interrupted: true } : {}),
          stage: j.stage,
          source: j.spec.source,
          output: j.spec.output,
          requestId: j.requestId,
          error: j.error,
        })),
      })
    }

    const target = render.find(String(id))
    // Cancelling a request at fal needs the connection as much as collecting one does.
    if (target.requestId) await requireConnection(services)
    if (action === 'cancel') {
      const outcome = await render.cancel(target.id)
      if (outcome) io.stderr(`reanimate: ${outcome.message}`)
      return finish(io, json, {
        exitCode: EXIT.ok,
        action: outcome?.action,
        message: outcome?.message,
        job: { id: target.id, status: outcome?.job.status, requestId: outcome?.job.requestId },
      })
    }

    await requireConnection(services)
    let last = ''
    services.bus.subscribe((name, payload) => {
      if (name !== 'jobs.progress' || (payload as JobProgress).id !== target.id) return
      // One line per change, not one per status poll.
      const line = jobLine(payload as JobProgress)
      if (line.replace(/elapsed \S+/, '') !== last.replace(/elapsed \S+/, '')) io.stderr(line)
      last = line
    })
    const outcome = await render.retry(target.id)
    if (outcome) io.stderr(`reanimate: ${outcome.message}`)
    if (outcome?.action === 'collecting' || outcome?.action === 'restarted')
      await render.waitFor([target.id])
    const job = render.get(target.id)
    if (job?.status !== 'done') {
      if (outcome?.action === 'already-running')
        return finish(io, json, {
          exitCode: EXIT.ok,
          action: outcome.action,
          message: outcome.message,
        })
      const error = job?.error ?? {
        code: 'internal' as const,
        message: `the job ended as ${job?.status ?? 'unknown'}`,
      }
      return finish(io, json, {
        exitCode: exitCodeFor(error) === EXIT.usage ? EXIT.usage : EXIT.failed,
        action: outcome?.action,
        error,
      })
    }
    if (!json) io.stdout(job.spec.output)
    return finish(io, json, {
      exitCode: EXIT.ok,
      action: outcome?.action,
      message: outcome?.message,
      output: job.spec.output,
      requestId: job.requestId,
      previousRequestIds: job.previousRequestIds ?? [],
    })
  } catch (err) {
    return fail(io, json, err)
  } finally {
    await services?.render.close()
  }
}
