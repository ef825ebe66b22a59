import path from 'node:path'
import { parseArgs } from 'node:util'
import { AppError } from '../../shared/errors'
import type { JobProgress } from '../../shared/jobs'
import { cliServices, type CliServices } from '../context'
import { EXIT, exitCodeFor, fail, finish, UsageError, type Io } from '../output'
import { jobLine } from '../progress-line'
import {
  fpsFlag,
  maxSideFlag,
  numberFlag,
  RENDER_OPTIONS,
  rawParamsFromFlags,
  segmentFlags,
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
  --segment FROM-TO:TEXT   a part of the range with its own prompt, repeatable, in order and
                           covering the range (e.g. --segment 0-2:"ink" --segment 2-4:"oil")
  --crossfade FRAMES       blend each --segment border over FRAMES result frames (0-16, default 0:
                           a hard cut), rendered as overlap so the timing stays the source's
  --endpoint ID            fal-ai/animatediff-v2v/turbo (default) | fal-ai/animatediff-v2v
  --max-side PX            longest side sent to fal (default 768, or "original")
  --fps result|source      keep fal's frame rate (default) or convert to the source's
  --out FILE               default: <source>.reanimate.mp4 beside the source, never overwriting
  --overwrite              allow --out to replace an existing file
  --again                  a new take, even if this exact render exists
  --json                   last stdout line is one JSON object

Never pays twice: the same clip, range and parameters again collect the earlier render (done,
at fal, or being made by another reanimate process) instead of submitting it; --again makes a new
take. Needs FAL_KEY, or FAL_PROXY_URL pointing at a proxy that holds the key. Ctrl-C (exit 130)
cancels a request still queued at fal; a running one keeps running and the same command collects it.`

export async function runCommand(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...RENDER_OPTIONS,
      start: { type: 'string' },
      end: { type: 'string' },
      segment: { type: 'string', multiple: true },
      crossfade: { type: 'string' },
      out: { type: 'string', short: 'o' },
      overwrite: { type: 'boolean', default: false },
      again: { type: 'boolean', default: false },
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
  const pollMs = numberFlag(values['poll-ms'], 'poll-ms', true)
  const services = cliServices(env, 'run', { concurrency: 1, ...(pollMs ? { pollMs } : {}) })
  const { render } = services
  try {
    // Everything up to render.start is local: bad usage never costs a network call.
    if (positionals.length !== 1) throw new UsageError('run takes exactly one FILE', 'FILE')
    const source = path.resolve(String(positionals[0]))
    const { endpoint, raw } = rawParamsFromFlags(values)
    const fps = fpsFlag(values.fps)
    const maxSide = maxSideFlag(values['max-side'], services.settings.get().prepareMaxSide)
    const startSec = numberFlag(values.start, 'start') ?? 0
    const endSec = numberFlag(values.end, 'end')
    const segments = segmentFlags(values.segment, raw as Record<string, unknown>)
    const crossfadeFrames = numberFlag(values.crossfade, 'crossfade', true)
    if (crossfadeFrames && (segments?.length ?? 0) < 2)
      throw new UsageError(
        '--crossfade blends the borders between segments: give two or more --segment',
        'crossfade',
      )
    await requireConnection(services)
    // Reads the source now so a corrupt file is a usage error (exit 2), before any upload.
    await services.media.probe(source)

    let lastLine = ''
    let jobId = ''
    services.bus.subscribe((name, payload) => {
      if (name !== 'jobs.progress') return
      const p = payload as JobProgress
      if (p.id !== jobId) return
      for (const l of p.newLogs ?? []) io.stderr(`  fal: ${l}`)
      const line = jobLine(p)
      if (line.replace(/elapsed \S+/, '') !== lastLine.replace(/elapsed \S+/, '')) io.stderr(line)
      lastLine = line
    })
    const request = {
      source,
      range: { startSec, ...(endSec !== undefined ? { endSec } : {}) },
      endpoint,
      params: raw,
      ...(segments ? { segments } : {}),
      ...(crossfadeFrames ? { crossfadeFrames } : {}),
      maxSide,
      fps,
      ...(values.out ? { output: values.out } : {}),
      overwrite: values.overwrite,
      again: values.again,
      names: 'flag' as const,
      resolveLocal: (p: string) => path.resolve(p),
    }
    let started = await render.start(request)
    jobId = started.job.id
    if (started.message) io.stderr(`reanimate: ${started.message}`)

    let interrupted = false
    let cancelling: Promise<{ message: string } | undefined> = Promise.resolve(undefined)
    let stopWaiting: () => void = () => undefined
    const stopped = new Promise<void>((resolve) => (stopWaiting = resolve))
    const onSigint = () => {
      interrupted = true
      // Following another process's render: stop watching it, never stop it for them.
      if (started.action === 'following') {
        io.stderr('reanimate: stopped waiting; the other process goes on with the render')
        stopWaiting()
        return
      }
      io.stderr('reanimate: stopping…')
      cancelling = render.cancel(jobId)
    }
    process.once('SIGINT', onSigint)
    try {
      for (let turn = 0; started.action !== 'done' && started.action !== 'copied'; turn++) {
        await Promise.race([render.waitFor([jobId]), stopped])
        const ended = render.get(jobId)?.status
        // The process we followed stopped it (its Ctrl-C): we still want it, so we collect it.
        if (
          interrupted ||
          started.action !== 'following' ||
          (ended !== 'abandoned' && ended !== 'cancelled') ||
          turn >= 3
        )
          break
        io.stderr('reanimate: the other process stopped this render; collecting it here')
        started = await render.start(request)
        jobId = started.job.id
        if (started.message) io.stderr(`reanimate: ${started.message}`)
      }
    } finally {
      process.removeListener('SIGINT', onSigint)
    }
    const outcome = await cancelling
    const job = render.get(jobId)
    if (interrupted && job?.status !== 'done') {
      const status = job?.status === 'cancelled' ? 'cancelled' : 'abandoned'
      return finish(io, json, {
        exitCode: EXIT.interrupted,
        error: {
          code: status,
          // What Ctrl-C did: cancelled at fal (nothing billed), or abandoned (collect it later).
          message: outcome?.message ?? job?.error?.message ?? 'Stopped waiting.',
        },
        ...(job?.requestId ? { requestId: job.requestId } : {}),
        jobId,
      })
    }
    if (!job || job.status !== 'done') {
      const error = job?.error ?? {
        code: 'internal' as const,
        message: `the render ended as ${job?.status ?? 'unknown'}`,
      }
      return finish(io, json, {
        exitCode: exitCodeFor(error) === EXIT.usage ? EXIT.usage : EXIT.failed,
        error,
        ...(job?.requestId ? { requestId: job.requestId } : {}),
        jobId,
      })
    }
    let output = started.action === 'copied' ? started.output : job.spec.output
    // Made by another process under its name: this command's --out gets a copy.
    if (started.action === 'following' && values.out)
      output = await render.deliver(jobId, values.out, values.overwrite)
    if (values.out && !samePath(output, values.out))
      io.stderr(
        `reanimate: ${path.resolve(values.out)} was taken meanwhile; wrote ${output} instead`,
      )
    const result = await services.media.probe(output)
    if (!json) io.stdout(output)
    return finish(io, json, {
      exitCode: EXIT.ok,
      output,
      sidecar: `${output}.json`,
      requestId: job.requestId,
      seed: job.seed,
      uploadCached: Boolean(job.uploadCached),
      action: started.action,
      reattached: started.action !== 'new',
      resultFps: result.fpsNominal,
      jobId,
    })
  } catch (err) {
    return fail(io, json, err)
  } finally {
    await render.close()
  }
}

const samePath = (a: string, b: string) => path.resolve(a) === path.resolve(b)

/** Rendering needs FAL_KEY or FAL_PROXY_URL; said before anything else is done (exit 2). */
export async function requireConnection(services: CliServices): Promise<void> {
  const conn = await services.falConnection()
  if (!conn.key && !conn.proxyUrl) {
    throw new AppError(
      'key-missing',
      'No fal key: set FAL_KEY (get one at https://fal.ai/dashboard/keys), or FAL_PROXY_URL for a proxy that holds it.',
      { field: 'FAL_KEY' },
    )
  }
  await services.refreshConnection()
}
