import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFalEmulator, type FalEmulator } from '../fal-emulator/emulator'
import { clips } from '../media/clips'
import { parsePreset } from '../../src/shared/presets'
import { startApp, type AppUnderTest } from './harness'

/**
 * A folder batched from the batch panel in `reanimate ui`: three clips, one of them corrupt. The
 * panel previews the folder, shows N of M while it runs and a summary naming the corrupt file; the
 * taskbar progress goes up to 1 and is cleared; running it again pays for nothing.
 */
describe('the batch panel: a folder of three clips, one corrupt', () => {
  let app: AppUnderTest
  let emu: FalEmulator
  let root: string
  let folder: string
  let outDir: string
  let desktopLog: string

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-e2e-batch-'))
    folder = path.join(root, 'shoot')
    outDir = path.join(root, 'results')
    await fs.mkdir(folder)
    await fs.mkdir(outDir)
    await clips.basic(folder, 'beach.mp4', 1)
    await clips.basic(folder, 'harbour.mp4', 1.2)
    await fs.writeFile(path.join(folder, 'corrupt.mp4'), Buffer.alloc(8192, 7))
    desktopLog = path.join(root, 'desktop.jsonl')
    emu = await startFalEmulator({ processingMs: 1500 })
    app = await startApp({
      env: { FAL_PROXY_URL: emu.proxyUrl, REANIMATE_TEST_DESKTOP_LOG: desktopLog },
    })
  })
  afterAll(async () => {
    await app?.close()
    await emu?.close()
    await fs.rm(root, { recursive: true, force: true })
  })

  /** The page's own file browser (a browser tab has no folder dialog): a folder typed and chosen. */
  async function chooseFolder(page: Page, title: string, dir: string) {
    const browser = page.getByRole('dialog', { name: title })
    await browser.getByRole('textbox', { name: 'Folder' }).fill(dir)
    await browser.getByRole('button', { name: 'Choose this folder' }).click()
    await browser.waitFor({ state: 'detached' })
  }

  const panelOf = (page: Page): Locator => page.getByRole('dialog', { name: 'Batch a folder' })
  const progressLog = async () =>
    (await fs.readFile(desktopLog, 'utf8').catch(() => ''))
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { progress: number | null }).progress)

  it('previews the folder: the corrupt clip is named as skipped, with why', async () => {
    const { page } = app
    await page.getByLabel('Prompt', { exact: true }).fill('ink wash painting')
    await page.getByRole('spinbutton', { name: /Steps/ }).fill('6')
    await page.getByRole('button', { name: 'Batch a folder…' }).click()
    const panel = panelOf(page)
    await panel.waitFor()
    // Focus moved into the panel.
    expect(await panel.evaluate((d) => d.contains(d.ownerDocument.activeElement))).toBe(true)

    await panel.getByRole('button', { name: 'Choose…' }).first().click()
    await chooseFolder(page, 'Batch: the folder of clips', folder)
    await panel.getByRole('button', { name: 'Choose…' }).nth(1).click()
    await chooseFolder(page, 'Batch: where the results go', outDir)

    const preview = panel.getByRole('region', { name: 'Clips found' })
    await expect
      .poll(() => preview.getByRole('status').textContent(), { timeout: 30_000 })
      .toBe('2 to render, 1 skipped')
    const corrupt = preview.getByRole('listitem').filter({ hasText: 'corrupt.mp4' })
    expect(await corrupt.textContent()).toContain('skipped: cannot be read as a video')
    await panel.getByLabel('Name template').fill('{stem}.ink')
    expect(await panel.getByText('beach.mp4 becomes beach.ink.mp4').count()).toBe(1)
    await app.screenshots('batch-preview')
  })

  it('a folder dropped on Clips in a tab: told to use Choose…, said at once to a screen reader; the folder stays', async () => {
    const { page } = app
    const panel = panelOf(page)
    await panel.getByRole('heading', { name: 'Clips' }).evaluate((target) => {
      const web = globalThis as unknown as {
        DataTransfer: new () => { items: { add(file: unknown): void } }
        File: new (parts: unknown[], name: string) => unknown
        DragEvent: new (type: string, init: object) => unknown
      }
      const transfer = new web.DataTransfer()
      transfer.items.add(new web.File(['x'], 'day 2'))
      ;(target as unknown as { dispatchEvent(e: unknown): void }).dispatchEvent(
        new web.DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }),
      )
    })
    // The toast region is polite; the error is also in an assertive one (role=alert).
    await expect
      .poll(() => page.getByTestId('error-announcer').textContent())
      .toMatch(/not told where a dropped folder is on your disk\. Use Choose… beside Folder/)
    expect(await page.getByTestId('error-announcer').getAttribute('role')).toBe('alert')
    expect(await panel.getByRole('textbox', { name: 'Folder', exact: true }).inputValue()).toBe(
      folder,
    )
    // Nothing reached the library: the drop was the panel's.
    expect(await page.getByText('day 2').count()).toBe(0)
    await page.getByRole('button', { name: 'Dismiss' }).first().click()
  })

  it('saves the values as a preset', async () => {
    const { page } = app
    const panel = panelOf(page)
    await panel.getByRole('button', { name: 'Save as preset…' }).click()
    await panel.getByLabel('Preset name').fill('Ink wash')
    await panel.getByRole('button', { name: 'Save preset' }).click()
    await expect
      .poll(() => panel.getByRole('combobox', { name: 'Preset' }).inputValue())
      .toBe('Ink wash')
    await panel.getByRole('button', { name: 'Rename…' }).click()
    await panel.getByLabel('New name').waitFor()
    await app.screenshots('presets')
    await panel.getByRole('button', { name: 'Cancel' }).click()

    // Export into a folder chosen in the page's file browser: a file the CLI reads as it is.
    await panel.getByRole('button', { name: 'Export…' }).click()
    await chooseFolder(page, 'Export “Ink wash”: choose a folder', root)
    const exported = path.join(root, 'Ink wash.json')
    await expect
      .poll(() =>
        fs.access(exported).then(
          () => true,
          () => false,
        ),
      )
      .toBe(true)
    const file = JSON.parse(await fs.readFile(exported, 'utf8')) as unknown
    expect(parsePreset(file)).toMatchObject({
      ok: true,
      preset: { nameTemplate: '{stem}.ink', params: { prompt: 'ink wash painting' } },
    })

    // Import it back: one preset file chosen in the browser, kept under a free name.
    await panel.getByRole('button', { name: 'Import…' }).click()
    const browser = page.getByRole('dialog', { name: 'Import a preset' })
    await browser.getByRole('textbox', { name: 'Folder' }).fill(root)
    await browser.getByRole('button', { name: 'Go' }).click()
    await browser.getByRole('button', { name: 'Ink wash.json' }).click()
    await browser.getByRole('button', { name: 'Import this preset' }).click()
    await expect
      .poll(() => panel.getByRole('combobox', { name: 'Preset' }).inputValue())
      .toBe('Ink wash (2)')
    await panel.getByRole('button', { name: 'Delete…' }).click()
    await panel.getByRole('button', { name: 'Delete preset' }).click()
    await expect
      .poll(() => panel.getByRole('combobox', { name: 'Preset' }).inputValue())
      .toBe('current')
    await panel.getByRole('combobox', { name: 'Preset' }).selectOption('Ink wash')
  })

  it('runs: N of M, the jobs under it, then the summary naming the corrupt file; the taskbar follows', async () => {
    const { page } = app
    const panel = panelOf(page)
    await panel.getByRole('button', { name: 'Start batch' }).click()
    await panel.getByRole('progressbar', { name: 'Batch progress' }).waitFor()
    // The answer comes once the first clip is planned; the count says "so far" until the folder
    // is read, then it is the whole batch.
    expect(await panel.getByTestId('batch-count').textContent()).toMatch(/^[01] of [12]( so far)?$/)
    await expect.poll(() => panel.getByTestId('batch-count').textContent()).toMatch(/^[012] of 2$/)
    await expect
      .poll(() => panel.getByRole('list', { name: 'Jobs of this batch' }).textContent())
      .toContain('harbour.mp4')
    await app.screenshots('batch-running')

    await expect
      .poll(() => panel.getByTestId('batch-count').textContent(), { timeout: 90_000 })
      .toBe('2 of 2')
    const summary = panel.getByRole('region', { name: 'Summary' })
    await summary.waitFor({ timeout: 30_000 })
    expect(await summary.getByRole('status').textContent()).toBe(
      '2 succeeded, 1 failed, 0 skipped.',
    )
    expect(await summary.getByRole('listitem').filter({ hasText: 'corrupt.mp4' }).count()).toBe(1)
    await fs.access(path.join(outDir, 'beach.ink.mp4'))
    await fs.access(path.join(outDir, 'harbour.ink.mp4'))
    expect(emu.submits()).toHaveLength(2)
    for (const s of emu.submits())
      expect(s.body).toMatchObject({ prompt: 'ink wash painting', num_inference_steps: 6 })

    await panel.getByRole('button', { name: 'Open summary' }).click()
    await expect
      .poll(() => summary.locator('code').textContent())
      .toBe(path.join(outDir, 'reanimate-summary.json'))
    await app.screenshots('batch-summary')

    // The taskbar progress the desktop app would show: from 0 up to 1, then cleared.
    const calls = await progressLog()
    expect(calls.at(-1)).toBeNull()
    const values = calls.slice(0, -1) as number[]
    expect(values[0]).toBe(0)
    expect(values.at(-1)).toBe(1)
    expect([...values].sort((a, b) => a - b)).toEqual(values)
  })

  it('a second run on the same folder with the same preset submits nothing', async () => {
    const { page } = app
    const panel = panelOf(page)
    await panel.getByRole('button', { name: 'New batch' }).click()
    expect(await panel.getByRole('combobox', { name: 'Preset' }).inputValue()).toBe('Ink wash')
    const preview = panel.getByRole('region', { name: 'Clips found' })
    await expect
      .poll(() => preview.getByRole('status').textContent(), { timeout: 30_000 })
      .toBe('0 to render, 2 already rendered (not paid again), 1 skipped')
    await panel.getByRole('button', { name: 'Start batch' }).click()
    const summary = panel.getByRole('region', { name: 'Summary' })
    await summary.waitFor({ timeout: 30_000 })
    expect(await summary.getByRole('status').textContent()).toBe(
      '2 succeeded, 1 failed, 0 skipped.',
    )
    expect(emu.submits()).toHaveLength(2)
    expect(app.problems).toEqual([])
  })
})
