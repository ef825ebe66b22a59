import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFalEmulator, type FalEmulator } from '../fal-emulator/emulator'
import { clips } from '../media/clips'
import { startApp, type AppUnderTest } from './harness'

/**
 * The queue panel with renders under way and finished, against the local fal: one slot at fal,
 * so the second render waits in fal's queue while the first renders.
 */
describe('the queue panel', () => {
  let app: AppUnderTest
  let emu: FalEmulator
  let dir: string

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-e2e-queue-'))
    const clip = await clips.basic(dir, 'wave.mp4', 2)
    emu = await startFalEmulator({ processingMs: 6000, concurrency: 1 })
    app = await startApp({ files: [clip], env: { FAL_PROXY_URL: emu.proxyUrl } })
  })
  afterAll(async () => {
    await app?.close()
    await emu?.close()
    await fs.rm(dir, { recursive: true, force: true })
  })

  const row = (prompt: string) => app.page.getByTestId('job').filter({ hasText: prompt })
  const status = (prompt: string) => row(prompt).getByTestId('job-status').textContent()

  it('shows each render’s stage, fal queue position from 1, elapsed and ETA while running', async () => {
    const { page } = app
    await expect.poll(() => page.getByTestId('render-estimate').textContent()).toMatch(/at fal/)
    for (const prompt of ['ink wash waves', 'oil paint waves']) {
      await page.getByLabel('Prompt', { exact: true }).fill(prompt)
      await page.getByRole('button', { name: /^Render wave/ }).click()
      await expect.poll(() => row(prompt).count(), { timeout: 10_000 }).toBe(1)
    }
    // Whichever reached fal first renders; the other waits in fal's queue, counted from 1.
    const both = async () => {
      const texts = [await status('ink wash waves'), await status('oil paint waves')]
      const rendering = texts.findIndex((t) => /^Rendering at fal · elapsed/.test(t ?? ''))
      const waiting = texts.findIndex((t) => /^Waiting: 1st in fal's queue · elapsed/.test(t ?? ''))
      return rendering >= 0 && waiting >= 0 ? { texts, rendering } : null
    }
    await expect.poll(both, { timeout: 30_000 }).not.toBeNull()
    const state = await both()
    const first = state?.rendering === 1 ? 'oil paint waves' : 'ink wash waves'
    await expect
      .poll(() => status(first))
      .toMatch(/^Rendering at fal · elapsed \d:\d\d · about \d+ (s|min) left$/)
    expect(
      await row(first).getByRole('progressbar', { name: 'wave.mp4: Rendering at fal' }).count(),
    ).toBe(1)
    // At fal it can be abandoned (stop following it), which the button's hover explains.
    await expect.poll(() => row(first).getByRole('button', { name: 'Abandon' }).count()).toBe(1)
    await app.screenshots('queue-running')
    await row(first).getByRole('button', { name: /^Log/ }).click()
    await expect
      .poll(() => row(first).getByLabel("fal's log for wave.mp4").textContent())
      .toMatch(/submitted as request[\s\S]*fal: (Loading model|Step)/)
    await row(first).getByRole('button', { name: 'Hide log' }).click()
  })

  it('finished rows: thumbnail, path, Open, Show in folder or Copy path, Use these settings', async () => {
    const { page } = app
    for (const prompt of ['ink wash waves', 'oil paint waves'])
      await expect.poll(() => status(prompt), { timeout: 90_000 }).toMatch(/^Done · seed \d+/)
    const done = row('ink wash waves')
    for (const prompt of ['ink wash waves', 'oil paint waves'])
      await expect
        .poll(
          () =>
            row(prompt)
              .getByRole('img', { name: /^First frame of wave/ })
              .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
          { timeout: 20_000 },
        )
        .toBeGreaterThan(0)
    expect(await done.locator('code').textContent()).toMatch(/wave.*\.mp4$/)
    for (const name of ['Open', 'Copy path', 'Use these settings', 'Compare'])
      expect(await done.getByRole('button', { name }).count()).toBe(1)
    await app.screenshots('queue-finished')
    // main timed fal on those renders: the estimate next to Render is learned, not a first guess.
    await expect
      .poll(() => page.getByTestId('render-estimate').textContent())
      .toMatch(/^about \d+ (s|min) at fal$/)

    // The first take's settings back into the inspector, as they were sent: fal chose its seed, so
    // Seed stays empty and Render collects that take instead of paying for it again.
    await done.getByRole('button', { name: 'Use these settings' }).click()
    await expect
      .poll(() => page.getByLabel('Prompt', { exact: true }).inputValue())
      .toBe('ink wash waves')
    expect(await page.getByLabel('Seed', { exact: true }).inputValue()).toBe('')
    // One Undo puts the last ones back; Redo brings the take's again.
    await page.keyboard.press('Control+z')
    await expect
      .poll(() => page.getByLabel('Prompt', { exact: true }).inputValue())
      .toBe('oil paint waves')
    await page.keyboard.press('Control+Shift+z')
    await expect
      .poll(() => page.getByLabel('Prompt', { exact: true }).inputValue())
      .toBe('ink wash waves')
    await page.getByRole('button', { name: /^Render wave/ }).click()
    await expect
      .poll(() => page.getByText(/^Already rendered/).count(), { timeout: 10_000 })
      .toBeGreaterThan(0)
    expect(emu.submits()).toHaveLength(2)
  })

  it('Clear finished hides the rows, and rendering the same again still pays nothing', async () => {
    const { page } = app
    expect(emu.submits()).toHaveLength(2)
    await page.getByRole('button', { name: 'Clear finished' }).click()
    await expect.poll(() => page.getByTestId('job').count()).toBe(0)
    // The inspector holds a finished take's settings: the identical render.
    await page.getByRole('button', { name: /^Render wave/ }).click()
    await expect
      .poll(() => page.getByText(/^Already rendered/).count(), { timeout: 10_000 })
      .toBeGreaterThan(0)
    expect(emu.submits()).toHaveLength(2)
    expect(app.problems).toEqual([])
  })
})
