import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { AppError, type ErrorInfo } from '../../shared/errors'
import type { JobProgress } from '../../shared/jobs'
import { parsePreset, type Preset } from '../../shared/presets'
import { planBatch, writeSummary, type SummaryRow } from '../../main/jobs/batch'
import { cliServices } from '../context'
import { jobSession } from '../job-session'
import { EXIT, fail, finish, UsageError, type Io } from '../output'
import {
  fpsFlag,
  maxSideFlag,
  RENDER_OPTIONS,
  renderParamsFromFlags,
  type RenderFlagValues,
} from '../render-flags'

export const BATCH_HELP = `reanimate batch DIR (--preset FILE | --prompt TEXT [render options]) --out-dir DIR
                [--recursive] [--concurrency N] [--json]

Restyles every video in DIR with one set of parameters into a mirrored tree under --out-dir
(<out-dir>/<relative path>/<name>.reanimate.mp4). Files are recognised by probing; hidden files
are skipped; unreadable videos are reported, not fatal. State lives in <out-dir>/.reanimate, so
running the same command again resumes: finished clips are skipped, submitted ones collected
(never submitted twice), failed ones retried. Ends with <out-dir>/reanimate-summary.json and .csv.
Render options as for "run": --negative-prompt --steps --guidance --lora --seed --nth --endpoint
--base-model --max-side --fps.`

const clock = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`

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
  const services = cliServices(env)
  try {
    if (positionals.length !== 1) throw new UsageError('batch takes exactly one DIR', 'DIR')
    const dir = path.resolve(String(positionals[0]))
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
      throw new AppError('invalid-input', `${dir} is not a folder`, { file: dir, field: 'DIR' })
    if (!values['out-dir']) throw new UsageError('--out-dir DIR is required', 'out-dir')
    const outDir = path.resolve(values['out-dir'])
    const preset = loadPreset(values)
    const maxSide = maxSideFlag(
      values['max-side'],
      preset.maxSide ?? services.settings.get().prepareMaxSide,
    )
    const concurrency =
      values.concurrency === undefined
        ? services.settings.get().concurrency
        : Number(values.concurrency)
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 40)
      throw new UsageError('--concurrency must be a whole number from 1 to 40', 'concurrency')
    const conn = await services.falConnection()
    if (!conn.key && !conn.proxyUrl) {
      throw new AppError(
        'key-missing',
        'No fal key: set FAL_KEY (get one at https://fal.ai/dashboard/keys), or FAL_PROXY_URL for a proxy that holds it.',
        { field: 'FAL_KEY' },
      )
    }

    const started = Date.now()
    const stateDir = path.join(outDir, '.reanimate')
    const labels = new Map<string, string>()
    let total = 0
    let settled = 0
    const onProgress = (p: JobProgress) => {
      const label = labels.get(p.id) ?? p.id.slice(0, 8)
      if (p.status === 'done' || p.status === 'failed') {
        settled++
        const elapsed = (Date.now() - started) / 1000
        const eta = settled > 0 ? (elapsed / settled) * (total - settled) : null
        io.stderr(
          `[${settled}/${total}] ${p.status === 'done' ? 'done  ' : 'FAILED'} ${label}${p.error ? `: ${p.error.message}` : ''}  elapsed ${clock(elapsed)}${eta !== null && settled < total ? `  eta ${clock(eta)}` : ''}`,
        )
      } else if (p.stage === 'wait' && p.queuePosition !== undefined) {
        io.stderr(`        queued at fal (position ${p.queuePosition}) ${label}`)
      } else if (p.fraction === undefined && !p.newLogs) {
        io.stderr(`        ${p.stage.padEnd(8)} ${label}`)
      }
    }
    const pollMs = values['poll-ms'] ? Number(values['poll-ms']) : undefined
    const runner = jobSession(services, conn, {
      stateDir,
      concurrency,
      onProgress,
      ...(pollMs ? { pollMs } : {}),
    })
    await fs.promises.mkdir(stateDir, { recursive: true })
    const loaded = await runner.init({ resume: true })
    if (loaded.from === 'backup')
      io.stderr(
        `reanimate: the batch journal was damaged; recovered from its backup (${loaded.quarantined ?? ''})`,
      )

    const plan = await planBatch(
      { dir, outDir, recursive: values.recursive, preset, maxSide },
      services.media,
      runner.list(),
    )
    const rows = new Map<string, SummaryRow>()
    const jobIds = new Map<string, string>()
    const rel = (p: string) => path.relative(dir, p)
    for (const entry of plan) {
      if (entry.kind === 'skip')
        rows.set(entry.source, {
          source: rel(entry.source),
          status: 'skipped',
          error: entry.reason,
        })
      if (entry.kind === 'invalid')
        rows.set(entry.source, {
          source: rel(entry.source),
          status: 'failed',
          error: entry.error.message,
        })
    }
    const renders = plan.filter((e) => e.kind === 'render')
    total = renders.length
    io.stderr(
      `reanimate: ${renders.length} to render, ${plan.length - renders.length} skipped or unreadable, concurrency ${concurrency}`,
    )
    for (const entry of renders) {
      const known = runner.list().find((j) => j.spec.key === entry.spec.key && !j.parentId)
      let id: string
      if (!known) id = (await runner.add(entry.spec)).id
      else {
        id = known.id
        if (known.status === 'done') settled++
        else if (known.status !== 'queued' && known.status !== 'running') await runner.retry(id)
      }
      labels.set(id, rel(entry.source))
      jobIds.set(entry.source, id)
    }

    const onSigint = () => {
      io.stderr('reanimate: stopping; run the same command again to resume')
      for (const id of jobIds.values()) void runner.abandon(id)
    }
    process.once('SIGINT', onSigint)
    try {
      await runner.whenIdle()
    } finally {
      process.removeListener('SIGINT', onSigint)
    }

    for (const [source, id] of jobIds) {
      const job = runner.get(id)
      const row: SummaryRow = {
        source: rel(source),
        status: job?.status === 'done' ? 'succeeded' : 'failed',
      }
      if (job?.status === 'done') row.output = path.relative(outDir, job.spec.output)
      else row.error = job?.error?.message ?? `ended as ${job?.status ?? 'unknown'}`
      if (job?.requestId) row.requestId = job.requestId
      rows.set(source, row)
    }
    const ordered = plan.map((e) => rows.get(e.source)).filter((r): r is SummaryRow => Boolean(r))
    const succeeded = ordered.filter((r) => r.status === 'succeeded').length
    const failed = ordered.filter((r) => r.status === 'failed').length
    const skipped = ordered.filter((r) => r.status === 'skipped').length
    const summaryFiles = await writeSummary(outDir, {
      dir,
      outDir,
      finishedAt: new Date().toISOString(),
      succeeded,
      failed,
      skipped,
      rows: ordered,
    })
    io.stderr(
      `reanimate: ${succeeded} succeeded, ${failed} failed, ${skipped} skipped in ${clock((Date.now() - started) / 1000)}. Summary: ${summaryFiles.json}`,
    )
    const exitCode = failed > 0 ? EXIT.failed : EXIT.ok
    const firstError: ErrorInfo | undefined = failed
      ? {
          code: 'internal',
          message: `${failed} of ${ordered.length} files failed; see ${summaryFiles.csv}`,
        }
      : undefined
    return finish(io, json, {
      exitCode,
      summary: summaryFiles.json,
      succeeded,
      failed,
      skipped,
      ...(firstError ? { error: firstError } : {}),
    })
  } catch (err) {
    return fail(io, json, err)
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
    return parsed.preset
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
