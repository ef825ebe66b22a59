import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFalEmulator, type FalEmulator } from '../fal-emulator/emulator'
import { clips } from '../media/clips'
import { startApp, type AppUnderTest } from './harness'
import {
  logPresentedFrames,
  presentedFrames,
  renderTakeAndCompare,
  resultDrifts,
} from './player-sync'

/** Original and take on one clock: measured frame by frame, as the viewer sees them. */
describe('the player keeps the original and the result together', () => {
  let app: AppUnderTest
  let emu: FalEmulator
  let dir: string

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-e2e-player-'))
    const clip = await clips.basic(dir, 'long take.mp4', 12)
    emu = await startFalEmulator({ processingMs: 100 })
    app = await startApp({ files: [clip], env: { FAL_PROXY_URL: emu.proxyUrl } })
  })
  afterAll(async () => {
    await app?.close()
    await emu?.close()
    await fs.rm(dir, { recursive: true, force: true })
  })

  it('drifts at most one result frame over 10 s of side-by-side playback', async () => {
    const { page } = app
    await renderTakeAndCompare(page, 'drift check')
    await logPresentedFrames(page, { source: 'source-video', result: 'result-video' })
    await page.keyboard.press('Space')
    await page.waitForTimeout(10_500)
    await page.keyboard.press('Space')
    const { source = [], result = [] } = await presentedFrames(page)
    expect(source.length).toBeGreaterThan(200)
    expect(result.length).toBeGreaterThan(100)
    // After the first second (the start of playback, when the result joins).
    const resultFrame = 2 / 25
    const drifts = resultDrifts(source, result, { skipMs: 1000 })
    const worst = Math.max(...drifts)
    console.log(
      `player drift over ${drifts.length} result frames: worst ${(worst * 1000).toFixed(0)} ms (${(worst / resultFrame).toFixed(2)} result frames), ${drifts.filter((d) => d > resultFrame / 2 + 1e-3).length} over half a result frame`,
    )
    expect(worst).toBeLessThanOrEqual(resultFrame + 1e-3)
  })

  it('wipes the result over the original, with a divider the user drags', async () => {
    const { page } = app
    await page.keyboard.press('w')
    await page.getByTestId('wipe').waitFor()
    await page.getByLabel('Wipe position').fill('0.3')
    expect(
      await page
        .getByTestId('result-video')
        .evaluate((v) => (v as unknown as { style: { clipPath: string } }).style.clipPath),
    ).toBe('inset(0px 0px 0px 30%)')
    await app.screenshots('player-wipe')
    await page.keyboard.press('w')
    await page.getByTestId('compare').waitFor()
    await app.screenshots('player-side-by-side')
  })

  it('shuttles with J, K and L: faster each press, backwards by seeking, K stops', async () => {
    const { page } = app
    await page.getByTestId('source-video').waitFor()
    await page.keyboard.press('Escape')
    const seconds = async () => {
      const [s = '0', f = '0'] = ((await page.getByTestId('timecode').textContent()) ?? '')
        .split(':')
        .slice(-2)
      return Number(s) + Number(f) / 25
    }
    const rate = () =>
      page
        .getByTestId('source-video')
        .evaluate((v) => (v as unknown as { playbackRate: number }).playbackRate)
    await page.keyboard.press('l')
    await page.keyboard.press('l')
    await expect.poll(rate).toBe(2)
    const badge = () => page.getByTestId('shuttle-speed').textContent({ timeout: 2000 })
    await expect.poll(badge).toBe('2× ▶')
    await page.keyboard.press('k')
    await expect.poll(() => page.getByTestId('shuttle-speed').count()).toBe(0)
    // Backwards from the middle of the clip: the playhead goes down, the source follows it.
    await page.keyboard.press('End')
    await page.keyboard.press('Shift+ArrowLeft')
    await page.keyboard.press('Shift+ArrowLeft')
    const from = await seconds()
    await page.keyboard.press('j')
    await page.keyboard.press('j')
    await expect.poll(badge).toBe('◀ 2×')
    await page.waitForTimeout(1000)
    await page.keyboard.press('k')
    const to = await seconds()
    expect(from - to).toBeGreaterThan(0.8)
    expect(from - to).toBeLessThan(3)
    await expect
      .poll(() =>
        page
          .getByTestId('source-video')
          .evaluate((v) => (v as unknown as { currentTime: number }).currentTime),
      )
      .toBeCloseTo(to, 1)
  })
})
