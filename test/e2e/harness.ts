import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { createServices, type Dialogs, type Services } from '../../src/main/services'
import { MemorySecretStore } from '../../src/main/settings/secret-store'
import { startBridge, type Bridge } from '../../src/main/transport/ws-bridge'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../test-results/e2e')

export interface AppUnderTest {
  page: Page
  services: Services
  bridge: Bridge
  dataDir: string
  /** Console errors, page errors and CSP violations seen so far. */
  problems: string[]
  screenshot(name: string): Promise<string>
  close(): Promise<void>
}

/**
 * The real renderer (built), the real services behind the WebSocket bridge, and Debian's Chromium
 * driven by playwright-core. Nothing is mocked; fal is the local emulator when a test needs it.
 */
export async function startApp(
  rendererDir: string,
  env: NodeJS.ProcessEnv = {},
  options: { dialogs?: Partial<Dialogs> } = {},
): Promise<AppUnderTest> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-e2e-'))
  const services = createServices({
    dataDir,
    secrets: new MemorySecretStore(),
    env: { PATH: process.env.PATH, ...env },
    pollMs: 50,
    ...(options.dialogs ? { dialogs: options.dialogs } : {}),
  })
  await services.init()
  const bridge = await startBridge(services, { rendererDir })
  // playwright gives every launch a fresh, empty profile of its own.
  let browser: Browser | undefined
  try {
    browser = await chromium.launch({
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
  } catch (err) {
    await bridge.close()
    throw err
  }
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  const problems: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
  // The URL carries this launch's token; the bridge trades it for a cookie and redirects to `/`.
  await page.goto(bridge.url)

  return {
    page,
    services,
    bridge,
    dataDir,
    problems,
    async screenshot(name) {
      await fs.mkdir(SCREENSHOT_DIR, { recursive: true })
      const file = path.join(SCREENSHOT_DIR, `${name}.png`)
      await page.screenshot({ path: file })
      return file
    },
    async close() {
      await browser?.close()
      await bridge.close()
      await fs.rm(dataDir, { recursive: true, force: true })
    },
  }
}
