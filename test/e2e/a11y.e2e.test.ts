import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFalEmulator, type FalEmulator } from '../fal-emulator/emulator'
import { clips } from '../media/clips'
import { startApp, type AppUnderTest } from './harness'

const require = createRequire(import.meta.url)

/**
 * axe-core, put into the page through the debugger protocol (page.evaluate): the app's CSP allows
 * no inline script, and the check must not loosen it.
 */
let axeSource = ''
async function withAxe(page: Page): Promise<void> {
  axeSource ||= await fs.readFile(require.resolve('axe-core/axe.min.js'), 'utf8')
  const loaded = await page.evaluate(`'axe' in window`)
  if (!loaded) await page.evaluate(axeSource)
}

/** axe's violations on the page as it is now, one line each (rule, what, where). */
async function violations(page: Page): Promise<string[]> {
  await withAxe(page)
  // In the page (a string: the test's own types have no DOM).
  return page.evaluate<string[]>(`(async () => {
    const result = await axe.run(document, {
      resultTypes: ['violations'],
      // Every rule but one: the resize handles between the panels (react-resizable-panels'
      // separators) sit between landmarks by their nature; each is labelled and works by keyboard.
      rules: { region: { enabled: false } },
    })
    return result.violations.map(
      (v) =>
        v.id + ' (' + v.impact + '): ' + v.help + ' at ' +
        v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(', '),
    )
  })()`)
}

/** Every input, select, textarea and button shown (and not aria-hidden), without an accessible name (axe computes it). */
async function unnamedControls(page: Page): Promise<string[]> {
  await withAxe(page)
  return page.evaluate<string[]>(`(() => {
    axe.setup(document)
    try {
      return [...document.querySelectorAll('input, select, textarea, button')]
        .filter((el) => el.type !== 'hidden' && el.checkVisibility())
        // Hidden from assistive technology on purpose (a slider doubling a named number field).
        .filter((el) => !el.closest('[aria-hidden="true"]'))
        .filter((el) => !axe.commons.text.accessibleText(el).trim())
        .map((el) => el.outerHTML.slice(0, 160))
    } finally {
      axe.teardown()
    }
  })()`)
}

/** Whether the keyboard focus is inside the element `selector` finds. */
const focusIn = (page: Page, selector: string) =>
  page.evaluate<boolean>(
    `document.querySelector(${JSON.stringify(selector)})?.contains(document.activeElement) ?? false`,
  )

/** Through Settings' Appearance, as a user switches it. */
async function useTheme(page: Page, theme: 'Light' | 'Dark' | 'Follow the system') {
  await page.getByRole('button', { name: 'Settings', exact: true }).click()
  const drawer = page.getByRole('dialog', { name: 'Settings' })
  await drawer.getByRole('radio', { name: theme }).check()
  await expect
    .poll(() => page.evaluate(`document.documentElement.dataset.theme`))
    .toBe(theme === 'Follow the system' ? 'light' : theme.toLowerCase())
  await page.keyboard.press('Escape')
  await expect.poll(() => drawer.count()).toBe(0)
}

describe('accessibility of the main views, in both themes (axe-core, real app)', () => {
  let app: AppUnderTest
  let emu: FalEmulator
  let dir: string

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-e2e-a11y-'))
    const clip = await clips.basic(dir, 'harbour.mp4', 3)
    emu = await startFalEmulator({ processingMs: 500 })
    app = await startApp({ files: [clip], env: { FAL_PROXY_URL: emu.proxyUrl } })
    await app.page.getByTestId('segment').first().waitFor()
  })
  afterAll(async () => {
    await app?.close()
    await emu?.close()
    await fs.rm(dir, { recursive: true, force: true })
  })

  for (const theme of ['Dark', 'Light'] as const) {
    describe(`${theme.toLowerCase()} theme`, () => {
      it(`switches to ${theme} in Settings → Appearance`, async () => {
        await useTheme(app.page, theme)
      })

      it('the editor with a clip has no axe violations', async () => {
        expect(await violations(app.page)).toEqual([])
        await app.screenshots(`workbench-${theme.toLowerCase()}`, { themes: false })
      })

      it('Settings, open, has no axe violations, and takes focus; Esc gives it back', async () => {
        const { page } = app
        const opener = page.getByRole('button', { name: 'Settings', exact: true })
        await opener.click()
        const drawer = page.getByRole('dialog', { name: 'Settings' })
        await drawer.waitFor()
        expect(await focusIn(page, '.drawer[role=dialog]')).toBe(true)
        expect(await violations(page)).toEqual([])
        expect(await unnamedControls(page)).toEqual([])
        await app.screenshots(`settings-${theme.toLowerCase()}`, { themes: false })
        await page.keyboard.press('Escape')
        await expect.poll(() => drawer.count()).toBe(0)
        expect(await page.evaluate(`document.activeElement?.textContent`)).toBe('Settings')
      })

      it('the file browser, open, has no axe violations and closes on Esc', async () => {
        const { page } = app
        await page.getByRole('button', { name: 'Open clips…' }).click()
        const dialog = page.getByRole('dialog', { name: 'Open clips' })
        await dialog.getByRole('button', { name: 'Go' }).waitFor()
        expect(await focusIn(page, '.file-browser[role=dialog]')).toBe(true)
        expect(await violations(page)).toEqual([])
        expect(await unnamedControls(page)).toEqual([])
        await page.keyboard.press('Escape')
        await expect.poll(() => dialog.count()).toBe(0)
      })
    })
  }

  it('at 1024×640 every panel is there and Render is in view without scrolling', async () => {
    const { page } = app
    const size = page.viewportSize()
    await page.setViewportSize({ width: 1024, height: 640 })
    try {
      for (const name of ['Library', 'Player', 'Queue', 'Inspector']) {
        const box = await page.getByLabel(name, { exact: true }).first().boundingBox()
        expect(box?.width ?? 0, name).toBeGreaterThan(80)
      }
      const render = page.getByRole('button', { name: /^Render / })
      const box = await render.boundingBox()
      expect(box).not.toBeNull()
      expect((box?.y ?? Infinity) + (box?.height ?? 0)).toBeLessThanOrEqual(640)
      await app.screenshot('workbench-1024')
    } finally {
      if (size) await page.setViewportSize(size)
    }
  })

  it('a panel collapses from its toggle, stays collapsed after a reload, and comes back', async () => {
    const { page } = app
    const toggle = page
      .getByRole('group', { name: 'Panels' })
      .getByRole('button', { name: 'Queue' })
    const queueHeight = async () =>
      (await page.locator('[data-panel]#queue').boundingBox())?.height ?? 0
    expect(await toggle.getAttribute('aria-pressed')).toBe('true')
    await toggle.click()
    await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('false')
    await expect.poll(queueHeight).toBeLessThan(2)
    await page.reload()
    await page.getByTestId('segment').first().waitFor()
    await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('false')
    await toggle.click()
    await expect.poll(queueHeight).toBeGreaterThan(60)
  })

  it('every input, select, textarea and button in the editor has an accessible name', async () => {
    expect(await unnamedControls(app.page)).toEqual([])
  })

  it('raised no page errors or CSP violations', () => {
    expect(app.problems).toEqual([])
  })
})
