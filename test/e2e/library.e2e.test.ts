import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clips, ffmpeg, tempDir } from '../media/clips'
import { startApp, type AppUnderTest } from './harness'

/** One file of the folder the test drops: where it sits in it, and its bytes. */
interface Dropped {
  path: string
  base64: string
}

/**
 * The library as a creator fills it: a whole folder dropped into the browser tab, several clips
 * picked, searched, removed and brought back.
 *
 * Chromium only hands out directory entries (`webkitGetAsEntry`) for a real OS drag, which a
 * headless browser cannot make: a DataTransfer built in the page has no file-system backing. So
 * the drop's `items` are the one stand-in here, entries built in the page from the folder's real
 * bytes with the same shape as Chromium's (a reader handing out batches, then an empty one).
 * Everything after the page reads the entries is real: the walk, the uploads to `/import`, ffprobe,
 * posters, the window.
 */
describe('the library: a dropped folder, several clips picked, search, remove and undo', () => {
  let app: AppUnderTest
  let dir: string
  let folder: Dropped[]

  beforeAll(async () => {
    dir = await tempDir('reanimate-e2e-library-')
    const shoot = path.join(dir, 'shoot')
    await fs.mkdir(path.join(shoot, 'evening'), { recursive: true })
    await clips.basic(shoot, 'beach day.mp4', 3)
    await clips.basic(shoot, 'skate park.mp4', 2)
    await clips.basic(path.join(shoot, 'evening'), 'beach night.mp4', 5)
    // A phone clip, taller than wide.
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=240x426:rate=30:duration=2',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      path.join(shoot, 'beach portrait.mp4'),
    ])
    // Named as a video, but not one: it stays listed with its reason.
    await fs.writeFile(path.join(shoot, 'beach corrupt.mp4'), 'not a video at all\n'.repeat(50))
    await fs.writeFile(path.join(shoot, 'shot list.txt'), 'beach, skate, night\n')
    await fs.writeFile(path.join(shoot, '.hidden.mp4'), 'x')
    folder = []
    for (const rel of [
      'beach day.mp4',
      'skate park.mp4',
      'evening/beach night.mp4',
      'beach portrait.mp4',
      'beach corrupt.mp4',
      'shot list.txt',
      '.hidden.mp4',
    ])
      folder.push({
        path: rel,
        base64: (await fs.readFile(path.join(shoot, rel))).toString('base64'),
      })
    app = await startApp()
  })
  afterAll(async () => {
    await app?.close()
    await fs.rm(dir, { recursive: true, force: true })
  })

  const card = (name: string) =>
    app.page.getByRole('button', { name: new RegExp(`^${name.replace('.', '\\.')}`) })
  const pressed = () =>
    app.page.locator('.clip-card[aria-pressed=true] .clip-name').allTextContents()
  const listed = () => app.page.locator('.clip-card .clip-name').allTextContents()

  it('a folder dropped anywhere in the window: its videos uploaded and listed, other files named once', async () => {
    const { page } = app
    await page.getByText('Drop video clips or folders anywhere in the window.').waitFor()
    // Files dragged over any part of the window: all of it is a drop target.
    await page.getByRole('complementary', { name: 'Inspector' }).evaluate((target) => {
      const web = globalThis as unknown as {
        DataTransfer: new () => { items: { add(file: unknown): void } }
        File: new (parts: unknown[], name: string) => unknown
        DragEvent: new (type: string, init: object) => unknown
      }
      const transfer = new web.DataTransfer()
      transfer.items.add(new web.File([], 'shoot'))
      ;(target as unknown as { dispatchEvent(e: unknown): void }).dispatchEvent(
        new web.DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }),
      )
    })
    await page.getByTestId('drop-overlay').waitFor()
    await app.screenshot('library-drop')
    // The drag left without a drop: the window is itself again.
    await page.getByTestId('drop-overlay').waitFor({ state: 'detached' })
    // Dropped on the player, not on the library: the whole window takes it.
    await page.getByRole('main', { name: 'Player' }).evaluate((target, files) => {
      // Browser globals, typed here because this file compiles for Node.
      type Entry = { name: string; fullPath: string; isFile: boolean; isDirectory: boolean }
      const web = globalThis as unknown as {
        atob(s: string): string
        DataTransfer: new () => { items: { add(file: unknown): void } }
        File: new (parts: unknown[], name: string) => unknown
        DragEvent: new (type: string, init: object) => unknown
      }
      const fileEntry = (rel: string, base64: string) => {
        const name = rel.split('/').pop() ?? rel
        const bytes = Uint8Array.from(web.atob(base64), (c) => c.charCodeAt(0))
        return {
          name,
          fullPath: `/shoot/${rel}`,
          isFile: true,
          isDirectory: false,
          file: (done: (f: unknown) => void) => done(new web.File([bytes], name)),
        }
      }
      const folderEntry = (rel: string, children: Entry[]): Entry =>
        ({
          name: rel.split('/').pop() ?? rel,
          fullPath: `/${rel}`,
          isFile: false,
          isDirectory: true,
          // Two at a time, then an empty batch: the browser's reader hands out entries so.
          createReader: () => {
            const left = [...children]
            return {
              readEntries: (done: (b: Entry[]) => void) => setTimeout(done, 0, left.splice(0, 2)),
            }
          },
        }) as Entry
      const top = files.filter((f) => !f.path.includes('/')).map((f) => fileEntry(f.path, f.base64))
      const evening = files
        .filter((f) => f.path.startsWith('evening/'))
        .map((f) => fileEntry(f.path, f.base64))
      const shoot = folderEntry('shoot', [...top, folderEntry('shoot/evening', evening)])

      const transfer = new web.DataTransfer()
      transfer.items.add(new web.File([], 'shoot'))
      Object.defineProperty(transfer, 'items', {
        value: [{ kind: 'file', webkitGetAsEntry: () => shoot }],
      })
      ;(target as unknown as { dispatchEvent(e: unknown): void }).dispatchEvent(
        new web.DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }),
      )
    }, folder)

    await expect
      .poll(() =>
        page
          .locator('.notice')
          .filter({ hasText: 'Skipped 1 file that is not a video:' })
          .allTextContents(),
      )
      .toEqual([
        expect.stringContaining('Skipped 1 file that is not a video: shoot/shot list.txt.'),
      ])
    for (const name of ['beach day.mp4', 'beach night.mp4', 'beach portrait.mp4', 'skate park.mp4'])
      await expect.poll(() => card(name).textContent()).toMatch(/\d:\d\d\.\d\d · \d+×\d+ · \d+ fps/)
    await expect.poll(() => card('beach portrait.mp4').textContent()).toContain('240×426')
    await expect
      .poll(() => card('beach corrupt.mp4').textContent())
      .toMatch(/beach corrupt\.mp4: .+/)
    // In the folder's name order, the subfolder's clip where the subfolder is.
    expect(await listed()).toEqual([
      'beach corrupt.mp4',
      'beach day.mp4',
      'beach portrait.mp4',
      'beach night.mp4',
      'skate park.mp4',
    ])
    // Only videos were uploaded: not the text file, not the hidden one.
    expect((await fs.readdir(path.join(app.ui.dataDir, 'imports'))).sort()).toEqual([
      'beach corrupt.mp4',
      'beach day.mp4',
      'beach night.mp4',
      'beach portrait.mp4',
      'skate park.mp4',
    ])
    await expect.poll(() => page.getByTestId('poster').count()).toBe(4)
  })

  it('picks a run of clips with Shift+click in the searched list, and shows it at both sizes', async () => {
    const { page } = app
    await page.getByLabel('Search clips').fill('beach')
    await expect
      .poll(listed)
      .toEqual(['beach corrupt.mp4', 'beach day.mp4', 'beach portrait.mp4', 'beach night.mp4'])
    await card('beach day.mp4').click()
    await card('beach night.mp4').click({ modifiers: ['Shift'] })
    await expect.poll(pressed).toEqual(['beach day.mp4', 'beach portrait.mp4', 'beach night.mp4'])
    await expect.poll(() => page.getByText('3 selected').count()).toBe(1)
    // The editor shows the clip clicked last.
    await expect.poll(() => page.getByTestId('segment').count()).toBeGreaterThan(0)
    // The shown clip's frame, filmstrip and waveform, and the posters, before the pictures.
    await expect
      .poll(() =>
        page
          .getByTestId('source-video')
          .evaluate((v) => (v as unknown as { readyState: number }).readyState),
      )
      .toBeGreaterThanOrEqual(2)
    await page.getByTestId('waveform').waitFor()
    await expect
      .poll(() =>
        page
          .locator('img.filmstrip')
          .evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth),
      )
      .toBeGreaterThan(0)
    await expect
      .poll(() =>
        page
          .getByTestId('poster')
          .evaluateAll((imgs) =>
            imgs.every((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0),
          ),
      )
      .toBe(true)
    // Info notices leave after a few seconds: the pictures show the library, not them.
    await expect.poll(() => page.locator('.notice.info').count(), { timeout: 10_000 }).toBe(0)
    await app.screenshots('library')
  })

  it('removes the picked clips in one step, and one Ctrl+Z brings all three back', async () => {
    const { page } = app
    await page.getByRole('button', { name: 'Remove 3 clips' }).click()
    await expect.poll(listed).toEqual(['beach corrupt.mp4'])
    await page.getByLabel('Search clips').fill('')
    await expect.poll(listed).toEqual(['beach corrupt.mp4', 'skate park.mp4'])
    await page.keyboard.press('Escape')
    await page.keyboard.press('Control+z')
    await expect.poll(listed).toHaveLength(5)
  })

  it('Delete in the clip list removes what is picked there, and Ctrl+Z brings it back', async () => {
    const { page } = app
    await card('skate park.mp4').click()
    await card('beach day.mp4').click({ modifiers: ['Control'] })
    await expect.poll(pressed).toEqual(['beach day.mp4', 'skate park.mp4'])
    await page.keyboard.press('Delete')
    await expect
      .poll(listed)
      .toEqual(['beach corrupt.mp4', 'beach portrait.mp4', 'beach night.mp4'])
    // The clip before the removed ones is shown, and the keys stay in the list.
    await expect.poll(pressed).toEqual(['beach night.mp4'])
    await page.keyboard.press('ArrowUp')
    await expect.poll(pressed).toEqual(['beach portrait.mp4'])
    await page.keyboard.press('Control+z')
    await expect.poll(listed).toHaveLength(5)
  })

  it('raised no page errors', () => {
    expect(app.problems).toEqual([])
  })
})
