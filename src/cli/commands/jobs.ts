import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { AppError } from '../../shared/errors'
import { cliServices } from '../context'
import { jobLine, jobSession } from '../job-session'
import { EXIT, exitCodeFor, fail, finish, UsageError, type Io } from '../output'

export const JOBS_HELP = `reanimate jobs [list | retry ID | cancel ID] [--state DIR] [--json]

Lists the jobs in the journal (the data folder's, for "run"; --state <out-dir> for a batch),
retries one (a submitted one is collected, never submitted again), or cancels one (a request
still queued at fal is cancelled there; a running one cannot be stopped and is abandoned).`

export async function jobsCommand(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      state: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
      'poll-ms': { type: 'string' },
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
  const services = cliServices(env)
  try {
    if (!['list', 'retry', 'cancel'].includes(action))
      throw new UsageError(`unknown jobs action "${action}": list, retry ID or cancel ID`, 'action')
    if (action !== 'list' && !id)
      throw new UsageError(`jobs ${action} needs a job ID (see "reanimate jobs list")`, 'ID')
    let stateDir = services.dataDir
    if (values.state) {
      const s = path.resolve(values.state)
      stateDir = fs.existsSync(path.join(s, '.reanimate', 'journal.json'))
        ? path.join(s, '.reanimate')
        : s
    }
    const conn = await services.falConnection()
    const runner = jobSession(services, conn, {
      stateDir,
      workDir: path.join(stateDir, 'work'),
      concurrency: 1,
      ...(values['poll-ms'] ? { pollMs: Number(values['poll-ms']) } : {}),
      onProgress: (p) => io.stderr(jobLine(p)),
    })
    await runner.init({ resume: false })
    if (action === 'list') {
      const jobs = runner.list()
      if (!json) {
        for (const j of jobs) {
          io.stdout(
            `${j.id}  ${j.status.padEnd(9)} ${j.stage.padEnd(8)} ${path.basename(j.spec.source)}  ${j.requestId ?? '-'}  ${j.error?.message ?? ''}`.trimEnd(),
          )
        }
        if (jobs.length === 0) io.stdout('no jobs')
      }
      return finish(io, json, {
        exitCode: EXIT.ok,
        jobs: jobs.map((j) => ({
          id: j.id,
          status: j.status,
          stage: j.stage,
          source: j.spec.source,
          output: j.spec.output,
          requestId: j.requestId,
          error: j.error,
        })),
      })
    }
    const match = runner.list().filter((j) => j.id === id || j.id.startsWith(String(id)))
    if (match.length !== 1)
      throw new AppError(
        'not-found',
        match.length ? `"${id}" matches several jobs; give more of the ID` : `no job "${id}"`,
        { field: 'ID' },
      )
    const jobId = match[0]?.id as string
    if (action === 'cancel') {
      const job = await runner.cancel(jobId)
      return finish(io, json, { exitCode: EXIT.ok, job: { id: jobId, status: job?.status } })
    }
    if (!conn.key && !conn.proxyUrl)
      throw new AppError(
        'key-missing',
        'No fal key: set FAL_KEY, or FAL_PROXY_URL for a proxy that holds it.',
        { field: 'FAL_KEY' },
      )
    const before = runner.get(jobId)
    if (before?.status === 'queued' || before?.status === 'running') runner.start(jobId)
    else await runner.retry(jobId)
    await runner.whenIdle()
    const job = runner.get(jobId)
    if (job?.status !== 'done') {
      const error = job?.error ?? {
        code: 'internal' as const,
        message: `the job ended as ${job?.status ?? 'unknown'}`,
      }
      return finish(io, json, {
        exitCode: exitCodeFor(error) === EXIT.usage ? EXIT.usage : EXIT.failed,
        error,
      })
    }
    if (!json) io.stdout(job.spec.output)
    return finish(io, json, {
      exitCode: EXIT.ok,
      output: job.spec.output,
      requestId: job.requestId,
    })
  } catch (err) {
    return fail(io, json, err)
  }
}
