import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { AppError } from '../../shared/errors'
import { defaultOutputFor } from '../../main/render/naming'
import { fileIdentity } from '../../main/media/identity'
import { specKey } from '../../main/jobs/spec-key'
import { jobLine, jobSession } from '../job-session'
import { cliServices } from '../context'
import { EXIT, exitCodeFor, fail, finish, UsageError, type Io } from '../output'
import {
  fpsFlag,
  maxSideFlag,
  numberFlag,
  RENDER_OPTIONS,
  renderParamsFromFlags,
} from '../render-flags'

export const RUN_HELP = `reanimate run FILE --prompt TEXT [options]

Restyles one clip on fal: prepare → upload (cached) → submit → wait → download → finish with the
source's audio and the parameters embedded. Progress goes to stderr.

  --prompt TEXT            what the result should look like (required)
  --negative-prompt TEXT   what to avoid
  --steps N                inference steps (turbo 4-12, default 8)
  --guidance X             guidance scale (turbo 1-2.5, default 2.2)
  --lora URL[@SCALE]       a LoRA, repeatable (scale 0-2, default 1)
  --seed N                 fixed seed for repeatable results
  --nth N                  use every Nth frame (default 2; output fps = source fps / N)
  --base-model NAME        fal-ai/animatediff-v2v only
  --start SEC, --end SEC   the range to render
  --endpoint ID            fal-ai/animatediff-v2v/turbo (default) | fal-ai/animatediff-v2v
  --max-side PX            longest side sent to fal (default 768, or "original")
  --fps result|source      keep fal's frame rate (default) or convert to the source's
  --out FILE               default: <source>.reanimate.mp4 beside the source, never overwriting
  --overwrite              allow --out to replace an existing file
  --json                   last stdout line is one JSON object

Needs FAL_KEY, or FAL_PROXY_URL pointing at a proxy that holds the key. Ctrl-C cancels a queued
request; a running one keeps running at fal and the same command collects it later.`

export async function runCommand(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...RENDER_OPTIONS,
      start: { type: 'string' },
      end: { type: 'string' },
      out: { type: 'string', short: 'o' },
      overwrite: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  })
  if (values.help) {
    io.stdout(RUN_HELP)
    return EXIT.ok
  }
  const json = values.json
  const services = cliServices(env)
  try {
    // Everything below up to renderClip is local: bad usage never costs a network call.
    if (positionals.length !== 1) throw new UsageError('run takes exactly one FILE', 'FILE')
    const source = path.resolve(String(positionals[0]))
    const { endpoint, params } = renderParamsFromFlags(values)
    const fps = fpsFlag(values.fps)
    const maxSide = maxSideFlag(values['max-side'], services.settings.get().prepareMaxSide)
    const startSec = numberFlag(values.start, 'start') ?? 0
    const endSec = numberFlag(values.end, 'end')

    let output: string
    if (values.out) {
      output = path.resolve(values.out)
      if (output === source)
        throw new AppError('invalid-params', '--out must not be the source file', {
          field: 'out',
          file: output,
        })
      if (fs.existsSync(output) && !values.overwrite) {
        throw new AppError(
          'output-exists',
          `${output} exists. Choose another --out or pass --overwrite.`,
          { field: 'out', file: output },
        )
      }
    } else {
      output = defaultOutputFor(source, (p) => fs.existsSync(p))
    }
    const conn = await services.falConnection()
    if (!conn.key && !conn.proxyUrl) {
      throw new AppError(
        'key-missing',
        'No fal key: set FAL_KEY (get one at https://fal.ai/dashboard/keys), or FAL_PROXY_URL for a proxy that holds it.',
        { field: 'FAL_KEY' },
      )
    }
    // Reads the source now so a corrupt file is a usage error (exit 2), before any upload.
    await services.media.probe(source)

    let lastLine = ''
    const pollMs = numberFlag(values['poll-ms'], 'poll-ms', true)
    const runner = jobSession(services, conn, {
      stateDir: services.dataDir,
      concurrency: 1,
      ...(pollMs ? { pollMs } : {}),
      onProgress: (p) => {
        for (const l of p.newLogs ?? []) io.stderr(`  fal: ${l}`)
        const line = jobLine(p)
        if (line.replace(/elapsed \S+/, '') !== lastLine.replace(/elapsed \S+/, '')) io.stderr(line)
        lastLine = line
      },
    })
    // Only this render runs; other unfinished jobs in the journal wait for `reanimate jobs retry`.
    await runner.init({ resume: false })
    const range = { startSec, ...(endSec !== undefined ? { endSec } : {}) }
    const base = { source, range, endpoint, params, maxSide, fps }
    const key = specKey(base, await fileIdentity(source))
    // The same render submitted before and never collected (crash, Ctrl-C while running at fal):
    // collect it instead of paying again.
    const earlier = runner
      .list()
      .find((j) => j.spec.key === key && !j.parentId && !['done', 'cancelled'].includes(j.status))
    let jobId: string
    if (earlier) {
      jobId = earlier.id
      if (earlier.status === 'queued' || earlier.status === 'running') runner.start(jobId)
      else await runner.retry(jobId)
    } else {
      jobId = (await runner.add({ ...base, output, key })).id
    }
    const onSigint = () => {
      io.stderr('reanimate: stopping…')
      void runner.cancel(jobId)
    }
    process.once('SIGINT', onSigint)
    try {
      await runner.whenIdle()
    } finally {
      process.removeListener('SIGINT', onSigint)
    }
    const job = runner.get(jobId)
    if (!job || job.status !== 'done') {
      const error = job?.error ?? {
        code: 'internal' as const,
        message: `the render ended as ${job?.status ?? 'unknown'}`,
      }
      const cancelled = job?.status === 'cancelled' || job?.status === 'abandoned'
      return finish(io, json, {
        exitCode: cancelled ? EXIT.failed : exitCodeFor(error),
        error,
        ...(job?.requestId ? { requestId: job.requestId } : {}),
      })
    }
    const result = await services.media.probe(job.spec.output)
    if (!json) io.stdout(job.spec.output)
    return finish(io, json, {
      exitCode: EXIT.ok,
      output: job.spec.output,
      sidecar: `${job.spec.output}.json`,
      requestId: job.requestId,
      seed: job.seed,
      uploadCached: Boolean(job.uploadCached),
      reattached: Boolean(earlier?.requestId),
      resultFps: result.fpsNominal,
      jobId,
    })
  } catch (err) {
    return fail(io, json, err)
  }
}
