import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { isIgnoredName, isVideoName } from '../../shared/video-files'
import { createServices } from '../../main/services'
import { desktopFromEnv } from '../../main/desktop/desktop-port'
import { defaultDataDir } from '../../main/settings/paths'
import { MemorySecretStore } from '../../main/settings/secret-store'
import { startBridge } from '../../main/transport/ws-bridge'
import { isLoopbackHost } from '../../shared/proxy-url'
import { EXIT, UsageError, type Io } from '../output'
import { numberFlag } from '../render-flags'

export const UI_HELP = `reanimate ui [FILE|FOLDER...] [--port N] [--host 127.0.0.1] [--no-open] [--json]

The whole app in your browser, for machines where the desktop app cannot run (a render box, a
remote Linux server): the same window and services, over a local web server.

  FILE|FOLDER   clips to open (a folder opens the videos in it); the first one is selected
  --port N      listen on this port (default: any free one)
  --host ADDR   listen on this address (default 127.0.0.1: this computer only)
  --no-open     print the address without opening a browser
  --json        the first stdout line is {"url": "..."}

The address carries a secret token: only a browser given it gets in. Ctrl-C stops the server;
renders already at fal keep their request ids (reanimate ui again, or reanimate jobs list).`

/**
 * The built window next to the built CLI (out/cli → out/renderer), or null if not built.
 * REANIMATE_RENDERER_DIR points elsewhere (a development or test build).
 */
function rendererDir(env: NodeJS.ProcessEnv): string | null {
  const candidates = env.REANIMATE_RENDERER_DIR
    ? [path.resolve(env.REANIMATE_RENDERER_DIR)]
    : [path.join(__dirname, '../renderer'), path.join(__dirname, '../../renderer')]
  for (const dir of candidates) if (fs.existsSync(path.join(dir, 'index.html'))) return dir
  return null
}

/** Files as given; a folder stands for the videos directly in it. */
function launchFiles(positionals: string[]): string[] {
  const files: string[] = []
  for (const given of positionals) {
    const p = path.resolve(given)
    const st = fs.statSync(p, { throwIfNoEntry: false })
    if (!st) throw new UsageError(`${given}: no such file or folder`, 'FILE')
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p).sort())
        if (!isIgnoredName(name) && isVideoName(name)) files.push(path.join(p, name))
    } else files.push(p)
  }
  return files
}

/** The system's way to open an address in the default browser. */
function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]]
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true })
  child.on('error', () => undefined)
  child.unref()
}

export async function uiCommand(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'no-open': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  })
  if (values.help) {
    io.stdout(UI_HELP)
    return EXIT.ok
  }
  const port = numberFlag(values.port, 'port', true) ?? 0
  if (port < 0 || port > 65535) throw new UsageError('--port must be from 0 to 65535', 'port')
  const files = launchFiles(positionals)
  const dir = rendererDir(env)
  if (!dir)
    throw new UsageError(
      "the app's window is not built next to this CLI: run npm run build first",
      'ui',
    )
  const services = createServices({
    dataDir: defaultDataDir(env),
    // The OS key store needs Electron; here the key comes from FAL_KEY or is kept for this session.
    secrets: new MemorySecretStore(),
    env,
    origin: 'app',
    processName: 'reanimate ui',
    launchFiles: files,
    browserPickers: true,
    // A browser tab has no taskbar entry of its own; tests read what it would show.
    desktop: desktopFromEnv(env),
  })
  await services.init()
  const bridge = await startBridge(services, { rendererDir: dir, port, host: values.host })
  if (!isLoopbackHost(values.host))
    io.stderr(
      `reanimate: warning: listening on ${values.host}, not only this computer. Anyone who can reach it and has the address with its token can use your fal key and files.`,
    )
  if (values.json) io.stdout(JSON.stringify({ url: bridge.url }))
  else io.stdout(`Reanimate is at ${bridge.url}`)
  if (!values['no-open']) openBrowser(bridge.url)
  // While the browser loads the window: the window's first call (app.info) waits for ffmpeg and
  // ffprobe to be found (each run with -version, then cached), a second of a cold start if begun
  // only then.
  void services.tools.status()

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  io.stderr('reanimate: stopping the server…')
  await bridge.close()
  await services.render.close()
  io.stderr(
    'reanimate: stopped. Renders already at fal keep their request ids: run reanimate ui again, or reanimate jobs list, to collect them.',
  )
  return EXIT.ok
}
