import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServices } from '../../src/main/services'
import { MemorySecretStore } from '../../src/main/settings/secret-store'
import type { BatchFinished, BatchStarted, MethodName } from '../../src/shared/contract'
import type { CallContext } from '../../src/shared/contract/dispatch'
import { TURBO } from '../../src/shared/endpoints'
import { AppError } from '../../src/shared/errors'
import { startFalEmulator, type FalEmulator } from '../fal-emulator/emulator'
import { clips, tempDir } from '../media/clips'

/**
 * Compare plays a job's source beside its output. A batch's clips were never chosen one by one
 * (only their folder), and after a restart nothing is granted yet: the source must stay reachable
 * while its job is listed, and nothing else may become reachable with it.
 */

let root: string
let emu: FalEmulator
const ctx: CallContext = { transport: 'websocket', mediaBaseUrl: 'http://127.0.0.1:1/media/' }

beforeAll(async () => {
  root = await tempDir('reanimate-job-source-')
  emu = await startFalEmulator({ processingMs: 100, concurrency: 2 })
})
afterAll(async () => {
  await emu.close()
  await fs.rm(root, { recursive: true, force: true })
})

async function app(dataDir: string) {
  const services = createServices({
    dataDir,
    secrets: new MemorySecretStore(),
    env: { PATH: process.env.PATH, FAL_PROXY_URL: emu.proxyUrl },
    pollMs: 40,
    refreshMs: 50,
  })
  await services.init()
  async function call<T>(name: MethodName, params: unknown): Promise<T> {
    const reply = await services.dispatch(name, params, ctx)
    if (!reply.ok) throw AppError.fromInfo(reply.error)
    return reply.value as T
  }
  return { services, call }
}

describe("a listed job's source", () => {
  it('plays for Compare after a batch and after a restart; other files stay refused', async () => {
    const dir = path.join(root, 'clips')
    const out = path.join(root, 'out')
    await fs.mkdir(dir)
    await fs.mkdir(out)
    const source = await clips.basic(dir, 'walk.mp4', 1)
    const dataDir = path.join(root, 'data')

    const first = await app(dataDir)
    // As main's folder picker returns them: the folders, never the clips in them.
    first.services.access.grant(dir)
    first.services.access.grant(out)
    const finished = new Promise<BatchFinished>((resolve) =>
      first.services.bus.subscribe((name, payload) => {
        if (name === 'batch.finished') resolve(payload as BatchFinished)
      }),
    )
    await first.call<BatchStarted>('batch.start', {
      dir,
      outDir: out,
      endpoint: TURBO,
      params: { prompt: 'ink', seed: 1 },
    })
    expect((await finished).succeeded).toBe(1)
    await expect(
      first.call<{ url: string }>('media.playbackUrl', { path: source }),
    ).resolves.toMatchObject({ proxied: false })
    await first.services.render.close()

    // A restart: a new process on the same data folder, nothing granted yet.
    const second = await app(dataDir)
    try {
      const played = await second.call<{ url: string }>('media.playbackUrl', { path: source })
      expect(played.url).toContain(encodeURIComponent('walk.mp4'))
      // A file beside it that no job belongs to is still not the window's to play.
      const stranger = await clips.basic(dir, 'stranger.mp4', 1)
      await expect(second.call('media.playbackUrl', { path: stranger })).rejects.toMatchObject({
        code: 'forbidden',
      })
    } finally {
      await second.services.render.close()
    }
  })
})
