import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServices } from '../../src/main/services'
import { MemorySecretStore } from '../../src/main/settings/secret-store'
import type { CallContext } from '../../src/shared/contract/dispatch'
import type { BatchFinished, Result } from '../../src/shared/contract'
import { TURBO } from '../../src/shared/endpoints'
import { startFalEmulator, type FalEmulator } from '../fal-emulator/emulator'
import { clips, tempDir } from '../media/clips'

/**
 * Stop batch in the window: nothing more reaches fal, what is waiting is cancelled, a render fal
 * has started is kept (its request id), and the same batch again collects it without paying.
 */

const ctx: CallContext = { transport: 'ipc', mediaBaseUrl: 'http://127.0.0.1:1/media/' }
let root: string
let emu: FalEmulator
let folder: string

beforeAll(async () => {
  root = await tempDir('reanimate-batch-cancel-')
  // One render at a time at fal, each long enough to stop the batch while it runs.
  emu = await startFalEmulator({ processingMs: 2500, concurrency: 1 })
  folder = path.join(root, 'clips')
  await clips.many(folder, 5, 'c%02d.mp4')
})
afterAll(async () => {
  await emu.close()
  await fs.rm(root, { recursive: true, force: true })
})

const services = () =>
  createServices({
    dataDir: path.join(root, 'data'),
    secrets: new MemorySecretStore(),
    env: { PATH: process.env.PATH, FAL_PROXY_URL: emu.proxyUrl },
    pollMs: 30,
  })

async function call<T>(s: ReturnType<typeof services>, name: string, params: unknown) {
  const reply = await s.dispatch(name, params, ctx)
  if (!reply.ok) throw new Error(reply.error.message)
  return reply.value as T
}

describe('Stop batch', () => {
  it('cancels what has not reached fal, keeps what fal started, and the same batch then pays only for the rest', async () => {
    const outDir = path.join(root, 'out')
    await fs.mkdir(outDir)
    const request = { dir: folder, outDir, endpoint: TURBO, params: { prompt: 'woodcut' } }
    const s = services()
    s.access.grant(folder)
    s.access.grant(outDir)
    await call(s, 'settings.update', { concurrency: 2 })
    const finished = new Promise<BatchFinished>((resolve) =>
      s.bus.subscribe((name, p) => name === 'batch.finished' && resolve(p as BatchFinished)),
    )
    const started = await call<Result<'batch.start'>>(s, 'batch.start', request)
    // Two renders sent: fal runs the first and queues the second.
    await expect.poll(() => emu.submits().length, { timeout: 60_000 }).toBe(2)
    const stopped = await call<Result<'batch.cancel'>>(s, 'batch.cancel', {
      batchId: started.batchId,
    })
    const summary = await finished
    // The one fal had started is kept; the one in fal's queue and the three not sent are cancelled.
    expect(stopped).toEqual({ cancelled: 4, kept: 1 })
    // Stopped, not failed: the summary says so, and how to go on.
    expect(summary).toMatchObject({ succeeded: 0, failed: 0, skipped: 5 })
    expect(summary.rows.map((r) => r.error)).toEqual([
      'stopped while fal was rendering it; run the batch again to collect it without paying again',
      ...Array(4).fill('stopped before it was rendered; run the batch again to include it'),
    ])
    await new Promise((r) => setTimeout(r, 500))
    expect(emu.submits()).toHaveLength(2)
    const jobs = await call<Result<'jobs.list'>>(s, 'jobs.list', {})
    expect(jobs.map((j) => j.status).sort()).toEqual([
      'abandoned',
      'cancelled',
      'cancelled',
      'cancelled',
      'cancelled',
    ])
    // Stopped once: a second Stop is told so, in words.
    const again = await s.dispatch('batch.cancel', { batchId: started.batchId }, ctx)
    expect(again).toMatchObject({
      ok: false,
      error: { message: 'This batch has already finished.' },
    })
    await s.render.close()

    // The same batch again: the kept render is collected (not paid again), the other four are sent.
    const s2 = services()
    s2.access.grant(folder)
    s2.access.grant(outDir)
    const done = new Promise<BatchFinished>((resolve) =>
      s2.bus.subscribe((name, p) => name === 'batch.finished' && resolve(p as BatchFinished)),
    )
    await call(s2, 'batch.start', request)
    // c00 collected; c01, cancelled in fal's queue (never billed), is sent again like a first send.
    const second = await done
    expect(second.rows.map((r) => [r.source, r.status])).toEqual(
      ['c00', 'c01', 'c02', 'c03', 'c04'].map((c) => [`${c}.mp4`, 'succeeded']),
    )
    expect(emu.submits()).toHaveLength(2 + 4)
    await s2.render.close()
  }, 120_000)
})
