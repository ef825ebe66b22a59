import fs from 'node:fs/promises'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFalEmulator, type FalEmulator } from '../fal-emulator/emulator'
import { clips, tempDir } from '../media/clips'
import { launchChromium, SCREENSHOT_DIR, startUi, type UiServer } from './harness'

/** The app started the way a user without Electron starts it: `reanimate ui clip.mp4`. */
describe('reanimate ui in Chromium', () => {
  let root: string
  let clip: string
  let ui: UiServer
  let url: string
  let browser: Browser
  let emu: FalEmulator

  beforeAll(async () => {
    root = await tempDir('reanimate-ui-e2e-')
    clip = await clips.basic(root, 'beach day.mp4', 1)
    await fs.mkdir(path.join(root, 'more'))
    await clips.basic(path.join(root, 'more'), 'surf.mp4', 1.2)
    await fs.mkdir(path.join(root, 'results'))
    emu = await startFalEmulator({ processingMs: 100 })
    ui = await startUi({
      files: [clip],
      dataDir: path.join(root, 'data'),
      env: { FAL_PROXY_URL: emu.proxyUrl },
    })
    url = ui.url
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await ui?.stop()
    await emu?.close()
    await fs.rm(root, { recursive: true, force: true })
  })

  it('opens with the clip from the command line selected, its poster shown', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await page.goto(url)
    // The token left the address bar for a cookie.
    expect(new URL(page.url()).searchParams.has('token')).toBe(false)
    const card = page.getByRole('button', { name: /^beach day\.mp4/ })
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
    await page.setViewportSize({ width: 1920, height: 1080 })
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'ui-launch-1920.png') })
  })

  it('a browser without the token gets 403', async () => {
    const page = await browser.newPage()
    const response = await page.goto(new URL(url).origin + '/')
    expect(response?.status()).toBe(403)
  })

  it('Open clips… browses folders served by main and opens the chosen clip', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await page.goto(url)
    // From the keyboard: the dialog takes focus in its path bar, and Esc closes it.
    await page.getByRole('button', { name: 'Open clips…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Open clips' })
    await expect
      .poll(() =>
        page.evaluate(() =>
          (
            globalThis as unknown as {
              document: { activeElement: { getAttribute(n: string): string | null } | null }
            }
          ).document.activeElement?.getAttribute('spellcheck'),
        ),
      )
      .toBe('false')
    await page.keyboard.press('Escape')
    await expect.poll(() => dialog.count()).toBe(0)
    await page.getByRole('button', { name: 'Open clips…' }).click()
    // Its first listing loaded (it fills the path bar), so typing is not overwritten.
    await expect.poll(() => dialog.getByLabel('Folder', { exact: true }).inputValue()).not.toBe('')
    await dialog.getByLabel('Folder', { exact: true }).fill(root)
    await dialog.getByRole('button', { name: 'Go' }).click()
    await dialog.getByRole('button', { name: 'more/' }).click()
    await dialog.getByRole('button', { name: /surf\.mp4/ }).click()
    await fs.mkdir(SCREENSHOT_DIR, { recursive: true })
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'ui-file-browser.png') })
    await dialog.getByRole('button', { name: 'Open clip', exact: true }).click()
    await expect.poll(() => dialog.count()).toBe(0)
    await expect
      .poll(() => page.getByRole('button', { name: /^surf\.mp4/ }).textContent())
      .toContain('320×240')
  })

  it('Batch a folder… chooses both folders in the browser and restyles the folder', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await page.goto(url)
    await page.getByLabel('Prompt', { exact: true }).fill('ink')
    await page.getByRole('button', { name: 'Batch a folder…' }).click()
    const panel = page.getByRole('dialog', { name: 'Batch a folder' })
    // Both folders through the page's own file browser (a browser tab has no folder dialog).
    for (const [n, title, dir] of [
      [0, 'Batch: the folder of clips', path.join(root, 'more')],
      [1, 'Batch: where the results go', path.join(root, 'results')],
    ] as const) {
      await panel.getByRole('button', { name: 'Choose…' }).nth(n).click()
      const browse = page.getByRole('dialog', { name: title })
      // Its first listing loaded (it fills the path bar), so typing is not overwritten.
      await expect
        .poll(() => browse.getByLabel('Folder', { exact: true }).inputValue())
        .not.toBe('')
      await browse.getByLabel('Folder', { exact: true }).fill(dir)
      await browse.getByRole('button', { name: 'Go' }).click()
      await browse.getByRole('button', { name: 'Choose this folder' }).click()
      await browse.waitFor({ state: 'detached' })
    }
    await panel.getByRole('button', { name: 'Start batch' }).click()
    const summary = path.join(root, 'results', 'reanimate-summary.json')
    await expect
      .poll(() => fs.readFile(summary, 'utf8').catch(() => ''), { timeout: 60_000 })
      .toContain('surf.reanimate.mp4')
    expect(await fs.readdir(path.join(root, 'results'))).toContain('surf.reanimate.mp4')
    expect(emu.submits()).toHaveLength(1)
  })

  it('a file dropped into the tab is copied into the imports folder and opened', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await page.goto(url)
    await page.getByRole('button', { name: /^beach day\.mp4/ }).waitFor()
    const bytes = (await fs.readFile(path.join(root, 'more', 'surf.mp4'))).toString('base64')
    // What the OS hands a browser on a drop: a File with a name and bytes, and no path.
    await page.getByRole('complementary', { name: 'Library' }).evaluate((aside, data) => {
      // Browser globals, typed here because this file compiles for Node.
      const web = globalThis as unknown as {
        atob(s: string): string
        DataTransfer: new () => { items: { add(file: unknown): void } }
        File: new (parts: unknown[], name: string, options: object) => unknown
        DragEvent: new (type: string, init: object) => unknown
      }
      const raw = Uint8Array.from(web.atob(data), (c) => c.charCodeAt(0))
      const transfer = new web.DataTransfer()
      transfer.items.add(new web.File([raw], 'dropped wave.mp4', { type: 'video/mp4' }))
      ;(aside as unknown as { dispatchEvent(e: unknown): void }).dispatchEvent(
        new web.DragEvent('drop', { dataTransfer: transfer, bubbles: true }),
      )
    }, bytes)
    await expect
      .poll(() => page.getByRole('button', { name: /^dropped wave\.mp4/ }).textContent())
      .toContain('320×240')
    const imported = path.join(root, 'data', 'imports', 'dropped wave.mp4')
    expect((await fs.readFile(imported)).toString('base64')).toBe(bytes)
  })
})
