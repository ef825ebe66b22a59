import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { inject } from 'vitest'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../test-results/e2e')

export interface UiServer {
  /** The printed address, token included. */
  url: string
  dataDir: string
  process: ChildProcess
  /** What `reanimate ui` wrote to stderr so far. */
  stderr(): string
  /** Ctrl-C, as a user stops it; resolves with its exit code. */
  stop(): Promise<number | null>
}

/**
 * `reanimate ui FILE… --no-open --json` from the built CLI, exactly as a user starts it: the real
 * services in their own process, the built window, real ffmpeg; fal is the local emulator when the
 * test passes FAL_PROXY_URL.
 */
export async function startUi(
  options: { files?: string[]; env?: NodeJS.ProcessEnv; dataDir?: string } = {},
): Promise<UiServer> {
  const dataDir =
    options.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-e2e-data-')))
  const child = spawn(
    process.execPath,
    [inject('cliPath'), 'ui', ...(options.files ?? []), '--no-open', '--json'],
    {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        REANIMATE_DATA_DIR: dataDir,
        REANIMATE_RENDERER_DIR: inject('rendererDir'),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let err = ''
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('\n'))
        resolve((JSON.parse(out.split('\n')[0] as string) as { url: string }).url)
    })
    void exited.then((code) => reject(new Error(`reanimate ui exited (${code}): ${err}`)))
  })
  return {
    url,
    dataDir,
    process: child,
    stderr: () => err,
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT')
      return exited
    },
  }
}

/** Whether each video of the side-by-side compare has a frame to show (readyState ≥ 2). */
export const compareReady = (page: Page) =>
  page.$$eval('[data-testid=compare] video', (vs) =>
    vs.map((v) => (v as unknown as { readyState: number }).readyState >= 2),
  )

export async function launchChromium(): Promise<Browser> {
  // playwright gives every launch a fresh, empty profile of its own.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  })
}

export interface AppUnderTest {
  page: Page
  browser: Browser
  ui: UiServer
  /** Console errors, page errors and CSP violations seen so far. */
  problems: string[]
  screenshot(name: string, page?: Page): Promise<string>
  /**
   * `name` at the window's size and `name-1920` at 1920×1080, then the size is put back. With
   * `themes` (the default) each is taken twice, with the OS in dark and in light mode, which the
   * app follows unless Settings → Appearance chose a theme: `name-dark`, `name-light-1920`…
   */
  screenshots(name: string, options?: { themes?: boolean }): Promise<void>
  close(): Promise<void>
}

/** `reanimate ui` opened in Debian's Chromium, driven by playwright-core. Nothing is mocked. */
export async function startApp(
  options: Parameters<typeof startUi>[0] & { viewport?: { width: number; height: number } } = {},
): Promise<AppUnderTest> {
  const ui = await startUi(options)
  let browser: Browser
  try {
    browser = await launchChromium()
  } catch (err) {
    await ui.stop()
    throw err
  }
  const page = await browser.newPage({ viewport: options.viewport ?? { width: 1280, height: 800 } })
  const problems: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
  // The URL carries this launch's token; the bridge trades it for a cookie and redirects to `/`.
  await page.goto(ui.url)

  const screenshot = async (name: string, on: Page = page) => {
    await fs.mkdir(SCREENSHOT_DIR, { recursive: true })
    const file = path.join(SCREENSHOT_DIR, `${name}.png`)
    await on.screenshot({ path: file })
    return file
  }
  return {
    page,
    browser,
    ui,
    problems,
    screenshot,
    async screenshots(name, { themes = true } = {}) {
      const atBothSizes = async (as: string) => {
        await screenshot(as)
        const size = page.viewportSize()
        await page.setViewportSize({ width: 1920, height: 1080 })
        // Time for the layout (and the timeline's fit) to follow the new size.
        await page.waitForTimeout(150)
        await screenshot(`${as}-1920`)
        if (size) await page.setViewportSize(size)
      }
      if (!themes) return atBothSizes(name)
      for (const colorScheme of ['dark', 'light'] as const) {
        await page.emulateMedia({ colorScheme })
        await page.waitForTimeout(50)
        await atBothSizes(`${name}-${colorScheme}`)
      }
      await page.emulateMedia({ colorScheme: null })
    },
    async close() {
      await browser.close()
      await ui.stop()
      if (!options.dataDir) await fs.rm(ui.dataDir, { recursive: true, force: true })
    },
  }
}
