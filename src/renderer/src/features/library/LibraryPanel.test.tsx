import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { AppError } from '@shared/errors'
import type { ProbeResult } from '@shared/media'
import { setBridge } from '../../bridge'
import { bridgeFrom } from '../../test-bridge'
import { useApp } from '../../stores/app-store'
import { undo, useProject } from '../project/project-store'
import { LibraryPanel } from './LibraryPanel'
import { useLibrary } from './library-store'
import type { DroppedEntry } from './dropped-entries'

// The browser tab's upload to main (XMLHttpRequest to /import): here, a record of what was sent.
const uploads = vi.hoisted(() => [] as string[])
vi.mock('./import-dropped', () => ({
  importDroppedFile: async (file: File, onProgress: (f: number) => void) => {
    onProgress(0.5)
    uploads.push(file.name)
    return `/data/imports/${file.name}`
  },
}))

const probe = (path: string) =>
  ({ path, durationSec: 2, width: 320, height: 240, fpsNominal: 25, fpsAverage: 25 }) as ProbeResult

/** Main as the library meets it: files on disk are read; one is gone; the picker finds it moved. */
function fakeBridge(onDisk: Set<string>, movedTo: string) {
  const { bridge } = bridgeFrom(async (method, params) => {
    const path = (params as { path?: string }).path ?? ''
    if (method === 'media.probe') {
      if (!onDisk.has(path)) throw new AppError('not-found', `${path.split('/').pop()}: not found`)
      return probe(path)
    }
    if (method === 'media.poster') return { url: 'data:image/png;base64,' }
    if (method === 'library.pickFiles') return { paths: [movedTo] }
    throw new Error(`unexpected ${method}`)
  })
  return bridge
}

describe('LibraryPanel', () => {
  beforeEach(() => {
    useApp.setState({ clips: [], selected: undefined, info: undefined, notices: [] })
    useProject.setState({ clips: [] })
    useProject.temporal.getState().clear()
    useLibrary.setState({ picked: [], anchor: null })
    uploads.length = 0
  })
  afterEach(() => {
    cleanup()
    setBridge(undefined)
  })

  it('removes a clip from the project, and undo brings it back', async () => {
    setBridge(fakeBridge(new Set(['/c/beach.mp4', '/c/surf.mp4']), ''))
    render(<LibraryPanel />)
    await useApp.getState().addClips(['/c/beach.mp4', '/c/surf.mp4'])
    await screen.findByRole('button', { name: /^surf\.mp4/ })
    await userEvent.click(screen.getByRole('button', { name: 'Remove beach.mp4' }))
    await waitFor(() => expect(screen.queryByRole('button', { name: /^beach\.mp4/ })).toBeNull())
    expect(useApp.getState().selected).toBe('/c/surf.mp4')
    undo()
    expect(await screen.findByRole('button', { name: /^beach\.mp4/ })).toBeInTheDocument()
  })

  it('finds clips by name', async () => {
    setBridge(fakeBridge(new Set(['/c/beach.mp4', '/c/surf.mp4']), ''))
    render(<LibraryPanel />)
    await useApp.getState().addClips(['/c/beach.mp4', '/c/surf.mp4'])
    await userEvent.type(screen.getByLabelText('Search clips'), 'SUR')
    expect(screen.queryByRole('button', { name: /^beach\.mp4/ })).toBeNull()
    expect(screen.getByRole('button', { name: /^surf\.mp4/ })).toBeInTheDocument()
    await userEvent.clear(screen.getByLabelText('Search clips'))
    await userEvent.type(screen.getByLabelText('Search clips'), 'zzz')
    expect(screen.getByText('No clip matches “zzz”.')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: /^surf\.mp4/ })).toBeNull()
  })

  it('keeps a missing source with its reason, and Locate… points it at its new place, trims kept', async () => {
    setBridge(fakeBridge(new Set(['/new/skate.mp4']), '/new/skate.mp4'))
    // A project clip whose file moved: in the document with its trim, unreadable on disk.
    useProject.setState({
      clips: [
        {
          id: 'c1',
          path: '/old/skate.mp4',
          in: 0.4,
          out: 1.6,
          endpoint: 'fal-ai/animatediff-v2v/turbo',
          params: { prompt: 'ink' },
          segments: [],
          takes: [],
        },
      ],
    })
    render(<LibraryPanel />)
    await useApp.getState().addClips(['/old/skate.mp4'])
    expect(await screen.findByText('skate.mp4: not found')).toBeInTheDocument()
    await userEvent.click(screen.getByRole('button', { name: 'Locate…' }))
    await waitFor(() => expect(useApp.getState().selected).toBe('/new/skate.mp4'))
    expect(useProject.getState().clips).toEqual([
      expect.objectContaining({
        id: 'c1',
        path: '/new/skate.mp4',
        in: 0.4,
        out: 1.6,
        params: { prompt: 'ink' },
      }),
    ])
    expect(screen.queryByText('skate.mp4: not found')).toBeNull()
  })

  const card = (name: string) => screen.getByRole('button', { name: new RegExp(`^${name}`) })
  const pressed = () =>
    screen
      .getAllByRole('button', { pressed: true })
      .map((b) => b.querySelector('.clip-name')?.textContent)
  const docPaths = () => useProject.getState().clips.map((c) => c.path)

  async function fiveClips() {
    const names = ['a', 'b', 'c', 'd', 'e'].map((n) => `/c/${n}.mp4`)
    setBridge(fakeBridge(new Set(names), ''))
    render(<LibraryPanel />)
    await act(() => useApp.getState().addClips(names))
    await screen.findByRole('button', { name: /^e\.mp4/ })
    useProject.temporal.getState().clear()
    return names
  }

  it('picks several with Ctrl/Cmd+click and Shift+click; "Remove 3 clips" is one undo step', async () => {
    const user = userEvent.setup()
    await fiveClips()
    await user.click(card('b.mp4'))
    await user.keyboard('{Control>}')
    await user.click(card('e.mp4'))
    await user.keyboard('{/Control}')
    expect(pressed()).toEqual(['b.mp4', 'e.mp4'])
    // The editor shows the clip clicked last.
    expect(useApp.getState().selected).toBe('/c/e.mp4')
    await user.click(card('a.mp4'))
    await user.keyboard('{Shift>}')
    await user.click(card('c.mp4'))
    await user.keyboard('{/Shift}')
    expect(pressed()).toEqual(['a.mp4', 'b.mp4', 'c.mp4'])
    expect(screen.getByText('3 selected')).toBeInTheDocument()

    await user.click(screen.getByRole('button', { name: 'Remove 3 clips' }))
    expect(docPaths()).toEqual(['/c/d.mp4', '/c/e.mp4'])
    expect(screen.queryByRole('button', { name: /^a\.mp4/ })).toBeNull()
    // The next clip is shown, alone.
    expect(useApp.getState().selected).toBe('/c/d.mp4')
    expect(pressed()).toEqual(['d.mp4'])
    expect(useProject.temporal.getState().pastStates).toHaveLength(1)
    act(() => undo())
    expect(docPaths()).toEqual(['/c/a.mp4', '/c/b.mp4', '/c/c.mp4', '/c/d.mp4', '/c/e.mp4'])
    expect(await screen.findByRole('button', { name: /^a\.mp4/ })).toBeInTheDocument()
  })

  it('ranges follow the searched list: Shift+click over a search picks only the clips shown', async () => {
    const user = userEvent.setup()
    await fiveClips()
    await user.click(card('a.mp4'))
    // Only a, c and e match.
    useApp.setState({
      clips: useApp
        .getState()
        .clips.map((c) =>
          ['a', 'c', 'e'].some((n) => c.name === `${n}.mp4`) ? { ...c, name: `x-${c.name}` } : c,
        ),
    })
    await user.type(screen.getByLabelText('Search clips'), 'x-')
    await user.keyboard('{Shift>}')
    await user.click(card('x-e.mp4'))
    await user.keyboard('{/Shift}')
    await user.click(screen.getByRole('button', { name: 'Remove 3 clips' }))
    expect(docPaths()).toEqual(['/c/b.mp4', '/c/d.mp4'])
  })

  it('arrows move and Shift+arrows extend; Delete in the list removes the picked clips and stops there', async () => {
    const user = userEvent.setup()
    await fiveClips()
    // The timeline's Delete (merge at a border) listens on the window: it must not hear this one.
    const windowKeys = vi.fn()
    window.addEventListener('keydown', windowKeys)
    try {
      await user.click(card('b.mp4'))
      await user.keyboard('{ArrowDown}')
      expect(pressed()).toEqual(['c.mp4'])
      expect(card('c.mp4')).toHaveFocus()
      await user.keyboard('{Shift>}{ArrowDown}{ArrowDown}{/Shift}')
      expect(pressed()).toEqual(['c.mp4', 'd.mp4', 'e.mp4'])
      expect(card('e.mp4')).toHaveFocus()
      await user.keyboard('{Shift>}{ArrowUp}{/Shift}')
      expect(pressed()).toEqual(['c.mp4', 'd.mp4'])
      await user.keyboard('{Delete}')
      expect(docPaths()).toEqual(['/c/a.mp4', '/c/b.mp4', '/c/e.mp4'])
      expect(windowKeys).not.toHaveBeenCalledWith(expect.objectContaining({ key: 'Delete' }))
      // The focus stays in the list, on the clip shown next.
      expect(card('e.mp4')).toHaveFocus()
      await user.keyboard('{Control>}a{/Control}')
      expect(pressed()).toEqual(['a.mp4', 'b.mp4', 'e.mp4'])
      // Outside the list, Delete is the timeline's again.
      await user.click(document.body)
      await user.keyboard('{Delete}')
      expect(windowKeys).toHaveBeenCalledWith(expect.objectContaining({ key: 'Delete' }))
      expect(docPaths()).toEqual(['/c/a.mp4', '/c/b.mp4', '/c/e.mp4'])
    } finally {
      window.removeEventListener('keydown', windowKeys)
    }
  })

  it('every card says whether it is picked, and every control has a name', async () => {
    await fiveClips()
    const list = screen.getByRole('list', { name: 'Clips' })
    for (const button of within(list).getAllByRole('button')) {
      expect(button).toHaveAccessibleName()
      if (button.classList.contains('clip-card')) expect(button).toHaveAttribute('aria-pressed')
    }
  })

  /** A drop as the window gets it; jsdom has no DragEvent, so the event carries a stand-in. */
  function drop(dataTransfer: object) {
    const event = new Event('drop', { bubbles: true, cancelable: true })
    Object.defineProperty(event, 'dataTransfer', { value: dataTransfer })
    act(() => void document.body.dispatchEvent(event))
    return event
  }

  it('desktop app: a folder dropped anywhere adds the videos main finds in it, and says what it skipped', async () => {
    const expandAsked: unknown[] = []
    const { bridge } = bridgeFrom(async (method, params) => {
      if (method === 'library.expand') {
        expandAsked.push(params)
        return {
          paths: ['/c/holiday/a.mp4', '/c/holiday/day 2/b.mov'],
          skipped: ['holiday/notes.txt'],
          skippedCount: 1,
        }
      }
      if (method === 'media.probe') return probe((params as { path: string }).path)
      if (method === 'media.poster') return { url: 'data:image/png;base64,' }
      throw new Error(`unexpected ${method}`)
    })
    const folder = new File([], 'holiday')
    setBridge({ ...bridge, getPathForFile: (f) => (f === folder ? '/c/holiday' : '') })
    render(<LibraryPanel />)
    const event = drop({ files: [folder], items: [], types: ['Files'] })
    expect(event.defaultPrevented).toBe(true)
    expect(await screen.findByRole('button', { name: /^b\.mov/ })).toBeInTheDocument()
    expect(screen.getByRole('button', { name: /^a\.mp4/ })).toBeInTheDocument()
    expect(expandAsked).toEqual([{ paths: ['/c/holiday'] }])
    expect(useApp.getState().notices.map((n) => n.text)).toContain(
      'Skipped 1 file that is not a video: holiday/notes.txt.',
    )
  })

  it('browser tab: a dropped folder is walked, its videos uploaded one by one, the rest named once', async () => {
    const { bridge } = bridgeFrom(async (method, params) => {
      if (method === 'media.probe') return probe((params as { path: string }).path)
      if (method === 'media.poster') return { url: 'data:image/png;base64,' }
      throw new Error(`unexpected ${method}`)
    })
    setBridge(bridge)
    useApp.setState({ info: { transport: 'websocket' } as never })
    const file = (name: string, parent: string) => ({
      name,
      fullPath: `${parent}/${name}`,
      isFile: true,
      isDirectory: false,
      file: (done: (f: File) => void) => done(new File(['x'], name)),
    })
    const folder: DroppedEntry & { createReader(): unknown } = {
      name: 'holiday',
      fullPath: '/holiday',
      isFile: false,
      isDirectory: true,
      createReader: () => {
        const left = [
          file('surf.mp4', '/holiday'),
          file('notes.txt', '/holiday'),
          file('.DS_Store', '/holiday'),
          file('beach.mov', '/holiday'),
        ]
        return { readEntries: (done: (e: unknown[]) => void) => done(left.splice(0, 3)) }
      },
    }
    render(<LibraryPanel />)
    drop({
      files: [new File([], 'holiday')],
      items: [{ kind: 'file', webkitGetAsEntry: () => folder }],
      types: ['Files'],
    })
    expect(await screen.findByRole('button', { name: /^surf\.mp4/ })).toBeInTheDocument()
    expect(await screen.findByRole('button', { name: /^beach\.mov/ })).toBeInTheDocument()
    expect(uploads).toEqual(['beach.mov', 'surf.mp4'])
    const notices = useApp.getState().notices.map((n) => n.text)
    expect(notices).toContain('Skipped 1 file that is not a video: holiday/notes.txt.')
    expect(notices).toContain("2 clips were copied into Reanimate's imports folder.")
  })
})
