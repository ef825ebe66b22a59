import { spawn } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { runCli } from '../../src/cli/main'
import type { Io } from '../../src/cli/output'
import { startFalEmulator, type FalEmulator } from '../fal-emulator/emulator'
import { cliOnTmpfs } from '../cli-process'
import { clips, ffmpeg, inspect, tempDir } from '../media/clips'

let root: string
let emu: FalEmulator

beforeAll(async () => {
  root = await tempDir('reanimate-batch-')
  emu = await startFalEmulator({ processingMs: 150, concurrency: 4 })
})
afterAll(async () => {
  await emu.close()
  await fs.rm(root, { recursive: true, force: true })
})

const sha = async (file: string) =>
  crypto
    .createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex')

/** A folder as users have them: clips at two levels, a broken video, a note, hidden litter. */
async function makeFolder(
  dir: string,
  count = 3,
): Promise<{ videos: string[]; corrupt: string; note: string }> {
  await fs.mkdir(path.join(dir, 'day 2'), { recursive: true })
  const videos: string[] = []
  for (let i = 0; i < count; i++) {
    const sub = i % 2 === 0 ? '' : 'day 2'
    // Different lengths: different bytes, so each clip has its own upload.
    videos.push(await clips.basic(path.join(dir, sub), `clip ${i}.mp4`, 1 + i * 0.2))
  }
  const corrupt = path.join(dir, 'broken.mov')
  await fs.writeFile(corrupt, Buffer.alloc(4096, 7))
  const note = path.join(dir, 'notes.txt')
  await fs.writeFile(note, 'shot list')
  await fs.writeFile(path.join(dir, '.DS_Store'), 'x')
  return { videos, corrupt, note }
}

async function batch(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout: string[] = []
  const stderr: string[] = []
  const io: Io = { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) }
  const code = await runCli(['batch', ...args, '--json', '--poll-ms', '40'], io, {
    PATH: process.env.PATH,
    REANIMATE_DATA_DIR: path.join(root, 'data'),
    FAL_PROXY_URL: emu.proxyUrl,
    ...env,
  })
  return { code, json: JSON.parse(stdout.at(-1) ?? '{}') as Record<string, unknown>, stderr }
}

interface Summary {
  rows: { source: string; status: string; output?: string; error?: string; requestId?: string }[]
}

describe('reanimate batch', () => {
  it('restyles a folder into a mirrored tree, reports what it could not read, and resumes as a no-op', async () => {
    const dir = path.join(root, 'shoot')
    const out = path.join(root, 'shoot-out')
    const { videos, corrupt } = await makeFolder(dir)
    const before = await Promise.all(videos.map(sha))
    emu.clearLog()

    const r = await batch([
      dir,
      '--prompt',
      'linocut print',
      '--recursive',
      '--out-dir',
      out,
      '--concurrency',
      '2',
    ])
    expect(r.code).toBe(1) // the broken video counts as a failure
    expect(r.json).toMatchObject({ ok: false, succeeded: 3, failed: 1, skipped: 1 })
    // The code says what failed (a file that cannot be read), and stderr names it with the reason.
    expect(r.json.error).toMatchObject({ code: 'invalid-input' })
    expect(r.stderr).toContainEqual(
      expect.stringMatching(/^reanimate: cannot read broken\.mov: .+/),
    )
    expect(r.stderr).toContain(
      'reanimate: 0 done, 3 to render, 1 skipped, 1 unreadable; concurrency 2',
    )
    // One line per stage a clip enters: "prepare" once per clip, not once per progress update.
    for (const v of videos) {
      const rel = path.relative(dir, v)
      expect(r.stderr.filter((l) => l.trim() === `prepare  ${rel}`)).toHaveLength(1)
    }
    expect(emu.submits()).toHaveLength(3)
    for (const v of videos) {
      const rel = path.relative(dir, v).replace(/\.mp4$/, '.reanimate.mp4')
      const o = await inspect(path.join(out, rel))
      expect([o.fps, o.audioStreams]).toEqual([12.5, 1])
    }
    const summary = JSON.parse(
      await fs.readFile(path.join(out, 'reanimate-summary.json'), 'utf8'),
    ) as Summary
    expect(summary.rows.find((row) => row.source === 'broken.mov')).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('broken.mov'),
    })
    expect(summary.rows.find((row) => row.source === 'notes.txt')).toMatchObject({
      status: 'skipped',
      error: 'not a video',
    })
    expect(summary.rows.some((row) => row.source.includes('.DS_Store'))).toBe(false)
    const csv = await fs.readFile(path.join(out, 'reanimate-summary.csv'), 'utf8')
    expect(csv.split('\n')[0]).toBe('source,status,output,error,request_id,note')
    expect(csv).toContain('day 2/clip 1.mp4,succeeded,day 2/clip 1.reanimate.mp4')
    expect(await Promise.all(videos.map(sha))).toEqual(before)
    expect(await fs.readFile(corrupt)).toEqual(Buffer.alloc(4096, 7))

    // The same command again: nothing to do, nothing submitted.
    emu.clearLog()
    const again = await batch([dir, '--prompt', 'linocut print', '--recursive', '--out-dir', out])
    expect(again.json).toMatchObject({ succeeded: 3, failed: 1, alreadyDone: 3 })
    expect(again.stderr).toContain(
      'reanimate: 3 done, 0 to render, 1 skipped, 1 unreadable; concurrency 2',
    )
    expect(emu.submits()).toHaveLength(0)

    // Changed parameters render new outputs beside the old ones.
    const changed = await batch([dir, '--prompt', 'stained glass', '--recursive', '--out-dir', out])
    expect(changed.json).toMatchObject({ succeeded: 3 })
    expect(await fs.readdir(out)).toEqual(
      expect.arrayContaining(['clip 0.reanimate.mp4', 'clip 0.reanimate (2).mp4']),
    )
  })

  it('Ctrl-C exits 130 and says it abandoned the clips at fal; the same command then collects them', async () => {
    const dir = path.join(root, 'interrupted')
    const out = path.join(root, 'interrupted-out')
    await fs.mkdir(dir, { recursive: true })
    await clips.basic(dir, 'a.mp4', 1)
    await clips.basic(dir, 'b.mp4', 1.2)
    emu.clearLog()
    emu.setFaults({ neverComplete: true })
    const stderr: string[] = []
    const stdout: string[] = []
    const env = {
      PATH: process.env.PATH,
      REANIMATE_DATA_DIR: path.join(root, 'data-int'),
      FAL_PROXY_URL: emu.proxyUrl,
    }
    const args = ['batch', dir, '--prompt', 'held', '--out-dir', out, '--json', '--poll-ms', '40']
    const pending = runCli(
      args,
      { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) },
      env,
    )
    await expect.poll(() => emu.submits().length, { timeout: 30_000 }).toBe(2)
    process.emit('SIGINT')
    expect(await pending).toBe(130)
    expect(JSON.parse(stdout.at(-1) ?? '{}')).toMatchObject({
      ok: false,
      error: { code: 'abandoned' },
    })
    emu.setFaults({ neverComplete: false })
    const again = await batch([dir, '--prompt', 'held', '--out-dir', out], {
      REANIMATE_DATA_DIR: path.join(root, 'data-int'),
    })
    expect(again).toMatchObject({ code: 0, json: { succeeded: 2 } })
    expect(again.stderr).toContain(
      'reanimate: 0 done, 0 to render, 2 to collect from fal, 0 skipped, 0 unreadable; concurrency 2',
    )
    expect(emu.submits()).toHaveLength(2)
  })

  it('takes a preset file, and names the field when the preset is wrong (exit 2)', async () => {
    const dir = path.join(root, 'preset-src')
    await fs.mkdir(dir, { recursive: true })
    await clips.basic(dir, 'a.mp4', 1)
    const good = path.join(root, 'good.json')
    await fs.writeFile(
      good,
      JSON.stringify({
        endpoint: 'fal-ai/animatediff-v2v/turbo',
        params: { prompt: 'ukiyo-e', num_inference_steps: 6, select_every_nth_frame: 1 },
        nameTemplate: '{stem}-ukiyo',
      }),
    )
    emu.clearLog()
    const r = await batch([dir, '--preset', good, '--out-dir', path.join(root, 'preset-out')])
    expect(r.code).toBe(0)
    expect(emu.submits()[0]?.body).toMatchObject({
      prompt: 'ukiyo-e',
      num_inference_steps: 6,
      select_every_nth_frame: 1,
    })
    expect((await inspect(path.join(root, 'preset-out', 'a-ukiyo.mp4'))).fps).toBe(25)

    const bad = path.join(root, 'bad.json')
    await fs.writeFile(bad, JSON.stringify({ params: { prompt: 'x', guidance_scale: 9 } }))
    const r2 = await batch([dir, '--preset', bad, '--out-dir', path.join(root, 'bad-out')])
    expect(r2.code).toBe(2)
    expect(r2.json).toMatchObject({
      error: {
        code: 'invalid-params',
        field: 'params.guidance_scale',
        message: expect.stringContaining('from 1 to 2.5'),
      },
    })
  })

  it('finishes every clip with exactly one submit each after being killed with SIGKILL mid-batch', async () => {
    const dir = path.join(root, 'killed')
    const out = path.join(root, 'killed-out')
    const { videos } = await makeFolder(dir, 6)
    const before = await Promise.all(videos.map(sha))
    // fal runs one request at a time, so the kill comes while later clips are not submitted yet.
    const slow = await startFalEmulator({ processingMs: 1500, concurrency: 1 })
    try {
      const args = [
        inject('cliPath'),
        'batch',
        dir,
        '--prompt',
        'woodcut',
        '--recursive',
        '--out-dir',
        out,
        '--concurrency',
        '3',
        '--json',
        '--poll-ms',
        '50',
      ]
      const env = {
        ...process.env,
        FAL_PROXY_URL: slow.proxyUrl,
        REANIMATE_DATA_DIR: path.join(root, 'data-kill'),
      }
      const child = spawn(process.execPath, args, { env, stdio: 'ignore' })
      // Kill once some requests are at fal and at least one clip is finished.
      await expect
        .poll(() => slow.submits().length, { timeout: 60_000, interval: 50 })
        .toBeGreaterThanOrEqual(3)
      const finished = async () =>
        (await fs.readdir(out, { recursive: true })).filter((f) =>
          String(f).endsWith('.reanimate.mp4'),
        ).length
      await expect.poll(finished, { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(1)
      child.kill('SIGKILL')
      await new Promise((resolve) => child.once('exit', resolve))
      // Killed mid-batch: some clips were still unfinished (how many were submitted depends on the
      // machine's load; the point is the count after the rerun).
      expect(await finished()).toBeLessThan(6)

      const rerun = async (argv: string[]) => {
        const child = spawn(process.execPath, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] })
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
        const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
        const json = JSON.parse(stdout.trim().split('\n').at(-1) || '{}') as Record<string, unknown>
        return { code, json, stderr }
      }
      let second = await rerun(args)
      // A kill that came while a submit was on its way leaves that clip asking for Retry: fal may
      // have it. The user checks fal's dashboard: not there, so Retry is safe, and it pays once.
      const listed = await rerun([inject('cliPath'), 'jobs', 'list', '--json'])
      const unclear = (
        (listed.json.jobs ?? []) as { id: string; error?: { code: string } }[]
      ).filter((j) => j.error?.code === 'fal-unclear')
      // There: no retry, no second payment; that clip waits for the user.
      const waiting = unclear.length && slow.submits().length >= 6 ? unclear.length : 0
      if (unclear.length && !waiting) {
        for (const j of unclear)
          expect((await rerun([inject('cliPath'), 'jobs', 'retry', j.id, '--json'])).code).toBe(0)
        second = await rerun(args)
      }
      expect(second.code, second.stderr).toBe(1) // the broken file
      expect(second.json, second.stderr).toMatchObject({
        succeeded: 6 - waiting,
        failed: 1 + waiting,
      })

      // Exactly one submit per clip, across both processes: each upload URL was submitted once.
      const submittedUrls = slow.submits().map((e) => (e.body as { video_url: string }).video_url)
      expect(submittedUrls).toHaveLength(6)
      expect(new Set(submittedUrls).size).toBe(6)
      let missing = 0
      for (const v of videos) {
        const result = path.join(out, path.relative(dir, v).replace(/\.mp4$/, '.reanimate.mp4'))
        if (waiting && !(await fs.stat(result).catch(() => null))) {
          missing++
          continue
        }
        expect((await inspect(result)).frames).toBeGreaterThan(0)
      }
      expect(missing).toBe(waiting)
      const leftovers = (await fs.readdir(out, { recursive: true })).filter((f) =>
        String(f).includes('.partial-'),
      )
      expect(leftovers).toEqual([])
      expect(await Promise.all(videos.map(sha))).toEqual(before)
    } finally {
      await slow.close()
    }
  }, 180_000)

  it('fails the clip whose download hits a full disk, clearly, and keeps the others', async () => {
    const dir = path.join(root, 'full')
    const out = path.join(root, 'full-out')
    await fs.mkdir(dir, { recursive: true })
    const small = [
      await clips.basic(dir, 'a small.mp4', 1),
      await clips.basic(dir, 'b small.mp4', 1),
    ]
    // Noise compresses badly: its result is far bigger than the small clips' results.
    const big = path.join(dir, 'c big.mp4')
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'nullsrc=size=640x480:rate=25:duration=2,geq=random(1)*255:128:128',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-qp',
      '0',
      '-pix_fmt',
      'yuv420p',
      big,
    ])
    // Results are downloaded into the data folder's work area before they are finished.
    const downloads = path.join(root, 'data-full', 'work', 'downloads')
    await fs.mkdir(downloads, { recursive: true })
    const args = [
      'batch',
      dir,
      '--prompt',
      'x',
      '--out-dir',
      out,
      '--concurrency',
      '1',
      '--max-side',
      'original',
      '--json',
      '--poll-ms',
      '40',
    ]
    // A real full disk: a 600 KiB tmpfs over the downloads folder, in a private mount namespace.
    const { code, stderr, json } = await cliOnTmpfs(downloads, 'size=600k', args, {
      FAL_PROXY_URL: emu.proxyUrl,
      REANIMATE_DATA_DIR: path.join(root, 'data-full'),
    })
    expect(stderr).not.toContain('mount:')
    expect(code).toBe(1)
    const summary = JSON.parse(
      await fs.readFile(path.join(out, 'reanimate-summary.json'), 'utf8'),
    ) as Summary
    expect(summary.rows.find((r) => r.source === 'c big.mp4')).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/disk is full/),
    })
    for (const s of small) {
      const name = path.basename(s).replace(/\.mp4$/, '.reanimate.mp4')
      expect(summary.rows.find((r) => r.source === path.basename(s))).toMatchObject({
        status: 'succeeded',
        output: name,
      })
      expect((await inspect(path.join(out, name))).audioStreams).toBe(1)
    }
    expect(json).toMatchObject({ succeeded: 2, failed: 1 })
  }, 120_000)
})
