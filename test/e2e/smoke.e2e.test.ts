import fs from 'node:fs/promises'
import path from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApp, type AppUnderTest } from './harness'

describe('app shell in Chromium over the WebSocket bridge', () => {
  let app: AppUnderTest

  beforeAll(async () => {
    app = await startApp()
  })
  afterAll(async () => {
    await app?.close()
  })

  it('renders the shell and reports the ffmpeg the real services resolved', async () => {
    const { page } = app
    await page.getByRole('heading', { name: 'Reanimate' }).waitFor()
    // No setting, no FFMPEG_PATH, no bundled binary here: the ffmpeg on PATH, and the app says so.
    const { stdout } = await execa('ffmpeg', ['-version'])
    const version = /^ffmpeg version (\S+)/.exec(stdout)?.[1]
    expect(version).toBeTruthy()
    // app.info went renderer → socket → dispatcher → Tools → ffmpeg -version and back.
    await expect
      .poll(() => page.getByTestId('statusbar').textContent())
      .toContain(`ffmpeg ${version}`)
    const shot = await app.screenshot('shell')
    expect((await fs.stat(shot)).size).toBeGreaterThan(5_000)
  })

  it('asks for a fal key on first run and saves one without ever showing it again', async () => {
    const { page } = app
    const badge = page.getByTestId('key-badge')
    await expect.poll(() => badge.textContent()).toBe('Add a fal key to render')
    await badge.click()
    await expect
      .poll(() => page.getByTestId('key-status').textContent())
      .toContain('https://fal.ai/dashboard/keys')

    const key = 'e2e-key-0123456789:abcdef'
    await page.getByLabel('fal key', { exact: true }).last().fill(key)
    await page.getByRole('form', { name: 'fal key' }).getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => badge.textContent()).toBe('fal key ready')
    // The field is cleared and the page holds no copy of the key.
    await expect
      .poll(() => page.getByLabel('fal key', { exact: true }).last().inputValue())
      .toBe('')
    expect(await page.content()).not.toContain(key)
    await app.screenshot('settings-key-saved')
    // Main holds it, not the page: a reload still has a key, and the page never gets it back.
    await page.reload()
    await expect.poll(() => page.getByTestId('key-badge').textContent()).toBe('fal key ready')
    expect(await page.content()).not.toContain(key)
  })

  it('checks the fal proxy URL in main and says why it is refused, beside the field', async () => {
    const { page } = app
    await page.getByRole('button', { name: 'Settings', exact: true }).click()
    const proxy = page.getByPlaceholder(/api\/fal\/proxy/)
    await proxy.fill('http://proxy.example.com/fal')
    await page.getByRole('button', { name: 'Use proxy…' }).click()
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toContain('fal proxy URL: plain http is only allowed on this computer')
    // In a browser, main has no dialog to confirm a proxy with: it refuses and says what to do.
    await proxy.fill('https://proxy.example.com/fal')
    await page.getByRole('button', { name: 'Use proxy…' }).click()
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toContain('set FAL_PROXY_URL')
    const saved = await fs
      .readFile(path.join(app.ui.dataDir, 'settings.json'), 'utf8')
      .catch(() => '{}')
    expect((JSON.parse(saved) as { falProxy?: unknown }).falProxy ?? null).toBeNull()
  })

  it('raised no console errors, page errors or CSP violations', () => {
    // The two refusals above reach the console as failed calls; nothing else may.
    expect(app.problems.filter((p) => !/fal proxy URL|FAL_PROXY_URL/.test(p))).toEqual([])
  })
})
