import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { AppError, type ErrorInfo } from '../../shared/errors'
import { isTerminal, type JobProgress } from '../../shared/jobs'
import { parsePreset, type Preset } from '../../shared/presets'
import { cliServices, type CliServices } from '../context'
import { EXIT, fail, finish, UsageError, type Io } from '../output'
import { clock } from '../progress-line'
import {
  fpsFlag,
  maxSideFlag,
  numberFlag,
  RENDER_OPTIONS,
  renderParamsFromFlags,
  type RenderFlagValues,
} from '../render-flags'
import { requireConnection } from './run'

export const BATCH_HELP = `reanimate batch DIR (--preset FILE | --prompt TEXT [render options]) --out-dir DIR
                [--recursive] [--concurrency N] [--json]

Restyles every video in DIR with one set of parameters into a mirrored tree under --out-dir
(<out-dir>/<relative path>/<name>.reanimate.mp4). Files are recognised by probing; hidden files
are skipped; unreadable videos are reported, not fatal. Running the same command again resumes:
finished clips are skipped, submitted ones collected (never submitted twice), failed ones retried.
Ends with <out-dir>/reanimate-summary.json and .csv, covering every file. Ctrl-C exits 130.
Render options as for "run": --negative-prompt --steps --guidance --lora --seed --nth --endpoint
--base-model --max-side --fps.`

export async function batchCommand(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...RENDER_OPTIONS,
      preset: { type: 'string' },
      'out-dir': { type: 'string' },
      recursive: { type: 'boolean', short: 'r', default: false },
      concurrency: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  })
  if (values.help) {
    io.stdout(BATCH_HELP)
    return EXIT.ok
  }
  const json = values.json
  let services: CliServices | null = null
  try {
    if (positionals.length !== 1) throw new UsageError('batch takes exactly one DIR', 'DIR')
    const dir = path.resolve(String(positionals[0]))
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
      throw new AppError('invalid-input', `${dir} is not a folder`, { file: dir, field: 'DIR' })
    if (!values['out-dir']) throw new UsageError('--out-dir DIR is required', 'out-dir')
    const outDir = path.resolve(values['out-dir'])
    const preset = loadPreset(values)
    const concurrency =
      values.concurrency === undefined
        ? undefined
        : numberFlag(values.concurrency, 'concurrency', true)
    if (concurrency !== undefined && (concurrency < 1 || concurrency > 40))
      throw new UsageError(
        `--concurrency must be a whole number from 1 to 40 (got ${concurrency})`,
        'concurrency',
      )
    const pollMs = numberFlag(values['poll-ms'], 'poll-ms', true)
    services = cliServices(env, 'batch', {
      ...(concurrency ? { concurrency } : {}),
      ...(pollMs ? { pollMs } : {}),
    })
    const maxSide = maxSideFlag(
      values['max-side'],
      preset.maxSide ?? services.settings.get().prepareMaxSide,
    )
    await requireConnection(services)

    const started = Date.now()
    const rel = (p: string) => path.relative(dir, p)
    const labels = new Map<string, string>()
    const lastStage = new Map<string, string>()
    let total = 0
    let settled = 0
    const { render } = services
    services.bus.subscribe((name, payload) => {
      if (name !== 'jobs.progress') return
      const p = payload as JobProgress
      // Jobs start while the batch is being planned: name them by their source until the plan is in.
      const source = render.get(p.id)?.spec.source
      const label = labels.get(p.id) ?? (source?.startsWith(dir + path.sep) ? rel(source) : null)
      if (!label) return
      if (isTerminal(p.status)) {
        if (lastStage.get(p.id) === 'end') return
        lastStage.set(p.id, 'end')
        settled++
        const elapsed = (Date.now() - started) / 1000
        const eta = settled < total ? (elapsed / settled) * (total - settled) : null
        const what = p.status === 'done' ? 'done  ' : p.status.toUpperCase()
        io.stderr(
          `[${settled}/${total}] ${what} ${label}${p.error ? `: ${p.error.message}` : ''}  elapsed ${clock(elapsed)}${eta !== null ? `  eta ${clock(eta)}` : ''}`,
        )
        return
      }
      // One line per stage a clip enters; fal's queue position only when it changes.
      const key = p.queuePosition !== undefined ? `queued ${p.queuePosition}` : p.stage
      if (lastStage.get(p.id) === key) return
      lastStage.set(p.id, key)
      io.stderr(
        p.queuePosition !== undefined
          ? `        queued at fal (position ${p.queuePosition + 1}) ${label}`
          : `        ${p.stage.padEnd(8)} ${label}`,
      )
    })

    const run = await render.startBatch({
      dir,
      outDir,
      recursive: values.recursive,
      preset,
      maxSide,
      names: 'flag',
      resolveLocal: (p) => path.resolve(p),
      // The plan grows while the folder is probed, and its first jobs run meanwhile.
      onPlanned: (chunk) => {
        for (const e of chunk) {
          if (e.kind === 'job' && e.jobId) {
            labels.set(e.jobId, rel(e.source))
            total++
          }
          if (e.kind === 'invalid')
            io.stderr(`reanimate: cannot read ${rel(e.source)}: ${e.error.message}`)
          if (e.kind === 'job' && e.action !== 'new')
            io.stderr(`reanimate: ${rel(e.source)}: ${e.message}`)
        }
      },
    })

    let interrupted = false
    const onSigint = () => {
      interrupted = true
      io.stderr('reanimate: stopping; run the same command again to resume')
      void run.stop()
    }
    process.once('SIGINT', onSigint)
    let summary
    try {
      await run.planned
      const c = run.counts
      io.stderr(
        `reanimate: ${c.done} done, ${c.toRender} to render${c.collecting ? `, ${c.collecting} to collect from fal` : ''}, ${c.skipped} skipped, ${c.unreadable} unreadable; concurrency ${concurrency ?? services.settings.get().concurrency}`,
      )
      summary = await run.finished
    } finally {
      process.removeListener('SIGINT', onSigint)
    }
    io.stderr(
      `reanimate: ${summary.succeeded} succeeded, ${summary.failed} failed, ${summary.skipped} skipped in ${clock((Date.now() - started) / 1000)}. Summary: ${summary.summary}`,
    )
    const failures = summary.rows.filter((r) => r.status === 'failed')
    const firstFailure = run.entries
      .map((e) =>
        e.kind === 'invalid' ? e.error : e.kind === 'job' ? render.get(e.jobId)?.error : undefined,
      )
      .find((err): err is ErrorInfo => Boolean(err))
    const exitCode = interrupted ? EXIT.interrupted : failures.length ? EXIT.failed : EXIT.ok
    const error: ErrorInfo | undefined = interrupted
      ? { code: 'abandoned', message: 'Stopped; run the same command again to resume.' }
      : failures.length
        ? {
            // Says what went wrong (a file that cannot be read, a failure at fal), not "internal".
            code: firstFailure?.code ?? 'invalid-input',
            message: `${failures.length} of ${summary.rows.length} files failed; see ${summary.csv}`,
          }
        : undefined
    return finish(io, json, {
      exitCode,
      summary: summary.summary,
      succeeded: summary.succeeded,
      failed: summary.failed,
      skipped: summary.skipped,
      alreadyDone: run.counts.done,
      ...(error ? { error } : {}),
    })
  } catch (err) {
    return fail(io, json, err)
  } finally {
    await services?.render.close()
  }
}

type BatchValues = Record<string, string | boolean | string[] | undefined>

/** A preset file, or the same flags `run` takes. */
function loadPreset(values: BatchValues): Preset {
  const presetPath = values.preset as string | undefined
  if (presetPath && values.prompt !== undefined)
    throw new UsageError('give either --preset or --prompt, not both', 'preset')
  if (presetPath) {
    let raw: unknown
    try {
      raw = JSON.parse(fs.readFileSync(path.resolve(presetPath), 'utf8'))
    } catch (err) {
      throw new AppError(
        'invalid-input',
        `${presetPath}: not a readable JSON preset (${err instanceof Error ? err.message : String(err)})`,
        { file: presetPath, field: 'preset' },
      )
    }
    const parsed = parsePreset(raw)
    if (!parsed.ok) {
      const first = parsed.issues[0]
      throw new AppError('invalid-params', `${presetPath}: ${first?.message ?? 'invalid preset'}`, {
        file: presetPath,
        ...(first ? { field: first.field } : {}),
      })
    }
    // Local LoRA files in a preset are relative to the preset file.
    const base = path.dirname(path.resolve(presetPath))
    const loras = parsed.preset.params.loras.map((l) =>
      /^https?:\/\//i.test(l.path) ? l : { ...l, path: path.resolve(base, l.path) },
    )
    return { ...parsed.preset, params: { ...parsed.preset.params, loras } }
  }
  if (values.prompt === undefined)
    throw new UsageError('give --preset FILE or --prompt TEXT', 'prompt')
  const { endpoint, params } = renderParamsFromFlags(values as RenderFlagValues)
  return {
    endpoint,
    params,
    fps: fpsFlag(values.fps as string | undefined),
    nameTemplate: '{stem}.reanimate',
  }
}
