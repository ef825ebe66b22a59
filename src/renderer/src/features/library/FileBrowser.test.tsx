import { afterEach, describe, expect, it } from 'vitest'
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { Result } from '@shared/contract'
import { setBridge } from '../../bridge'
import { bridgeFrom } from '../../test-bridge'
import { FileBrowser } from './FileBrowser'
import { useFileBrowser } from './file-browser-store'

type Listing = Result<'files.browse'>

const listing = (dir: string): Listing => ({
  dir,
  parent: '/',
  entries: [{ name: 'shots', path: `${dir}/shots`, kind: 'folder' }],
  recent: [],
})

/** Main's browse and choose, answering each browse only when the test releases it. */
function slowBridge() {
  const pending: { dir?: string; answer: () => void }[] = []
  const chosen: string[][] = []
  const { bridge } = bridgeFrom(async (method, params) => {
    if (method === 'files.browse') {
      const dir = (params as { dir?: string }).dir
      return new Promise((resolve) =>
        pending.push({ dir, answer: () => resolve(listing(dir ?? '/home/ana')) }),
      )
    }
    if (method === 'files.choose') {
      chosen.push((params as { paths: string[] }).paths)
      return params
    }
    throw new Error(`unexpected ${method}`)
  })
  return { bridge, pending, chosen }
}

describe('FileBrowser', () => {
  afterEach(() => {
    cleanup()
    setBridge(undefined)
    useFileBrowser.setState({ request: null })
  })

  it('keeps a folder typed before the first listing arrived, and chooses it', async () => {
    const fake = slowBridge()
    setBridge(fake.bridge)
    render(<FileBrowser />)
    const picked = useFileBrowser.getState().open('folder', 'Batch a folder')
    const bar = (await screen.findByLabelText('Folder', { selector: 'input' })) as HTMLInputElement
    await userEvent.type(bar, '/media/clips')
    await waitFor(() => expect(fake.pending).toHaveLength(1))
    // The listing of the last folder lands after the user typed: the path bar keeps their folder.
    fake.pending[0]?.answer()
    await screen.findByRole('button', { name: 'shots/' })
    expect(bar.value).toBe('/media/clips')

    await userEvent.click(screen.getByRole('button', { name: 'Choose this folder' }))
    await waitFor(() => expect(fake.pending).toHaveLength(2))
    expect(fake.pending[1]?.dir).toBe('/media/clips')
    fake.pending[1]?.answer()
    expect(await picked).toEqual(['/media/clips'])
  })

  it('opens the next picker fresh: no listing of the last one, and focus goes back to its opener', async () => {
    const fake = slowBridge()
    setBridge(fake.bridge)
    render(
      <>
        <button>Choose…</button>
        <FileBrowser />
      </>,
    )
    const opener = screen.getByRole('button', { name: 'Choose…' })
    opener.focus()
    const first = useFileBrowser.getState().open('folder', 'Batch: the folder of clips')
    await waitFor(() => expect(fake.pending).toHaveLength(1))
    fake.pending[0]?.answer()
    await userEvent.click(await screen.findByRole('button', { name: 'Choose this folder' }))
    expect(await first).toEqual(['/home/ana'])
    expect(document.activeElement).toBe(opener)

    // The second picker shows nothing of the first until its own listing arrives (which may add
    // rows and move its buttons): Choose waits for it.
    void useFileBrowser.getState().open('folder', 'Batch: where the results go')
    const dialog = await screen.findByRole('dialog', { name: 'Batch: where the results go' })
    expect(within(dialog).queryByRole('button', { name: 'shots/' })).toBeNull()
    expect(within(dialog).getByRole('button', { name: 'Choose this folder' })).toBeDisabled()
    await waitFor(() => expect(fake.pending).toHaveLength(2))
    fake.pending[1]?.answer()
    await within(dialog).findByRole('button', { name: 'shots/' })
    expect(within(dialog).getByRole('button', { name: 'Choose this folder' })).toBeEnabled()
  })

  it('shows the folder it navigated to once the user moves on', async () => {
    const fake = slowBridge()
    setBridge(fake.bridge)
    render(<FileBrowser />)
    void useFileBrowser.getState().open('files', 'Open clips')
    await waitFor(() => expect(fake.pending).toHaveLength(1))
    fake.pending[0]?.answer()
    const bar = screen.getByLabelText('Folder', { selector: 'input' }) as HTMLInputElement
    await waitFor(() => expect(bar.value).toBe('/home/ana'))
    await userEvent.click(screen.getByRole('button', { name: 'shots/' }))
    fake.pending[1]?.answer()
    await waitFor(() => expect(bar.value).toBe('/home/ana/shots'))
  })

  it('LoRA mode lists LoRA files and chooses one through main', async () => {
    const chosen: string[][] = []
    const shows: unknown[] = []
    const { bridge } = bridgeFrom(async (method, params) => {
      if (method === 'files.browse') {
        shows.push((params as { show?: string }).show)
        return {
          dir: '/loras',
          parent: '/',
          entries: [
            { name: 'styles', path: '/loras/styles', kind: 'folder' },
            { name: 'ink.safetensors', path: '/loras/ink.safetensors', kind: 'lora' },
          ],
          recent: [],
        }
      }
      if (method === 'files.choose') {
        chosen.push((params as { paths: string[] }).paths)
        return params
      }
      throw new Error(`unexpected ${method}`)
    })
    setBridge(bridge)
    render(<FileBrowser />)
    const answer = useFileBrowser.getState().open('lora', 'Choose a LoRA file')
    const use = await screen.findByRole('button', { name: 'Use this LoRA' })
    expect(use).toBeDisabled()
    await userEvent.click(screen.getByRole('button', { name: 'ink.safetensors' }))
    await userEvent.click(use)
    expect(await answer).toEqual(['/loras/ink.safetensors'])
    expect(shows).toEqual(['loras'])
    expect(chosen).toEqual([['/loras/ink.safetensors']])
  })

  it("project mode shows main's recent projects above the folders; a missing one is marked and cannot be chosen", async () => {
    const { bridge } = bridgeFrom(async (method) => {
      if (method === 'files.browse') return listing('/home/ana')
      if (method === 'project.recent')
        return {
          projects: [
            { path: '/work/Beach edit.reanimate', missing: false },
            { path: '/gone/Old cut.reanimate', missing: true },
          ],
        }
      throw new Error(`unexpected ${method}`)
    })
    setBridge(bridge)
    render(<FileBrowser />)
    const answer = useFileBrowser.getState().open('project', 'Open project')
    const recent = await screen.findByRole('region', { name: 'Recent projects' })
    const buttons = within(recent).getAllByRole('button')
    expect(buttons.map((b) => b.textContent)).toEqual(['Beach edit', 'Old cut (missing)'])
    expect(buttons[1]).toBeDisabled()
    // Above the folder list.
    const folders = screen.getByRole('list', { name: 'Folder contents' })
    expect(recent.compareDocumentPosition(folders) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy()
    await userEvent.click(screen.getByRole('button', { name: 'Beach edit' }))
    // main opens a recent project by its path: no files.choose needed.
    expect(await answer).toEqual(['/work/Beach edit.reanimate'])
  })

  it('the first listing comes selected while focus is in the path bar: a path typed replaces it', async () => {
    const fake = slowBridge()
    setBridge(fake.bridge)
    render(<FileBrowser />)
    void useFileBrowser.getState().open('folder', 'Batch a folder')
    const bar = (await screen.findByLabelText('Folder', { selector: 'input' })) as HTMLInputElement
    expect(document.activeElement).toBe(bar)
    // A select-all made on the empty bar before the listing lands (as a test robot's fill does).
    bar.select()
    await waitFor(() => expect(fake.pending).toHaveLength(1))
    fake.pending[0]?.answer()
    await screen.findByRole('button', { name: 'shots/' })
    expect(bar.value).toBe('/home/ana')
    expect([bar.selectionStart, bar.selectionEnd]).toEqual([0, '/home/ana'.length])
    await userEvent.keyboard('/media/clips')
    expect(bar.value).toBe('/media/clips')
  })

  // Last: it leaves the picker in another folder, where the next picker would start.
  it('takes a name typed without a root inside the folder shown', async () => {
    const fake = slowBridge()
    setBridge(fake.bridge)
    render(<FileBrowser />)
    const picked = useFileBrowser.getState().open('folder', 'Batch a folder')
    const bar = (await screen.findByLabelText('Folder', { selector: 'input' })) as HTMLInputElement
    await waitFor(() => expect(fake.pending).toHaveLength(1))
    fake.pending[0]?.answer()
    await screen.findByRole('button', { name: 'shots/' })

    // "shots" and Enter: the folder of that name inside /home/ana, never the server's own folder.
    await userEvent.clear(bar)
    await userEvent.type(bar, 'shots{Enter}')
    await waitFor(() => expect(fake.pending).toHaveLength(2))
    expect(fake.pending[1]?.dir).toBe('/home/ana/shots')
    await act(async () => fake.pending[1]?.answer())
    expect(bar.value).toBe('/home/ana/shots')
    await userEvent.click(screen.getByRole('button', { name: 'Choose this folder' }))
    expect(await picked).toEqual(['/home/ana/shots'])
  })
})
