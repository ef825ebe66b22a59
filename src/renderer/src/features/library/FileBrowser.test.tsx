import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, render, screen, waitFor } from '@testing-library/react'
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
})
