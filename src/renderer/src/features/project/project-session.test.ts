import { describe, expect, it, vi } from 'vitest'
import { setBridge } from '../../bridge'
import { bridgeFrom } from '../../test-bridge'
import { useApp } from '../../stores/app-store'
import { startSession, useSession } from './project-session'

describe('project session: files the OS opens with the app', () => {
  it('opens the project it was launched with, then files the OS sends later', async () => {
    const calls: [string, unknown][] = []
    const { bridge, emit } = bridgeFrom(async (method, params) => {
      calls.push([method, params])
      if (method === 'project.restore') return null
      if (method === 'library.opened') return { paths: [], project: '/p/Launch.reanimate' }
      if (method === 'project.open') {
        const { path } = params as { path: string }
        return { path, project: { clips: [] }, missing: [] }
      }
      if (method === 'media.probe') throw new Error('not a real file')
      return null
    })
    setBridge(bridge)
    await startSession()
    expect(calls).toContainEqual(['project.open', { path: '/p/Launch.reanimate' }])
    expect(useSession.getState().path).toBe('/p/Launch.reanimate')

    emit('library.filesOpened', { paths: ['/v/Later.mp4'], project: '/p/Later.reanimate' })
    await vi.waitFor(() => expect(useApp.getState().selected).toBe('/v/Later.mp4'))
    expect(useSession.getState().path).toBe('/p/Later.reanimate')
    expect(useApp.getState().clips.map((c) => c.path)).toContain('/v/Later.mp4')
  })
})
