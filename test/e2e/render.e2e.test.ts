import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFalEmulator, type FalEmulator } from '../fal-emulator/emulator'
import { clips, inspect } from '../media/clips'
import { compareReady, startApp, type AppUnderTest } from './harness'

describe('render a clip from the UI, against the local fal', () => {
  let app: AppUnderTest
  let emu: FalEmulator
  let dir: string
  let clip: string

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-e2e-clips-'))
    clip = await clips.basic(dir, 'beach day.mp4', 2)
    emu = await startFalEmulator({ processingMs: 200 })
    // `reanimate ui "beach day.mp4"`: the clip opens in the library, selected.
    app = await startApp({ files: [clip], env: { FAL_PROXY_URL: emu.proxyUrl } })
  })
  afterAll(async () => {
    await app?.close()
    await emu?.close()
    await fs.rm(dir, { recursive: true, force: true })
  })

  it('opens the clip from the command line, with its poster and facts', async () => {
    const { page } = app
    await expect.poll(() => page.getByRole('list').first().textContent()).toContain('beach day.mp4')
    await expect.poll(() => page.getByLabel('Clip facts').textContent()).toContain('320×240')
    await page.getByTestId('poster').waitFor()
    expect(
      await page
        .getByTestId('poster')
        .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
    ).toBe(96)
  })

  it('renders with the parameters typed in the inspector and compares side by side', async () => {
    const { page } = app
    await page.getByLabel('Prompt', { exact: true }).fill('a watercolor beach')
    await page.getByRole('spinbutton', { name: /Steps/ }).fill('6')
    await page.getByRole('button', { name: /^Render/ }).click()
    await expect
      .poll(() => page.getByTestId('job-status').first().textContent(), { timeout: 60_000 })
      .toMatch(/^Done/)
    expect(emu.submits().map((e) => e.body)).toEqual([
      expect.objectContaining({
        prompt: 'a watercolor beach',
        num_inference_steps: 6,
        guidance_scale: 2.2,
      }),
    ])
    const out = path.join(dir, 'beach day.reanimate.mp4')
    expect((await inspect(out)).audioStreams).toBe(1)
    await page.getByRole('button', { name: 'Compare' }).click()
    await page.getByTestId('compare').waitFor()
    // Both videos load through the bridge's allow-listed media route.
    await expect.poll(() => compareReady(page), { timeout: 20_000 }).toEqual([true, true])
    await app.screenshot('compare')
  })

  it('says where the result went: a browser tab has no file manager, so the path and Copy path', async () => {
    const { page } = app
    const out = path.join(dir, 'beach day.reanimate.mp4')
    const job = page.getByTestId('job').filter({ hasText: 'a watercolor beach' })
    await expect.poll(() => job.locator('code').textContent()).toBe(out)
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'])
    await job.getByRole('button', { name: 'Copy path' }).click()
    await expect.poll(() => page.getByText('Path copied.').count()).toBe(1)
    expect(
      await page.evaluate(() =>
        (
          globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
        ).navigator.clipboard.readText(),
      ),
    ).toBe(out)
  })

  it('a second Render of the same clip and parameters pays nothing; Render again makes a new take', async () => {
    const { page } = app
    emu.clearLog()
    await page.getByRole('button', { name: /^Render beach/ }).click()
    await expect
      .poll(() => page.getByText(/Already rendered: .*beach day\.reanimate\.mp4/).count())
      .toBe(1)
    expect(emu.submits()).toHaveLength(0)
    await app.screenshot('render-again')
    await page.getByRole('button', { name: 'Render again' }).click()
    await expect.poll(() => emu.submits().length, { timeout: 30_000 }).toBe(1)
    const take2 = path.join(dir, 'beach day.reanimate (2).mp4')
    await expect
      .poll(
        () =>
          fs.access(take2).then(
            () => true,
            () => false,
          ),
        { timeout: 60_000 },
      )
      .toBe(true)
    expect(emu.submits()).toHaveLength(1)
  })

  it('refuses a render with an invalid parameter, naming its control, without calling fal', async () => {
    const { page } = app
    emu.clearLog()
    await page.getByRole('spinbutton', { name: /Guidance/ }).fill('9')
    await expect
      .poll(() => page.getByText('Guidance must be from 1 to 2.5 (got 9)').count())
      .toBe(1)
    expect(await page.getByRole('button', { name: /^Render / }).isDisabled()).toBe(true)
    expect(emu.log).toEqual([])
  })

  it('raised no page errors', () => {
    expect(app.problems).toEqual([])
  })
})
