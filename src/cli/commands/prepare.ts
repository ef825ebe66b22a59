import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { AppError } from '../../shared/errors'
import type { MediaProgress } from '../../shared/media'
import { cliServices } from '../context'
import { EXIT, exitCodeFor, finish, UsageError, type Io } from '../output'
import { formatProgress } from '../progress-line'

export const PREPARE_HELP = `reanimate prepare FILE [--start SEC] [--end SEC] [--max-side PX|original] --out FILE [--overwrite] [--json]

Writes the exact file Reanimate would upload to fal: trimmed to [start, end), rotation applied,
constant frame rate, longer side at most --max-side (default from settings, 768), even size,
H.264 yuv420p MP4 without audio.`

function seconds(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError(`--${field} must be a number of seconds (got "${value}")`, field)
  return n
}

export async function prepareCommand(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      start: { type: 'string' },
      end: { type: 'string' },
      'max-side': { type: 'string' },
      out: { type: 'string', short: 'o' },
      overwrite: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  })
  if (values.help) {
    io.stdout(PREPARE_HELP)
    return EXIT.ok
  }
  if (positionals.length !== 1) throw new UsageError('prepare takes exactly one FILE', 'FILE')
  if (!values.out) throw new UsageError('--out FILE is required', 'out')
  const file = path.resolve(String(positionals[0]))
  const out = path.resolve(values.out)
  const startSec = seconds(values.start, 'start') ?? 0
  const endSec = seconds(values.end, 'end')
  const services = cliServices(env)
  let maxSide = services.settings.get().prepareMaxSide
  const rawMax = values['max-side']
  if (rawMax !== undefined) {
    if (rawMax === 'original') maxSide = 'original'
    else {
      const n = Number(rawMax)
      if (!Number.isInteger(n) || n < 16 || n > 8192)
        throw new UsageError(
          `--max-side must be a whole number of pixels from 16 to 8192, or "original" (got "${rawMax}")`,
          'max-side',
        )
      maxSide = n
    }
  }

  try {
    if (out === file)
      throw new AppError(
        'invalid-params',
        `--out must not be the source file (${path.basename(file)})`,
        { field: 'out', file: out },
      )
    if (fs.existsSync(out) && !values.overwrite) {
      throw new AppError(
        'invalid-params',
        `${out} exists. Choose another --out or pass --overwrite.`,
        { field: 'out', file: out },
      )
    }
    const started = Date.now()
    let lastPrint = 0
    const result = await services.media.prepare(
      file,
      { startSec, ...(endSec !== undefined ? { endSec } : {}) },
      { maxSide },
      out,
      {
        onProgress: (p: MediaProgress) => {
          if (Date.now() - lastPrint < 500 && p.fraction < 1) return
          lastPrint = Date.now()
          io.stderr(formatProgress('prepare', p))
        },
      },
    )
    if (!values.json) io.stdout(result.output)
    return finish(io, values.json, {
      exitCode: EXIT.ok,
      output: result.output,
      facts: result.facts,
      elapsedSec: (Date.now() - started) / 1000,
      commandLine: services.media.log.list().at(-1)?.commandLine,
    })
  } catch (err) {
    const error =
      err instanceof AppError ? err.toInfo() : { code: 'internal' as const, message: String(err) }
    return finish(io, values.json, { exitCode: exitCodeFor(error), error })
  }
}
