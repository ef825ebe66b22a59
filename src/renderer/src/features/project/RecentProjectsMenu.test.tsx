import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cleanup, render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { RecentProject } from '@shared/contract'
import { setBridge } from '../../bridge'
import { bridgeFrom } from '../../test-bridge'
import { useApp } from '../../stores/app-store'
import { RecentProjectsMenu } from './RecentProjectsMenu'
import { useSession } from './project-session'

let recent: RecentProject[] = []
const opened: unknown[] = []

describe('Open recent', () => {
  beforeEach(() => {
    opened.length = 0
    useApp.setState({ notices: [], clips: [] })
    useSession.setState({ path: null, saved: [], missing: [] })
    setBridge(
      bridgeFrom(async (method, params) => {
        if (method === 'project.recent') return { projects: recent }
        if (method === 'project.open') {
          opened.push(params)
          const { path } = params as { path: string }
          if (path.includes('gone')) throw new Error('Vanished.reanimate: no such project')
          return { path, project: { clips: [] }, missing: [] }
        }
        throw new Error(`unexpected ${method}`)
      }).bridge,
    )
  })
  afterEach(() => {
    cleanup()
    setBridge(undefined)
  })

  it("lists main's recent projects, missing ones marked; choosing one opens it by path", async () => {
    recent = [
      { path: '/work/Beach edit.reanimate', missing: false },
      { path: '/gone/Old cut.reanimate', missing: true },
    ]
    render(<RecentProjectsMenu />)
    await userEvent.click(screen.getByRole('button', { name: 'Open recent ▾' }))
    const list = await screen.findByRole('list', { name: 'Recent projects' })
    const missing = await screen.findByRole('button', { name: 'Old cut (missing)' })
    expect(missing).toBeDisabled()
    expect(list).toBeInTheDocument()
    await userEvent.click(screen.getByRole('button', { name: 'Beach edit' }))
    expect(screen.queryByRole('list', { name: 'Recent projects' })).toBeNull()
    await waitFor(() => expect(useSession.getState().path).toBe('/work/Beach edit.reanimate'))
    expect(opened).toEqual([{ path: '/work/Beach edit.reanimate' }])
  })

  it('says so when there are none, and closes with Escape', async () => {
    recent = []
    render(<RecentProjectsMenu />)
    await userEvent.click(screen.getByRole('button', { name: 'Open recent ▾' }))
    expect(await screen.findByText('No recent projects yet.')).toBeInTheDocument()
    await userEvent.keyboard('{Escape}')
    expect(screen.queryByText('No recent projects yet.')).toBeNull()
  })

  it('one deleted after the list was shown: main says so, nothing else changes', async () => {
    recent = [{ path: '/gone/Vanished.reanimate', missing: false }]
    useSession.setState({ path: '/work/current.reanimate' })
    render(<RecentProjectsMenu />)
    await userEvent.click(screen.getByRole('button', { name: 'Open recent ▾' }))
    await userEvent.click(await screen.findByRole('button', { name: 'Vanished' }))
    await waitFor(() =>
      expect(useApp.getState().notices.map((n) => n.text)).toEqual([
        'Vanished.reanimate: no such project',
      ]),
    )
    expect(useSession.getState().path).toBe('/work/current.reanimate')
  })
})
