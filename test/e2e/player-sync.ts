import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import { compareReady } from './harness'

/**
 * How the e2e test and the benchmark measure the player: a take rendered at the local fal, opened
 * side by side, and every frame each video presents logged with `requestVideoFrameCallback`.
 */

/** [the time the frame was presented (the callback's `now`, ms), its mediaTime (s)] */
export type PresentedFrame = [number, number]

/** Renders a take of the selected clip and opens it beside the original, both with a frame. */
export async function renderTakeAndCompare(page: Page, prompt: string): Promise<void> {
  await page.getByLabel('Prompt', { exact: true }).fill(prompt)
  await page.keyboard.press('Escape')
  await page.keyboard.press('Control+Enter')
  await expect
    .poll(() => page.getByTestId('job-status').first().textContent(), { timeout: 120_000 })
    .toMatch(/^Done/)
  await page.getByRole('button', { name: 'Compare' }).click()
  await expect.poll(() => compareReady(page), { timeout: 20_000 }).toEqual([true, true])
}

/**
 * From now on, every frame each video presents is logged under its name (`names` maps a name to
 * the video's `data-testid`); `presentedFrames` returns the logs and stops them.
 */
export async function logPresentedFrames(page: Page, names: Record<string, string>) {
  await page.evaluate((names) => {
    type V = {
      requestVideoFrameCallback(cb: (now: number, m: { mediaTime: number }) => void): number
      cancelVideoFrameCallback(h: number): void
    }
    const g = globalThis as unknown as {
      document: { querySelector(s: string): V }
      presented: Record<string, [number, number][]>
      stopLogging: () => void
    }
    g.presented = {}
    const stops: (() => void)[] = []
    for (const [name, testid] of Object.entries(names)) {
      const v = g.document.querySelector(`[data-testid=${testid}]`)
      const log = (g.presented[name] = [] as [number, number][])
      let handle = 0
      const onFrame = (now: number, m: { mediaTime: number }) => {
        log.push([now, m.mediaTime])
        handle = v.requestVideoFrameCallback(onFrame)
      }
      handle = v.requestVideoFrameCallback(onFrame)
      stops.push(() => v.cancelVideoFrameCallback(handle))
    }
    g.stopLogging = () => stops.forEach((stop) => stop())
  }, names)
}

export async function presentedFrames(page: Page): Promise<Record<string, PresentedFrame[]>> {
  return page.evaluate(() => {
    const g = globalThis as unknown as {
      presented: Record<string, [number, number][]>
      stopLogging: () => void
    }
    g.stopLogging()
    return g.presented
  })
}

/**
 * At each frame the result presents (from `skipMs` after its first): the source moment on screen
 * then (the source's newest presented frame) against the result's, in seconds. The result shows
 * source time − `offsetSec` (the trim's in point).
 */
export function resultDrifts(
  source: PresentedFrame[],
  result: PresentedFrame[],
  { offsetSec = 0, skipMs = 0 }: { offsetSec?: number; skipMs?: number } = {},
): number[] {
  const start = result[0]?.[0] ?? 0
  const drifts: number[] = []
  let i = 0
  for (const [now, media] of result) {
    if (now - start < skipMs) continue
    while (i + 1 < source.length && (source[i + 1]?.[0] ?? Infinity) <= now) i++
    const shown = source[i]
    if (shown && shown[0] <= now) drifts.push(Math.abs(shown[1] - offsetSec - media))
  }
  return drifts
}
