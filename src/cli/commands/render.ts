import path from 'node:path'
import { parseArgs } from 'node:util'
import { parseRenderParams } from '../../shared/endpoints'
import { AppError } from '../../shared/errors'
import type { JobProgress } from '../../shared/jobs'
import {
  effectiveParams,
  renderRequestOf,
  segmentsOf,
  type ClipDoc,
} from '../../shared/project/clip'
import { readProject } from '../../main/project/project-file'
import { overlapRanges } from '../../main/render/render-spec'
import { targetFrameRate } from '../../shared/frames'
import { cliServices } from '../context'
import { EXIT, fail, finish, UsageError, type Io } from '../output'
import { jobLine } from '../progress-line'
import { numberFlag } from '../render-flags'
import { requireConnection } from './run'

export const RENDER_HELP = `reanimate render PROJECT.reanimate [--clip N] [--out-dir DIR] [--again] [--json]

Renders a project made in the editor, headless, through the same render service as the window:
each clip's range, one fal request per segment with its own parameters, joined with the source's
audio. What was already rendered with the same parameters is collected, not paid for again.

  --clip N        only the N-th clip of the project (from 1)
  --out-dir DIR   where the results go (default: beside each source)
  --again         a new take of each clip, even if it was rendered before
  --json          the last stdout line lists the outputs`

interface Rendered {
  clip: number
  source: string
  output?: string
  action?: string
  requestId?: string
  error?: { code: string; message: string }
}

export async function renderCommand(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      clip: { type: 'string' },
      'out-dir': { type: 'string' },
      again: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'poll-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  })
  if (values.help) {
    io.stdout(RENDER_HELP)
    return EXIT.ok
  }
  const json = values.json
  const pollMs = numberFlag(values['poll-ms'], 'poll-ms', true)
  const services = cliServices(env, 'render', pollMs ? { pollMs } : {})
  const { render } = services
  try {
    if (positionals.length !== 1)
      throw new UsageError('render takes exactly one PROJECT', 'PROJECT')
    const file = path.resolve(String(positionals[0]))
    const project = await readProject(file)
    const only = numberFlag(values.clip, 'clip', true)
    if (only !== undefined && (only < 1 || only > project.clips.length))
      throw new UsageError(
        `--clip must be from 1 to ${project.clips.length} (the project's clips)`,
        'clip',
      )
    const chosen = project.clips
      .map((c, i) => ({ n: i + 1, clip: { ...c, id: String(i + 1) } as ClipDoc }))
      .filter(({ n }) => only === undefined || n === only)
    const outDir = values['out-dir'] ? path.resolve(values['out-dir']) : undefined

    // Everything is checked before anything is sent: a bad clip never costs a render of another.
    for (const { n, clip } of chosen) {
      const probe = await services.media.probe(clip.path).catch((err: unknown) => {
        throw new AppError(
          'invalid-input',
          `clip ${n} (${path.basename(clip.path)}): ${err instanceof Error ? err.message : String(err)}`,
          { file: clip.path },
        )
      })
      const segs = segmentsOf(clip)
      const nths: number[] = []
      for (const [i, seg] of segs.entries()) {
        const checked = parseRenderParams(clip.endpoint, {
          loras: [],
          ...effectiveParams(clip, seg),
        })
        if (!checked.ok)
          throw new AppError(
            'invalid-params',
            `clip ${n}${segs.length > 1 ? `, segment ${i + 1}` : ''}: ${checked.issues[0]?.message ?? 'invalid parameters'}`,
            { file, field: checked.issues[0]?.field ?? 'params' },
          )
        nths.push(checked.params.select_every_nth_frame)
      }
      if (clip.crossfadeFrames && segs.length > 1) {
        try {
          overlapRanges(
            segs.map((s, i) => ({ startSec: s.start, endSec: s.end, nth: nths[i] as number })),
            clip.crossfadeFrames,
            targetFrameRate(probe).fps,
            'label',
          )
        } catch (err) {
          throw new AppError('invalid-params', `clip ${n}: ${(err as Error).message}`, {
            file,
            field: 'crossfade_frames',
          })
        }
      }
    }
    await requireConnection(services)

    const ids = new Map<string, number>()
    services.bus.subscribe((name, payload) => {
      if (name !== 'jobs.progress') return
      const p = payload as JobProgress
      const n = ids.get(p.id)
      if (n !== undefined) io.stderr(`clip ${n}: ${jobLine(p)}`)
    })
    const started: { n: number; source: string; jobId: string; action: string; output: string }[] =
      []
    for (const { n, clip } of chosen) {
      const req = renderRequestOf(clip, values.again)
      const stem = path.basename(clip.path, path.extname(clip.path))
      const s = await render.start({
        source: req.path,
        range: req.range,
        endpoint: req.endpoint,
        params: req.params,
        ...(req.segments ? { segments: req.segments } : {}),
        ...(req.crossfadeFrames ? { crossfadeFrames: req.crossfadeFrames } : {}),
        maxSide: services.settings.get().prepareMaxSide,
        fps: 'result',
        again: req.again,
        ...(outDir ? { output: path.join(outDir, `${stem}.reanimate.mp4`) } : {}),
        names: 'flag',
        // Local LoRA files named in the project, relative to it.
        resolveLocal: (p) => path.resolve(path.dirname(file), p),
      })
      ids.set(s.job.id, n)
      io.stderr(`clip ${n}: ${s.message || s.action}`)
      started.push({ n, source: clip.path, jobId: s.job.id, action: s.action, output: s.output })
    }
    await render.waitFor(started.map((s) => s.jobId))

    const results: Rendered[] = started.map((s) => {
      const job = render.get(s.jobId)
      if (job?.status === 'done' || s.action === 'copied')
        return {
          clip: s.n,
          source: s.source,
          output: s.action === 'copied' ? s.output : (job?.spec.output ?? s.output),
          action: s.action,
          ...(job?.requestId ? { requestId: job.requestId } : {}),
        }
      return {
        clip: s.n,
        source: s.source,
        error: job?.error ?? { code: 'internal', message: `ended as ${job?.status ?? 'unknown'}` },
      }
    })
    const failed = results.filter((r) => r.error)
    if (!json) for (const r of results) io.stdout(r.output ?? `clip ${r.clip}: ${r.error?.message}`)
    return finish(io, json, {
      exitCode: failed.length ? EXIT.failed : EXIT.ok,
      outputs: results,
      ...(failed[0]?.error ? { error: failed[0].error } : {}),
    })
  } catch (err) {
    return fail(io, json, err)
  } finally {
    await render.close()
  }
}
