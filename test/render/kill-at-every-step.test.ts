import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { Journal } from '../../src/main/jobs/journal'
import { ProcessRegistry } from '../../src/main/storage/process-registry'
import { startFalEmulator, type FalEmulator } from '../fal-emulator/emulator'
import { clips, inspect, tempDir } from '../media/clips'

/**
 * "Kill it at a random time", made deterministic: the built CLI kills itself (SIGKILL) right after
 * its N-th durable step (REANIMATE_TEST_KILL_AFTER, see src/main/storage/crash-points.ts), for
 * N = 1, 2, 3… until a run gets through. After each kill the same command is run again, as a user
 * would. Every time: one valid output per clip under its first name, no partial or orphan file,
 * and exactly one submit per clip.
 */

let root: string
let emu: FalEmulator

beforeAll(async () => {
  root = await tempDir('reanimate-kill-')
  emu = await startFalEmulator({ processingMs: 20, instant: true, concurrency: 8 })
})
afterAll(async () => {
  await emu.close()
  await fs.rm(root, { recursive: true, force: true })
})

interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  json: { ok?: boolean; error?: { code: string; message: string } }
  stderr: string
}

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [inject('cliPath'), ...args, '--json'], {
      env: { PATH: process.env.PATH, FAL_PROXY_URL: emu.proxyUrl, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.once('exit', (code, signal) => {
      let json = {}
      try {
        json = JSON.parse(stdout.trim().split('\n').at(-1) || '{}') as Exit['json']
      } catch {
        // killed before it printed
      }
      resolve({ code, signal, json, stderr })
    })
  })
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
}

interface Case {
  name: string
  /** Clips made in `src`; the expected outputs relative to `out`. */
  setup(src: string): Promise<string[]>
  args(src: string, out: string, prompt: string): string[]
}

const CASES: Case[] = [
  {
    name: 'a single run',
    async setup(src) {
      await clips.basic(src, 'skate.mp4', 1)
      return ['skate.reanimate.mp4']
    },
    args: (src, out, prompt) => [
      'run',
      path.join(src, 'skate.mp4'),
      '--prompt',
      prompt,
      '--nth',
      '1',
      '--out',
      path.join(out, 'skate.reanimate.mp4'),
    ],
  },
  {
    name: 'a batch with a subfolder',
    async setup(src) {
      await clips.basic(src, 'a.mp4', 1)
      await fs.mkdir(path.join(src, 'day 2'))
      // Not the same clip twice: identical fal inputs share one request by design.
      await clips.basic(path.join(src, 'day 2'), 'b.mp4', 1.2)
      return ['a.reanimate.mp4', path.join('day 2', 'b.reanimate.mp4')]
    },
    args: (src, out, prompt) => [
      'batch',
      src,
      '--out-dir',
      out,
      '--recursive',
      '--prompt',
      prompt,
      '--nth',
      '1',
    ],
  },
  {
    name: 'a two-segment render',
    async setup(src) {
      await clips.basic(src, 'surf.mp4', 2)
      return ['surf.reanimate.mp4']
    },
    args: (src, out, prompt) => [
      'run',
      path.join(src, 'surf.mp4'),
      '--prompt',
      prompt,
      '--segment',
      `0-1:${prompt} ink`,
      '--segment',
      `1-2:${prompt} oil`,
      '--end',
      '2',
      '--nth',
      '1',
      '--out',
      path.join(out, 'surf.reanimate.mp4'),
    ],
  },
]

/** The renders fal was asked for with this cycle's prompt (each cycle has its own). */
const submitsFor = (prompt: string) =>
  emu.submits().filter((e) => String((e.body as { prompt?: string }).prompt).startsWith(prompt))

/** fal requests one case makes: one per clip, or one per segment. */
const renders = (kind: Case, expected: string[]) =>
  kind.name.includes('segment') ? 2 : expected.length

async function cycle(kind: Case, n: number): Promise<{ killed: boolean; steps: string }> {
  const base = path.join(root, `${kind.name.replace(/\W+/g, '-')}-${n}`)
  const src = path.join(base, 'clips')
  const out = path.join(base, 'out')
  const data = path.join(base, 'data')
  await fs.mkdir(src, { recursive: true })
  await fs.mkdir(out, { recursive: true })
  const expected = await kind.setup(src)
  const prompt = `kill ${kind.name} ${n}`
  const args = kind.args(src, out, prompt)
  const env = { REANIMATE_DATA_DIR: data }
  const log = path.join(base, 'steps.log')

  const first = await cli(args, {
    ...env,
    REANIMATE_TEST_KILL_AFTER: String(n),
    REANIMATE_TEST_KILL_LOG: log,
  })
  const killed = first.signal === 'SIGKILL'
  const steps = await fs.readFile(log, 'utf8').catch(() => '')
  const where = `killed after step ${n}: ${steps.trim().split('\n').at(-1) ?? '(none)'}`
  let waiting = 0
  if (killed) {
    let again = await cli(args, env)
    if (again.code !== 0) {
      // Killed while a submit was on its way (this job's, or another's in a batch): Reanimate
      // cannot know whether fal has it, so it stops that job and asks. The user looks at fal's
      // dashboard: nothing there, Retry (jobs retry) is safe; there, no retry and no second payment.
      expect(again.stderr + JSON.stringify(again.json), where).toMatch(/Retry sends it again/)
      const list = await cli(['jobs', 'list'], env)
      const jobs = (list.json as { jobs?: { id: string; error?: { code: string } }[] }).jobs ?? []
      const unclear = jobs.filter((j) => j.error?.code === 'fal-unclear')
      expect(unclear.length, where).toBeGreaterThan(0)
      // Per job, as on the dashboard: a request with this job's clip is there or it is not. In a
      // batch two jobs can be cut off mid-send, one of whose requests reached fal.
      const journal = await new Journal(data, new ProcessRegistry(data, 'test reader')).open()
      const sent = (url?: string) =>
        submitsFor(prompt).some((e) => (e.body as { video_url?: string }).video_url === url)
      // A clip's renders: itself, or its segments; those cut off mid-send are what the user checks.
      const cutOff = (id: string) =>
        journal.filter(
          (j) => (j.id === id || j.parentId === id) && j.submitStartedAt && !j.requestId,
        )
      const missing = unclear.filter((j) => !cutOff(j.id).some((r) => sent(r.uploadUrl)))
      waiting = unclear.length - missing.length
      for (const j of missing) expect((await cli(['jobs', 'retry', j.id], env)).code, where).toBe(0)
      if (missing.length) again = await cli(args, env)
    }
    if (!waiting) expect(again.code, `${where}\n${again.stderr}`).toBe(0)
  } else {
    expect(first.code, `${where}\n${first.stderr}`).toBe(0)
  }

  // One valid output per clip, under its first name; nothing else that is a video.
  const written = await filesUnder(out)
  const videos = written.filter((f) => f.endsWith('.mp4') && !f.startsWith('.reanimate'))
  if (waiting) {
    // Those waiting for the user have no output yet; every other clip has exactly one.
    expect(videos.length, where).toBe(expected.length - waiting)
    for (const v of videos) expect(expected, where).toContain(v)
  } else expect(videos.sort(), where).toEqual([...expected].sort())
  for (const v of videos) {
    expect((await inspect(path.join(out, v))).frames, `${where}: ${v}`).toBeGreaterThan(0)
    expect(written, `${where}: sidecar of ${v}`).toContain(`${v}.json`)
  }
  // No partial file, no temporary file, no downloaded result left anywhere it could write.
  const everything = [...written, ...(await filesUnder(data))]
  expect(
    everything.filter((f) => /\.partial-|\.tmp$|(^|\/)downloads\//.test(f)),
    where,
  ).toEqual([])
  // Never one render sent twice; exactly one submit per render once nothing waits for the user.
  const sentClips = submitsFor(prompt).map((e) => (e.body as { video_url?: string }).video_url)
  expect(new Set(sentClips).size, where).toBe(sentClips.length)
  if (waiting) expect(sentClips.length, where).toBeLessThanOrEqual(renders(kind, expected))
  else expect(sentClips, where).toHaveLength(renders(kind, expected))
  return { killed, steps }
}

describe('a kill at every durable step leaves no duplicate, no orphan and no second payment', () => {
  it.each(CASES)('$name', { timeout: 900_000 }, async (kind) => {
    let n = 1
    for (; n < 200; n++) {
      const { killed } = await cycle(kind, n)
      if (!killed) break
    }
    // It did get through, after being killed at every step before.
    expect(n).toBeGreaterThan(5)
    expect(n).toBeLessThan(200)
    console.log(`${kind.name}: killed and resumed at each of ${n - 1} durable steps`)
  })
})
