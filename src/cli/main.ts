import { probeCommand, PROBE_HELP } from './commands/probe'
import { prepareCommand, PREPARE_HELP } from './commands/prepare'
import { runCommand, RUN_HELP } from './commands/run'
import { batchCommand, BATCH_HELP } from './commands/batch'
import { jobsCommand, JOBS_HELP } from './commands/jobs'
import { uiCommand, UI_HELP } from './commands/ui'
import { renderCommand, RENDER_HELP } from './commands/render'
import { EXIT, finish, UsageError, type Io } from './output'
import pkg from '../../package.json'

export const HELP = `reanimate ${pkg.version}: restyle video clips with AnimateDiff on fal.ai

Usage:
  reanimate probe FILE [--json]
  reanimate prepare FILE [--start SEC] [--end SEC] [--max-side PX] --out FILE [--json]
  reanimate run FILE --prompt TEXT [--steps N] [--guidance X] [--lora URL[@SCALE]]... [--out FILE] [--again] [--json]
  reanimate render PROJECT.reanimate [--clip N] [--out-dir DIR] [--again] [--json]
  reanimate batch DIR (--preset FILE | --prompt TEXT ...) --out-dir DIR [--recursive] [--concurrency N] [--json]
  reanimate jobs [list | retry ID | cancel ID] [--json]
  reanimate ui [FILE|FOLDER...] [--port N] [--host ADDR] [--no-open] [--json]

Options:
  -h, --help     show help (also: reanimate COMMAND --help)
  -v, --version  print the version

Environment:
  FAL_KEY               your fal key (https://fal.ai/dashboard/keys)
  FAL_PROXY_URL         send every fal call through this proxy (no key needed then)
  FFMPEG_PATH, FFPROBE_PATH   use these binaries
  REANIMATE_DATA_DIR    the data folder (journal, upload cache), shared with the app

Exit codes: 0 success, 1 a job failed, 2 invalid usage, parameter, input file or output folder
(found before anything is sent), 130 stopped with Ctrl-C.

${PROBE_HELP}

${PREPARE_HELP}

${RUN_HELP}

${RENDER_HELP}

${BATCH_HELP}

${JOBS_HELP}

${UI_HELP}`

type Command = (argv: string[], io: Io, env: NodeJS.ProcessEnv) => Promise<number>
const COMMANDS: Record<string, Command> = {
  probe: probeCommand,
  prepare: prepareCommand,
  run: runCommand,
  render: renderCommand,
  batch: batchCommand,
  jobs: jobsCommand,
  ui: uiCommand,
}

/** Runs one CLI invocation and returns its exit code; never calls process.exit itself. */
export async function runCli(
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const [name, ...rest] = argv
  const json = rest.includes('--json')
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    io.stdout(HELP)
    return name ? EXIT.ok : EXIT.usage
  }
  if (name === '-v' || name === '--version') {
    io.stdout(pkg.version)
    return EXIT.ok
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  try {
    if (!command) throw new UsageError(`unknown command "${name}". Run "reanimate --help".`)
    return await command(rest, io, env)
  } catch (err) {
    // parseArgs throws TypeErrors with codes like ERR_PARSE_ARGS_UNKNOWN_OPTION: that is usage.
    const usage =
      err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    const message = err instanceof Error ? err.message : String(err)
    const field = err instanceof UsageError ? err.field : undefined
    return finish(io, json, {
      exitCode: usage ? EXIT.usage : EXIT.failed,
      error: { code: usage ? 'invalid-params' : 'internal', message, ...(field ? { field } : {}) },
    })
  }
}
