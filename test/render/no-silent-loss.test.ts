import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createServices } from '../../src/main/services'
import { MemorySecretStore } from '../../src/main/settings/secret-store'
import type { RenderStarted } from '../../src/shared/contract'
import type { CallContext } from '../../src/shared/contract/dispatch'
import { TURBO } from '../../src/shared/endpoints'
import type { Job } from '../../src/shared/jobs'
import { startFalEmulator, type FalEmulator } from '../fal-emulator/emulator'
import { clips, tempDir } from '../media/clips'

/**
 * No step passes off less than it planned as a success: a prepare, a result from fal and a
 * finished file are each counted against their plan, across the whole render path.
 */

let root: string
let emu: FalEmulator
let source: string
const ctx: CallContext = { transport: 'websocket', mediaBaseUrl: 'http://127.0.0.1:1/media/' }
const closers: (() => Promise<void>)[] = []
let counter = 0

beforeAll(async () => {
  root = await tempDir('reanimate-loss-')
  emu = await startFalEmulator({ processingMs: 100 })
  source = await clips.basic(root, 'beach.mp4', 2)
})
afterAll(async () => {
  await emu.close()
  await fs.rm(root, { recursive: true, force: true })
})
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
  emu.clearLog()
})

/** A stand-in ffmpeg that writes 2 frames where `when` matches its arguments, else real ffmpeg. */
async function cuttingFfmpeg(name: string, when: string): Promise<string> {
  const bin = path.join(root, name)
  await fs.writeFile(
    bin,
    [
      '#!/bin/bash',
      'args=("$@")',
      `if [[ " $* " == *" ${when} "* ]]; then`,
      '  last=$((${#args[@]}-1))',
      '  args=("${args[@]:0:$last}" -frames:v 2 "${args[$last]}")',
      'fi',
      'exec /usr/bin/ffmpeg "${args[@]}"',
      '',
    ].join('\n'),
  )
  await fs.chmod(bin, 0o755)
  return bin
}

async function render(env: NodeJS.ProcessEnv = {}): Promise<{ job: Job; output: string }> {
  const services = createServices({
    dataDir: path.join(root, `data-${++counter}`),
    secrets: new MemorySecretStore(),
    env: { PATH: process.env.PATH, FAL_PROXY_URL: emu.proxyUrl, ...env },
    pollMs: 30,
  })
  closers.push(() => services.render.close())
  services.access.grant(source)
  await services.init()
  const reply = await services.dispatch(
    'render.start',
    {
      path: source,
      range: { startSec: 0 },
      endpoint: TURBO,
      params: { prompt: `take ${counter}`, select_every_nth_frame: 1 },
    },
    ctx,
  )
  if (!reply.ok) throw new Error(reply.error.message)
  const { job } = reply.value as RenderStarted
  await services.render.waitFor([job.id])
  return { job: services.render.get(job.id) as Job, output: job.spec.output }
}

const exists = (p: string) =>
  fs.access(p).then(
    () => true,
    () => false,
  )
const sent = () => emu.log.filter((e) => ['initiate', 'upload', 'submit'].includes(e.kind))

describe('no silent loss along the render path', () => {
  it('a prepare that stops early fails with the numbers, and nothing is uploaded or submitted', async () => {
    const ffmpeg = await cuttingFfmpeg('ffmpeg-prepare-cut', '-movflags')
    const { job, output } = await render({ FFMPEG_PATH: ffmpeg })
    expect(job.status).toBe('failed')
    expect(job.error).toMatchObject({
      code: 'incomplete-output',
      message:
        'beach.mp4: prepare wrote 2 of 50 frames (0.08 s of 2.00 s). The clip may be damaged or cut off; nothing was uploaded.',
    })
    expect(sent()).toEqual([])
    expect(await exists(output)).toBe(false)
  })

  it("a result from fal with frames missing is not saved as the user's result", async () => {
    emu.setFaults({ shortOutput: 1 })
    const { job, output } = await render()
    expect(job.status).toBe('failed')
    expect(job.error?.code).toBe('incomplete-output')
    expect(job.error?.message).toBe(
      `fal's result for request ${job.requestId} holds 2 of 50 frames (0.08 s of 2.00 s). It was not saved as your result; Render again for a new take.`,
    )
    expect(emu.submits()).toHaveLength(1)
    expect(await exists(output)).toBe(false)
  })

  it("a result from fal that is not a video is not saved as the user's result", async () => {
    emu.setFaults({ badOutput: 1 })
    const { job, output } = await render()
    expect(job.status).toBe('failed')
    expect(job.error).toMatchObject({
      code: 'fal-bad-output',
      message: `fal's result for request ${job.requestId} is not a playable video`,
    })
    expect(emu.submits()).toHaveLength(1)
    expect(await exists(output)).toBe(false)
  })

  it('a finishing step that stops early leaves no output and no sidecar, and says so', async () => {
    const ffmpeg = await cuttingFfmpeg('ffmpeg-finish-cut', '-metadata')
    const { job, output } = await render({ FFMPEG_PATH: ffmpeg })
    expect(job.status).toBe('failed')
    expect(job.error).toMatchObject({
      code: 'incomplete-output',
      message: expect.stringMatching(/^beach\.reanimate\.mp4: finishing wrote 2 of 50 frames/),
    })
    expect(emu.submits()).toHaveLength(1)
    expect(await exists(output)).toBe(false)
    expect(await exists(`${output}.json`)).toBe(false)
    const left = await fs.readdir(path.dirname(output))
    expect(left.filter((f) => f.includes('partial'))).toEqual([])
  })

  it('the same render path with a real ffmpeg succeeds: the checks are not too strict', async () => {
    const { job, output } = await render()
    expect(job.status).toBe('done')
    expect(await exists(output)).toBe(true)
  })
})
