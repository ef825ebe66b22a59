import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import {
  DEFAULT_ENDPOINT,
  ENDPOINT_IDS,
  isEndpointId,
  parseRenderParams,
  type Lora,
} from '../../shared/endpoints'
import { AppError } from '../../shared/errors'
import { defaultOutputFor } from '../../main/render/naming'
import { renderClip, type RenderProgress } from '../../main/render/render-clip'
import { cliServices } from '../context'
import { EXIT, exitCodeFor, finish, UsageError, type Io } from '../output'

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
  --endpoint ID            ${ENDPOINT_IDS.join(' | ')} (default ${DEFAULT_ENDPOINT})
  --max-side PX            longest side sent to fal (default 768, or "original")
  --fps result|source      keep fal's frame rate (default) or convert to the source's
  --out FILE               default: <source>.reanimate.mp4 beside the source, never overwriting
  --overwrite              allow --out to replace an existing file
  --json                   last stdout line is one JSON object

Needs FAL_KEY, or FAL_PROXY_URL pointing at a proxy that holds the key. Ctrl-C cancels a queued
request; a running one keeps running at fal and the same command collects it later.`

function num(value: string | undefined, field: string, integer = false): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new UsageError(
      `--${field} must be ${integer ? 'a whole number' : 'a number'} (got "${value}")`,
      field,
    )
  }
  return n
}

/** `https://x/y.safetensors@0.8` → {path, scale: 0.8}; an `@` not followed by a number stays in the path. */
export function parseLora(spec: string): Lora | { path: string } {
  const m = /^(.*)@(-?\d+(?:\.\d+)?)$/.exec(spec)
  return m && m[1] ? { path: m[1], scale: Number(m[2]) } : { path: spec }
}

export async function runCommand(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      prompt: { type: 'string' },
      'negative-prompt': { type: 'string' },
      steps: { type: 'string' },
      guidance: { type: 'string' },
      lora: { type: 'string', multiple: true },
      seed: { type: 'string' },
      nth: { type: 'string' },
      'base-model': { type: 'string' },
      start: { type: 'string' },
      end: { type: 'string' },
      endpoint: { type: 'string' },
      'max-side': { type: 'string' },
      fps: { type: 'string' },
      out: { type: 'string', short: 'o' },
      overwrite: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
      'poll-ms': { type: 'string' },
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
    const endpoint = values.endpoint ?? DEFAULT_ENDPOINT
    if (!isEndpointId(endpoint))
      throw new UsageError(
        `--endpoint must be one of ${ENDPOINT_IDS.join(', ')} (got "${endpoint}")`,
        'endpoint',
      )
    const raw: Record<string, unknown> = { prompt: values.prompt ?? '' }
    if (values['negative-prompt'] !== undefined) raw.negative_prompt = values['negative-prompt']
    const steps = num(values.steps, 'steps')
    if (steps !== undefined) raw.num_inference_steps = steps
    const guidance = num(values.guidance, 'guidance')
    if (guidance !== undefined) raw.guidance_scale = guidance
    const seed = num(values.seed, 'seed')
    if (seed !== undefined) raw.seed = seed
    const nth = num(values.nth, 'nth')
    if (nth !== undefined) raw.select_every_nth_frame = nth
    if (values.lora?.length) raw.loras = values.lora.map(parseLora)
    if (values['base-model'] !== undefined) raw.base_model = values['base-model']
    const parsed = parseRenderParams(endpoint, raw)
    if (!parsed.ok) {
      const first = parsed.issues[0]
      throw new AppError(
        'invalid-params',
        first ? first.message : 'invalid parameters',
        first ? { field: first.field } : {},
      )
    }
    const fps = values.fps ?? 'result'
    if (fps !== 'result' && fps !== 'source')
      throw new UsageError(`--fps must be "result" or "source" (got "${fps}")`, 'fps')
    let maxSide = services.settings.get().prepareMaxSide
    if (values['max-side'] !== undefined) {
      maxSide =
        values['max-side'] === 'original'
          ? 'original'
          : (num(values['max-side'], 'max-side', true) ?? maxSide)
      if (maxSide !== 'original' && (maxSide < 16 || maxSide > 8192))
        throw new UsageError('--max-side must be from 16 to 8192 pixels, or "original"', 'max-side')
    }
    const startSec = num(values.start, 'start') ?? 0
    const endSec = num(values.end, 'end')

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

    const controller = new AbortController()
    const onSigint = () => {
      io.stderr('reanimate: stopping…')
      controller.abort()
    }
    process.once('SIGINT', onSigint)
    let lastLine = ''
    const pollMs = num(values['poll-ms'], 'poll-ms', true)
    try {
      const result = await renderClip(
        services.renderDeps(conn, pollMs),
        {
          source,
          range: { startSec, ...(endSec !== undefined ? { endSec } : {}) },
          endpoint,
          params: parsed.params,
          output,
          maxSide,
          fps,
        },
        {
          signal: controller.signal,
          onProgress: (p) => {
            for (const log of p.logs ?? []) io.stderr(`  fal: ${log.message}`)
            const line = progressLine(p)
            if (line !== lastLine) io.stderr(line)
            lastLine = line
          },
        },
      )
      if (!json) io.stdout(result.output)
      return finish(io, json, { exitCode: EXIT.ok, ...result })
    } finally {
      process.removeListener('SIGINT', onSigint)
    }
  } catch (err) {
    const usage = err instanceof UsageError
    const error = usage
      ? {
          code: 'invalid-params' as const,
          message: err.message,
          ...(err.field ? { field: err.field } : {}),
        }
      : err instanceof AppError
        ? err.toInfo()
        : { code: 'internal' as const, message: err instanceof Error ? err.message : String(err) }
    return finish(io, json, {
      exitCode: usage || error.code === 'output-exists' ? EXIT.usage : exitCodeFor(error),
      error,
    })
  }
}

const clock = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`

export function progressLine(p: RenderProgress): string {
  const parts = [p.stage.padEnd(8)]
  if (p.fraction !== undefined && p.stage !== 'done') parts.push(`${Math.round(p.fraction * 100)}%`)
  if (p.stage === 'queued' && p.queuePosition !== undefined)
    parts.push(`position ${p.queuePosition}`)
  if (p.requestId) parts.push(`request ${p.requestId}`)
  parts.push(`elapsed ${clock(p.elapsedSec)}`)
  return parts.join('  ')
}
