import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startFalEmulator, type FalEmulator } from '../fal-emulator/emulator'
import { clips, inspect } from '../media/clips'
import { compareReady, startApp, type AppUnderTest } from './harness'

/** The editor as a creator uses it: keys on the timeline, a prompt per segment, Ctrl+Enter. */
describe('the timeline editor, from the keyboard, against the local fal', () => {
  let app: AppUnderTest
  let emu: FalEmulator
  let dir: string

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-e2e-editor-'))
    const clip = await clips.basic(dir, 'skate.mp4', 4)
    emu = await startFalEmulator({ processingMs: 1500 })
    app = await startApp({ files: [clip], env: { FAL_PROXY_URL: emu.proxyUrl } })
  })
  afterAll(async () => {
    await app?.close()
    await emu?.close()
    await fs.rm(dir, { recursive: true, force: true })
  })

  const key = (k: string, times = 1) =>
    (async () => {
      for (let i = 0; i < times; i++) await app.page.keyboard.press(k)
    })()
  const timecode = () => app.page.getByTestId('timecode').textContent()
  const segments = () => app.page.getByTestId('segment').count()
  const target = () => app.page.getByTestId('inspector-target').textContent()

  it('sets in and out with I and O, splits with S, undoes and redoes', async () => {
    const { page } = app
    await page.getByTestId('segment').first().waitFor()
    // The source's audio under the filmstrip.
    await page.getByTestId('waveform').waitFor()
    await page.getByLabel('Prompt', { exact: true }).fill('base look')
    // Esc leaves the text field; the keys then drive the timeline.
    await key('Escape')
    await key('ArrowRight', 12)
    await expect.poll(timecode).toBe('00:00:00:12')
    await key('i')
    await key('Shift+ArrowRight', 3)
    await key('o')
    await expect
      .poll(() => page.getByTestId('timeline-range').textContent())
      .toBe('In 00:00:00:12 · Out 00:00:03:12')
    await key('Home')
    await expect.poll(timecode).toBe('00:00:00:12')
    await key('Shift+ArrowRight')
    await key('s')
    await expect.poll(segments).toBe(2)
    await key('Control+z')
    await expect.poll(segments).toBe(1)
    await key('Control+Shift+z')
    await expect.poll(segments).toBe(2)
  })

  it('gives each segment its own prompt where the playhead is, then renders both with Ctrl+Enter', async () => {
    const { page } = app
    // The playhead sits on the border: the second segment.
    await expect.poll(target).toContain('Segment 2 of 2')
    const prompt = page.getByLabel('Prompt', { exact: true })
    expect(await prompt.inputValue()).toBe('base look')
    await prompt.fill('oil second')
    await expect
      .poll(() => page.getByRole('button', { name: 'Reset Prompt to the clip' }).count())
      .toBe(1)
    await app.screenshots('editor-inspector-override')
    await key('Escape')
    await key('Home')
    await expect.poll(target).toContain('Segment 1 of 2')
    await prompt.fill('ink first')
    await key('Escape')
    await expect
      .poll(() => page.getByTestId('segment').allTextContents())
      .toEqual([expect.stringContaining('ink first'), expect.stringContaining('oil second')])
    // The border blends over 4 frames, rendered as overlap on both sides.
    await page.getByLabel('Crossfade at borders').fill('4')
    await key('Escape')
    await page.locator('.blend').first().waitFor()
    await app.screenshots('editor-timeline')

    await key('Control+Enter')
    // The take shows on the timeline while it renders, segment by segment.
    const take = page.getByTestId('take').first()
    await expect.poll(() => take.textContent(), { timeout: 30_000 }).toMatch(/Take 1 · 1: .* · 2: /)
    await app.screenshots('editor-takes-rendering')
    await expect
      .poll(() => page.getByTestId('job-status').first().textContent(), { timeout: 90_000 })
      .toMatch(/^Done/)
    const sent = emu.submits().map((e) => (e.body as { prompt: string }).prompt)
    expect(sent.sort()).toEqual(['ink first', 'oil second'])
    // The take covers in to out: 3 s of the source, the two segments blended at their border.
    const out = path.join(dir, 'skate.reanimate.mp4')
    expect((await inspect(out)).durationSec).toBeCloseTo(3, 0)
    await page.getByRole('button', { name: 'Compare' }).click()
    await expect.poll(() => compareReady(page), { timeout: 20_000 }).toEqual([true, true])
  })

  it('saves the project with Ctrl+S where the user chose, and a reload brings everything back', async () => {
    const { page } = app
    await page.getByRole('button', { name: 'Original', exact: true }).click()
    await key('Control+s')
    const dialog = page.getByRole('dialog', { name: 'Save project' })
    await expect.poll(() => dialog.getByLabel('Folder', { exact: true }).inputValue()).not.toBe('')
    await dialog.getByLabel('Folder', { exact: true }).fill(dir)
    await dialog.getByRole('button', { name: 'Go' }).click()
    await dialog.getByLabel('Name').fill('skate edit')
    await dialog.getByRole('button', { name: 'Save here' }).click()
    await expect.poll(() => page.getByTestId('project-title').textContent()).toBe('skate edit')
    const file = path.join(dir, 'skate edit.reanimate')
    const saved = JSON.parse(await fs.readFile(file, 'utf8')) as {
      clips: {
        path: string
        in: number
        crossfadeFrames?: number
        out: number
        segments: { params: { prompt?: string } }[]
      }[]
    }
    expect(saved.clips[0]).toMatchObject({
      path: 'skate.mp4',
      in: 0.48,
      out: 3.48,
      crossfadeFrames: 4,
    })
    expect(saved.clips[0]?.segments.map((s) => s.params.prompt)).toEqual([
      'ink first',
      'oil second',
    ])

    // The same project, headless: the take the window rendered is collected, not paid for again.
    emu.clearLog()
    const headless = await execa(process.execPath, [inject('cliPath'), 'render', file, '--json'], {
      env: {
        PATH: process.env.PATH,
        REANIMATE_DATA_DIR: app.ui.dataDir,
        FAL_PROXY_URL: emu.proxyUrl,
      },
      extendEnv: false,
      reject: false,
    })
    expect(headless.exitCode, headless.stderr).toBe(0)
    const result = JSON.parse(headless.stdout.trim().split('\n').at(-1) ?? '{}') as {
      outputs: { output: string; action: string }[]
    }
    expect(result.outputs).toEqual([
      expect.objectContaining({ output: path.join(dir, 'skate.reanimate.mp4'), action: 'done' }),
    ])
    expect(emu.submits()).toHaveLength(0)

    // An edit after saving, then a reload: the autosave has it, and the project knows it is unsaved.
    await key('Escape')
    await key('End')
    await key('ArrowLeft', 5)
    await key('s')
    await expect.poll(segments).toBe(3)
    await expect.poll(() => page.getByTestId('project-title').textContent()).toBe('skate edit •')
    // The autosave lands a moment after the last edit.
    const autosave = path.join(app.ui.dataDir, 'autosave.reanimate.json')
    await expect
      .poll(
        async () =>
          (await fs.readFile(autosave, 'utf8').catch(() => '')).split('"start"').length - 1,
        { timeout: 10_000 },
      )
      .toBe(3)
    await page.reload()
    await expect.poll(segments, { timeout: 15_000 }).toBe(3)
    expect(await page.getByTestId('segment').allTextContents()).toEqual([
      expect.stringContaining('ink first'),
      expect.stringContaining('oil second'),
      expect.stringContaining('oil second'),
    ])
    await expect
      .poll(() => page.getByTestId('timeline-range').textContent())
      .toBe('In 00:00:00:12 · Out 00:00:03:12')
    await expect.poll(() => page.getByTestId('project-title').textContent()).toBe('skate edit •')
    // Undo history starts afresh; Ctrl+S saves to the same file.
    await key('Control+s')
    await expect.poll(() => page.getByTestId('project-title').textContent()).toBe('skate edit')
    const again = JSON.parse(await fs.readFile(file, 'utf8')) as {
      clips: { segments: unknown[] }[]
    }
    expect(again.clips[0]?.segments).toHaveLength(3)
  })

  it('Open recent and the Open dialog list the saved project; choosing it there opens it', async () => {
    const { page } = app
    await page.getByRole('button', { name: 'Open recent ▾' }).click()
    const menu = page.getByRole('list', { name: 'Recent projects' })
    await expect.poll(() => menu.getByRole('button').allTextContents()).toEqual(['skate edit'])
    await key('Escape')
    await expect.poll(() => menu.count()).toBe(0)
    await key('Control+o')
    const dialog = page.getByRole('dialog', { name: 'Open project' })
    const recent = dialog.getByRole('region', { name: 'Recent projects' })
    await expect.poll(() => recent.getByRole('button').allTextContents()).toEqual(['skate edit'])
    await recent.getByRole('button', { name: 'skate edit' }).click()
    await expect.poll(() => dialog.count()).toBe(0)
    await expect.poll(segments).toBe(3)
    await expect.poll(() => page.getByTestId('project-title').textContent()).toBe('skate edit')
  })

  it('lists every shortcut with ?', async () => {
    await key('?')
    const list = app.page.getByRole('dialog', { name: 'Keyboard shortcuts' })
    await expect.poll(() => list.textContent()).toContain('split at the playhead')
    await key('Escape')
    await expect.poll(() => list.count()).toBe(0)
  })

  it('raised no page errors', () => {
    expect(app.problems).toEqual([])
  })
})
