import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/main'
import type { Io } from '../../src/cli/output'
import { DEFAULT_NEGATIVE_PROMPT, TURBO } from '../../src/shared/endpoints'
import { startFalEmulator, type FalEmulator } from '../fal-emulator/emulator'
import { clips, inspect, tempDir } from '../media/clips'

let dir: string
let emu: FalEmulator
let source: string

beforeAll(async () => {
  dir = await tempDir('reanimate-run-')
  emu = await startFalEmulator({ processingMs: 100 })
  // 3 s at 25 fps with stereo audio.
  source = await clips.basic(dir, 'my clip.mp4', 3)
})
afterAll(async () => {
  await emu.close()
  await fs.rm(dir, { recursive: true, force: true })
})
afterEach(() => {
  emu.setFaults({
    submitStatus: undefined,
    statusStatus: undefined,
    resultStatus: undefined,
    resetDuringUpload: 0,
    neverComplete: false,
    failProcessing: 0,
  })
  emu.clearLog()
})

interface Run {
  code: number
  json: Record<string, unknown> & { error?: { code: string; message: string; field?: string } }
  stderr: string[]
}

async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const stdout: string[] = []
  const stderr: string[] = []
  const io: Io = { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) }
  const code = await runCli(['run', ...args, '--json', '--poll-ms', '40'], io, {
    PATH: process.env.PATH,
    REANIMATE_DATA_DIR: path.join(dir, 'data'),
    FAL_PROXY_URL: emu.proxyUrl,
    ...env,
  })
  return { code, json: JSON.parse(stdout.at(-1) ?? '{}') as Run['json'], stderr }
}

const submitBodies = () => emu.submits().map((e) => e.body as Record<string, unknown>)

describe('reanimate run against the local fal', () => {
  it('restyles a clip end to end: defaults sent, audio kept, fps = source / nth, parameters embedded', async () => {
    const out = path.join(dir, 'result.mp4')
    const r = await run([
      source,
      '--prompt',
      'a watercolor fox',
      '--start',
      '0.5',
      '--end',
      '2.5',
      '--out',
      out,
    ])
    expect(r.code).toBe(0)
    expect(r.json).toMatchObject({
      ok: true,
      output: out,
      uploadCached: false,
      reattached: false,
      resultFps: 12.5,
    })

    // The body fal received carries the schema's defaults for everything the user left out.
    const bodies = submitBodies()
    expect(bodies).toHaveLength(1)
    expect(bodies[0]).toEqual({
      prompt: 'a watercolor fox',
      negative_prompt: DEFAULT_NEGATIVE_PROMPT,
      num_inference_steps: 8,
      guidance_scale: 2.2,
      loras: [],
      select_every_nth_frame: 2,
      video_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/files\//),
    })
    expect(emu.log.find((e) => e.kind === 'submit')?.target).toContain(`queue.fal.run/${TURBO}`)

    const o = await inspect(out)
    expect(o.audioStreams).toBe(1)
    expect(o.fps).toBe(12.5)
    expect(o.frames).toBe(25)
    expect(Math.abs(o.durationSec - 2)).toBeLessThan(0.1)
    const meta = JSON.parse(o.tags.comment ?? '{}') as Record<string, unknown>
    expect(meta).toMatchObject({
      endpoint: TURBO,
      prompt: 'a watercolor fox',
      num_inference_steps: 8,
      request_id: r.json.requestId,
    })
    expect(typeof meta.seed).toBe('number')
    expect(JSON.parse(await fs.readFile(`${out}.json`, 'utf8'))).toEqual(meta)
    // Progress went to stderr with the stages a user waits through.
    const stages = r.stderr.map((l) => l.split(/\s+/)[0])
    expect(stages).toEqual(
      expect.arrayContaining(['prepare', 'upload', 'submit', 'wait', 'download', 'finish', 'done']),
    )
    expect(r.stderr.some((l) => l.includes('fal: '))).toBe(true)
  })

  it('a second run with another prompt uploads nothing and writes beside the first', async () => {
    const first = await run([source, '--prompt', 'ink drawing', '--end', '1'])
    expect(first.code).toBe(0)
    expect(first.json.output).toBe(path.join(dir, 'my clip.reanimate.mp4'))
    emu.clearLog()
    const second = await run([source, '--prompt', 'oil painting', '--end', '1'])
    expect(second.code).toBe(0)
    expect(second.json).toMatchObject({
      uploadCached: true,
      output: path.join(dir, 'my clip.reanimate (2).mp4'),
    })
    expect(emu.log.filter((e) => e.kind === 'upload' || e.kind === 'initiate')).toEqual([])
    expect(submitBodies().map((b) => b.prompt)).toEqual(['oil painting'])
  })

  it('uploads again when the cached URL has expired', async () => {
    const a = await run([source, '--prompt', 'pastel', '--start', '1', '--end', '2'])
    const url = submitBodies()[0]?.video_url as string
    expect(emu.expireFile(url)).toBe(true)
    emu.clearLog()
    const b = await run([source, '--prompt', 'neon', '--start', '1', '--end', '2'])
    expect([a.code, b.code]).toEqual([0, 0])
    expect(b.json.uploadCached).toBe(false)
    expect(emu.log.filter((e) => e.kind === 'upload')).toHaveLength(1)
  })

  it('submits exactly once when a status call and the first submit fail', async () => {
    emu.setFaults({ submitStatus: { code: 503, times: 1 }, statusStatus: { code: 500, times: 1 } })
    const r = await run([source, '--prompt', 'charcoal', '--end', '1'])
    expect(r.code).toBe(0)
    expect(emu.submits()).toHaveLength(1)
    expect(emu.log.filter((e) => e.kind === 'submit').map((e) => e.status)).toEqual([503, 200])
  })

  it('refuses invalid parameters before any network call, naming the field and range (exit 2)', async () => {
    const bad = await run([source, '--prompt', 'x', '--end', '1', '--steps', '99'])
    expect(bad.code).toBe(2)
    expect(bad.json.error).toMatchObject({ code: 'invalid-params', field: 'num_inference_steps' })
    expect(bad.json.error?.message).toContain('from 4 to 12')
    const turboBase = await run([source, '--prompt', 'x', '--base-model', 'cardosAnimev20'])
    expect(turboBase.json.error).toMatchObject({ code: 'invalid-params', field: 'base_model' })
    expect(emu.log).toEqual([])
  })

  it('uses the standard endpoint with its own ranges and base model', async () => {
    const r = await run([
      source,
      '--prompt',
      'x',
      '--end',
      '1',
      '--endpoint',
      'fal-ai/animatediff-v2v',
      '--steps',
      '30',
    ])
    expect(r.code).toBe(0)
    expect(submitBodies()[0]).toMatchObject({
      num_inference_steps: 30,
      guidance_scale: 7,
      base_model: 'cardosAnimev20',
    })
    expect(emu.log.find((e) => e.kind === 'submit')?.target).toMatch(
      /queue\.fal\.run\/fal-ai\/animatediff-v2v$/,
    )
  })

  it('reports fal-side validation errors (422) against the field', async () => {
    emu.setFaults({ resultStatus: { code: 422, times: 1 } })
    const r = await run([source, '--prompt', 'x', '--end', '1', '--seed', '5'])
    expect(r.code).toBe(1)
    expect(r.json.error?.code).toBe('fal-validation')
    expect(r.json.error?.message).toMatch(/fal rejected the parameters/)
  })

  it('ends a rejected key (401) by pointing at Settings, exit 1', async () => {
    const strict = await startFalEmulator({ strictKey: 'right-key' })
    try {
      const r = await run([source, '--prompt', 'x', '--end', '1'], {
        FAL_PROXY_URL: strict.proxyUrl,
        FAL_KEY: 'wrong-key',
        REANIMATE_DATA_DIR: path.join(dir, 'data-401'),
      })
      expect(r.code).toBe(1)
      expect(r.json.error).toMatchObject({
        code: 'key-rejected',
        message: expect.stringContaining('Settings'),
      })
      expect(strict.submits()).toHaveLength(0)
    } finally {
      await strict.close()
    }
  })

  it('retries a 429 with backoff and then fails clearly, exit 1', async () => {
    emu.setFaults({ submitStatus: { code: 429, times: 10 } })
    const r = await run([source, '--prompt', 'rate limited', '--end', '1'])
    expect(r.code).toBe(1)
    expect(r.json.error).toMatchObject({
      code: 'fal-rate-limited',
      message: expect.stringContaining('429'),
    })
    // The client's own backoff: the first try plus 3 retries, and no job was created.
    expect(emu.log.filter((e) => e.kind === 'submit').map((e) => e.status)).toEqual([
      429, 429, 429, 429,
    ])
    expect(emu.submits()).toHaveLength(0)
  }, 30_000)

  it('retries a dropped upload, and fails clearly when it keeps dropping', async () => {
    emu.setFaults({ resetDuringUpload: 1 })
    const ok = await run([source, '--prompt', 'x', '--start', '2', '--end', '3'])
    expect(ok.json.error).toBeUndefined()
    expect(ok.code).toBe(0)
    expect(emu.log.filter((e) => e.kind === 'upload')).toHaveLength(2)

    emu.setFaults({ resetDuringUpload: 10 })
    const bad = await run([source, '--prompt', 'x', '--start', '0.2', '--end', '1.2'])
    expect(bad.code).toBe(1)
    expect(bad.json.error).toMatchObject({
      code: 'network',
      message: expect.stringContaining('uploading'),
    })
    expect(emu.submits()).toHaveLength(1)
  }, 30_000)

  it('refuses before any network call: missing key, existing --out, a non-video', async () => {
    const noKey = await run([source, '--prompt', 'x'], { FAL_PROXY_URL: '' })
    expect(noKey.code).toBe(2)
    expect(noKey.json.error).toMatchObject({
      code: 'key-missing',
      message: expect.stringContaining('fal.ai/dashboard/keys'),
    })
    const taken = path.join(dir, 'taken.mp4')
    await fs.writeFile(taken, 'mine')
    const exists = await run([source, '--prompt', 'x', '--out', taken])
    expect(exists.code).toBe(2)
    expect(exists.json.error).toMatchObject({ code: 'output-exists', field: 'out' })
    expect(await fs.readFile(taken, 'utf8')).toBe('mine')
    const text = await clips.text(dir)
    const bad = await run([text, '--prompt', 'x'])
    expect(bad.code).toBe(2)
    expect(bad.json.error).toMatchObject({ code: 'invalid-input', file: text })
    expect(emu.log).toEqual([])
  })

  it('names the flag the user typed, never fal’s field, and refuses a LoRA that is neither a URL nor a .safetensors file', async () => {
    const steps = await run([source, '--prompt', 'x', '--steps', '50'])
    expect(steps).toMatchObject({
      code: 2,
      json: {
        error: {
          code: 'invalid-params',
          field: 'num_inference_steps',
          message: '--steps must be a whole number from 4 to 12 (got 50)',
        },
      },
    })
    expect(steps.stderr).toEqual([
      'reanimate: --steps must be a whole number from 4 to 12 (got 50)',
    ])
    const guidance = await run([source, '--prompt', 'x', '--guidance', '0.2'])
    expect(guidance.json.error?.message).toBe('--guidance must be from 1 to 2.5 (got 0.2)')
    const nth = await run([source, '--prompt', 'x', '--nth', '0'])
    expect(nth.json.error?.message).toBe('--nth must be a whole number from 1 to 8 (got 0)')
    const hf = await run([source, '--prompt', 'x', '--lora', 'someone/style'])
    expect(hf.json.error?.message).toBe(
      '--lora #1 must be an http(s) URL or a local .safetensors file (got "someone/style")',
    )
    const missing = await run([source, '--prompt', 'x', '--lora', 'nowhere/ink.safetensors'])
    expect(missing).toMatchObject({ code: 2, json: { error: { code: 'not-found' } } })
    expect(missing.json.error?.message).toBe(
      `--lora #1: ${path.resolve('nowhere/ink.safetensors')} does not exist`,
    )
    expect(emu.log).toEqual([])
  })

  it('uploads a local .safetensors LoRA through the upload cache and sends its URL', async () => {
    const lora = path.join(dir, 'ink style.safetensors')
    await fs.writeFile(lora, Buffer.alloc(64 * 1024, 3))
    const a = await run([source, '--prompt', 'ink', '--end', '1', '--lora', `${lora}@0.7`])
    expect(a.code).toBe(0)
    const sent = submitBodies()[0]?.loras as { path: string; scale: number }[]
    expect(sent).toHaveLength(1)
    expect(sent[0]?.scale).toBe(0.7)
    expect(sent[0]?.path).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/.+/)
    // fal gets the very bytes of the LoRA file.
    const res = await fetch(sent[0]?.path as string)
    expect(Buffer.from(await res.arrayBuffer()).equals(await fs.readFile(lora))).toBe(true)
    const uploadsBefore = emu.log.filter((e) => e.kind === 'initiate').length
    // Another prompt with the same LoRA: the clip and the LoRA are both already on fal.
    const b = await run([source, '--prompt', 'ink 2', '--end', '1', '--lora', `${lora}@0.7`])
    expect(b.code).toBe(0)
    expect(emu.log.filter((e) => e.kind === 'initiate').length).toBe(uploadsBefore)
    expect((submitBodies()[1]?.loras as { path: string }[])[0]?.path).toBe(sent[0]?.path)
  })

  it('cancels a request that is still queued at fal, so it is never billed', async () => {
    const busy = await startFalEmulator({ concurrency: 1, queueDelayMs: 60_000 })
    try {
      const stderr: string[] = []
      const pending = runCli(
        ['run', source, '--prompt', 'queued', '--end', '1', '--json', '--poll-ms', '40'],
        { stdout: () => undefined, stderr: (l) => stderr.push(l) },
        {
          PATH: process.env.PATH,
          REANIMATE_DATA_DIR: path.join(dir, 'data-queued'),
          FAL_PROXY_URL: busy.proxyUrl,
        },
      )
      await expect
        .poll(() => stderr.some((l) => l.includes('queue position')), { timeout: 20_000 })
        .toBe(true)
      process.emit('SIGINT')
      // Ctrl-C exits 130, as shells expect, and says the request was cancelled (not abandoned).
      expect(await pending).toBe(130)
      expect(stderr.at(-1)).toMatch(/Cancelled request .* at fal while it was still queued there/)
      expect(busy.log.filter((e) => e.kind === 'cancel')).toHaveLength(1)
      const job = [...busy.jobs.values()][0]
      expect(job?.state).toBe('COMPLETED')
      expect(job?.error).toBeTruthy()
    } finally {
      await busy.close()
    }
  })

  it('collects an earlier submitted request instead of paying twice', async () => {
    emu.setFaults({ neverComplete: true })
    // First attempt: submitted, then the user gives up while fal is still working on it.
    const stdout: string[] = []
    const stderr: string[] = []
    const pending = runCli(
      ['run', source, '--prompt', 'collect me', '--end', '1', '--json', '--poll-ms', '40'],
      { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) },
      {
        PATH: process.env.PATH,
        REANIMATE_DATA_DIR: path.join(dir, 'data'),
        FAL_PROXY_URL: emu.proxyUrl,
      },
    )
    await expect
      .poll(() => stderr.some((l) => l.startsWith('  fal: ')), { timeout: 20_000 })
      .toBe(true)
    process.emit('SIGINT')
    const firstCode = await pending
    expect(firstCode).toBe(130)
    expect(JSON.parse(stdout.at(-1) ?? '{}')).toMatchObject({
      error: { code: 'abandoned', message: expect.stringContaining('cannot stop once it runs') },
    })
    // fal finishes it; the same command collects it without a new submit.
    emu.setFaults({ neverComplete: false })
    const again = await run([source, '--prompt', 'collect me', '--end', '1'])
    expect(again.code).toBe(0)
    expect(again.json).toMatchObject({ reattached: true, action: 'collecting' })
    expect(again.stderr.join('\n')).toMatch(/Collecting request .*: not paying again/)
    expect(emu.submits()).toHaveLength(1)
  })
})
