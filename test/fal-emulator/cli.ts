/**
 * Runs the local fal emulator until Ctrl-C:
 *
 *   npx tsx test/fal-emulator/cli.ts [--port N] [--processing-ms N] [--queue-delay-ms N]
 *                                    [--concurrency N] [--strict-key KEY] [--instant]
 *                                    [--upload-mbit N] [--quiet] [--print-submits]
 *
 * Prints `FAL_PROXY_URL=<proxyUrl>` on stdout (one line, for `eval`/scripts) and one line per
 * request on stderr unless --quiet. --upload-mbit throttles uploads to N Mbit/s (the user's uplink).
 * With --print-submits, each accepted submit also prints `SUBMITTED <epoch ms> <request id>` on
 * stdout (the benchmarks time the first one).
 */
import { startFalEmulator, type EmulatorOptions } from './emulator'

const USAGE =
  'usage: tsx test/fal-emulator/cli.ts [--port N] [--processing-ms N] [--queue-delay-ms N] ' +
  '[--concurrency N] [--strict-key KEY] [--instant] [--upload-mbit N] [--quiet] [--print-submits]'

type Args = EmulatorOptions & { quiet: boolean; printSubmits: boolean }

function parseArgs(argv: string[]): Args {
  const out: Args = { quiet: false, printSubmits: false }
  const num = (flag: string, value: string | undefined) => {
    const n = Number(value)
    if (value === undefined || !Number.isFinite(n) || n < 0) {
      throw new Error(`${flag} needs a non-negative number`)
    }
    return n
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg]
    const value = () => (inline !== undefined ? inline : argv[++i])
    switch (flag) {
      case '--port':
        out.port = num(flag, value())
        break
      case '--processing-ms':
        out.processingMs = num(flag, value())
        break
      case '--instant':
        out.instant = true
        break
      case '--queue-delay-ms':
        out.queueDelayMs = num(flag, value())
        break
      case '--concurrency':
        out.concurrency = num(flag, value())
        break
      case '--strict-key': {
        const key = value()
        if (!key) throw new Error('--strict-key needs a value')
        out.strictKey = key
        break
      }
      case '--upload-mbit': {
        const mbit = num(flag, value())
        if (mbit === 0) throw new Error('--upload-mbit needs a positive number')
        out.uploadBitsPerSec = mbit * 1e6
        break
      }
      case '--quiet':
        out.quiet = true
        break
      case '--print-submits':
        out.printSubmits = true
        break
      case '--help':
      case '-h':
        console.log(USAGE)
        process.exit(0)
        break
      default:
        throw new Error(`unknown argument ${arg}`)
    }
  }
  return out
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parseArgs>
  try {
    args = parseArgs(process.argv.slice(2))
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`)
    process.exit(2)
  }
  const { quiet, printSubmits, ...options } = args
  options.onLog = (e) => {
    if (printSubmits && e.kind === 'submit' && e.status === 200)
      console.log(`SUBMITTED ${e.time} ${e.requestId ?? ''}`)
    if (quiet) return
    const id = e.requestId ? ` ${e.requestId}` : ''
    const fault = e.fault ? ` (fault: ${e.fault})` : ''
    console.error(
      `${new Date(e.time).toISOString()} ${e.status} ${e.kind} ${e.method} ${e.target}${id}${fault}`,
    )
  }
  const emulator = await startFalEmulator(options)
  console.log(`FAL_PROXY_URL=${emulator.proxyUrl}`)
  if (!quiet) {
    console.error(
      `fal emulator on ${emulator.url} (concurrency ${options.concurrency ?? 2}, ` +
        `processing ≥ ${options.processingMs ?? 300} ms${options.strictKey ? ', strict key' : ''}); Ctrl-C to stop`,
    )
  }
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    emulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
