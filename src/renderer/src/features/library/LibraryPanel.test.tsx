import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { AppError } from '@shared/errors'
import type { ProbeResult } from '@shared/media'
import { setBridge } from '../../bridge'
import { bridgeFrom } from '../../test-bridge'
import { useApp } from '../../stores/app-store'
import { undo, useProject } from '../project/project-store'
import { LibraryPanel } from './LibraryPanel'

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
    useApp.setState({ clips: [], selected: undefined, info: undefined })
    useProject.setState({ clips: [] })
    useProject.temporal.getState().clear()
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
})
