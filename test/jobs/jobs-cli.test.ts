import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/main'
import { startFalEmulator, type FalEmulator } from '../fal-emulator/emulator'
import { clips, inspect, tempDir } from '../media/clips'

let dir: string
let emu: FalEmulator
let env: NodeJS.ProcessEnv

beforeAll(async () => {
  dir = await tempDir('reanimate-jobs-')
  emu = await startFalEmulator({ processingMs: 100 })
  env = {
    PATH: process.env.PATH,
    REANIMATE_DATA_DIR: path.join(dir, 'data'),
    FAL_PROXY_URL: emu.proxyUrl,
  }
})
afterAll(async () => {
  await emu.close()
  await fs.rm(dir, { recursive: true, force: true })
})

async function cli(args: string[], onStderr: (l: string) => void = () => undefined) {
  const stdout: string[] = []
  const code = await runCli(
    [...args, '--json'],
    { stdout: (l) => stdout.push(l), stderr: onStderr },
    env,
  )
  return {
    code,
    json: JSON.parse(stdout.at(-1) ?? '{}') as Record<string, unknown> & {
      jobs?: { id: string; status: string; requestId?: string }[]
    },
  }
}

describe('reanimate jobs', () => {
  it('lists an abandoned render and retries it by id prefix, collecting it without a new submit', async () => {
    const source = await clips.basic(dir, 'walk.mp4', 1)
    emu.setFaults({ neverComplete: true })
    const stderr: string[] = []
    const running = cli(['run', source, '--prompt', 'sketch', '--poll-ms', '40'], (l) =>
      stderr.push(l),
    )
    await expect
      .poll(() => stderr.some((l) => l.startsWith('  fal: ')), { timeout: 20_000 })
      .toBe(true)
    process.emit('SIGINT')
    expect((await running).code).toBe(130)

    const list = await cli(['jobs', 'list'])
    expect(list.code).toBe(0)
    const job = list.json.jobs?.[0]
    expect(job).toMatchObject({ status: 'abandoned', requestId: expect.any(String) })

    emu.setFaults({ neverComplete: false })
    const retried = await cli(['jobs', 'retry', String(job?.id).slice(0, 8), '--poll-ms', '40'])
    expect(retried.code).toBe(0)
    expect(retried.json).toMatchObject({ requestId: job?.requestId })
    expect((await inspect(String(retried.json.output))).audioStreams).toBe(1)
    expect(emu.submits()).toHaveLength(1)
    expect((await cli(['jobs', 'list'])).json.jobs?.[0]?.status).toBe('done')
  })

  it('names unknown jobs and actions (exit 2)', async () => {
    expect(await cli(['jobs', 'retry', 'no-such-job'])).toMatchObject({
      code: 2,
      json: { error: { code: 'not-found' } },
    })
    expect(await cli(['jobs', 'explode'])).toMatchObject({
      code: 2,
      json: { error: { field: 'action' } },
    })
  })
})
