import { parseArgs } from 'node:util'
import path from 'node:path'
import type { ProbeResult } from '../../shared/media'
import { cliServices, CLI_CONTEXT } from '../context'
import { EXIT, exitCodeFor, finish, UsageError, type Io } from '../output'

export const PROBE_HELP = `reanimate probe FILE [--json]

Prints what Reanimate reads from a video: duration, frame rate, size, rotation, codec, audio.`

function human(p: ProbeResult): string[] {
  return [
    `${path.basename(p.path)}`,
    `  duration   ${p.durationSec.toFixed(3)} s (starts at ${p.startTimeSec.toFixed(3)} s)`,
    `  video      ${p.codec} ${p.pixelFormat} ${p.bitDepth}-bit, ${p.width}x${p.height}${p.rotation ? ` (stored ${p.codedWidth}x${p.codedHeight}, rotated ${p.rotation}°)` : ''}`,
    `  frames     ${p.frameCount} at ${p.fpsNominal.toFixed(3)} fps${p.variableFrameRate ? ` (variable, average ${p.fpsAverage.toFixed(3)})` : ''}`,
    `  audio      ${p.audio.length ? p.audio.map((a) => `${a.codec} ${a.channels}ch ${a.sampleRate} Hz`).join('; ') : 'none'}`,
    `  container  ${p.container}, ${p.sizeBytes} bytes`,
  ]
}

export async function probeCommand(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  })
  if (values.help) {
    io.stdout(PROBE_HELP)
    return EXIT.ok
  }
  if (positionals.length !== 1) throw new UsageError('probe takes exactly one FILE', 'FILE')
  const file = path.resolve(String(positionals[0]))
  const services = cliServices(env)
  const reply = await services.dispatch('media.probe', { path: file }, CLI_CONTEXT)
  if (!reply.ok)
    return finish(io, values.json, { exitCode: exitCodeFor(reply.error), error: reply.error })
  const probe = reply.value as ProbeResult
  if (!values.json) for (const line of human(probe)) io.stdout(line)
  return finish(io, values.json, { exitCode: EXIT.ok, probe })
}
