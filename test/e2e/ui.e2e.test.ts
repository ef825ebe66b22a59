import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { clips, tempDir } from '../media/clips'
import { CHROMIUM, SCREENSHOT_DIR } from './harness'

/** The app started the way a user without Electron starts it: `reanimate ui clip.mp4`. */
describe('reanimate ui in Chromium', () => {
  let root: string
  let clip: string
  let ui: ChildProcess
  let url: string
  let browser: Browser

  beforeAll(async () => {
    root = await tempDir('reanimate-ui-e2e-')
    clip = await clips.basic(root, 'beach day.mp4', 1)
    ui = spawn(process.execPath, [inject('cliPath'), 'ui', clip, '--no-open', '--json'], {
      env: {
        PATH: process.env.PATH,
        REANIMATE_DATA_DIR: path.join(root, 'data'),
        REANIMATE_RENDERER_DIR: inject('rendererDir'),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    url = await new Promise<string>((resolve, reject) => {
      let out = ''
      ui.stdout?.on('data', (d: Buffer) => {
        out += d.toString()
        if (out.includes('\n'))
          resolve((JSON.parse(out.split('\n')[0] as string) as { url: string }).url)
      })
      ui.once('exit', (code) => reject(new Error(`reanimate ui exited (${code})`)))
    })
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    })
  })
  afterAll(async () => {
    await browser?.close()
    ui?.kill('SIGINT')
    await fs.rm(root, { recursive: true, force: true })
  })

  it('opens with the clip from the command line selected, its poster shown', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await page.goto(url)
    // The token left the address bar for a cookie.
    expect(new URL(page.url()).searchParams.has('token')).toBe(false)
    const card = page.getByRole('button', { name: /beach day\.mp4/ })
    await expect.poll(() => card.getAttribute('aria-pressed')).toBe('true')
    await expect
      .poll(() =>
        page
          .getByTestId('poster')
          .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      )
      .toBeGreaterThan(0)
    await fs.mkdir(SCREENSHOT_DIR, { recursive: true })
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'ui-launch.png') })
  })

  it('a browser without the token gets 403', async () => {
    const page = await browser.newPage()
    const response = await page.goto(new URL(url).origin + '/')
    expect(response?.status()).toBe(403)
  })
})
