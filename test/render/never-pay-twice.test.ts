import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest'
import { runCli } from '../../src/cli/main'
import { createServices } from '../../src/main/services'
import { MemorySecretStore } from '../../src/main/settings/secret-store'
import type {
  BatchFinished,
  BatchStarted,
  JobOutcome,
  MethodName,
  RenderStarted,
} from '../../src/shared/contract'
import type { CallContext } from '../../src/shared/contract/dispatch'
import { TURBO } from '../../src/shared/endpoints'
import { AppError } from '../../src/shared/errors'
import type { Job } from '../../src/shared/jobs'
import { startFalEmulator, type FalEmulator } from '../fal-emulator/emulator'
import { cliOnTmpfs } from '../cli-process'
import { clips, inspect, tempDir } from '../media/clips'

/**
 * The money rules, tried the way the last review broke them: across paths (app vs CLI, two
 * processes on one data folder, a rerun with new flags, a retry after a failure at fal). Every
 * path goes through the one render service; each test counts what reached fal.
 */

let root: string
let emu: FalEmulator
let source: string
const ctx: CallContext = { transport: 'websocket', mediaBaseUrl: 'http://127.0.0.1:1/media/' }
const closers: (() => Promise<void>)[] = []

beforeAll(async () => {
  root = await tempDir('reanimate-money-')
  emu = await startFalEmulator({ processingMs: 300, concurrency: 4 })
  source = await clips.basic(root, 'skate.mp4', 1)
})
afterAll(async () => {
  await emu.close()
  await fs.rm(root, { recursive: true, force: true })
})
afterEach(async () => {
  emu.setFaults({ failProcessing: 0, neverComplete: false })
  for (const close of closers.splice(0)) await close()
  emu.clearLog()
})

const exists = (p: string) =>
  fs.access(p).then(
    () => true,
    () => false,
  )
const prompts = () => emu.submits().map((e) => (e.body as { prompt: string }).prompt)

/** The app's services on a data folder, called through the contract as the window calls them. */
async function app(
  dataDir: string,
  falProxyUrl = emu.proxyUrl,
  dialogs?: Parameters<typeof createServices>[0]['dialogs'],
) {
  const services = createServices({
    dataDir,
    ...(dialogs ? { dialogs } : {}),
    secrets: new MemorySecretStore(),
    env: { PATH: process.env.PATH, FAL_PROXY_URL: falProxyUrl },
    pollMs: 40,
    refreshMs: 50,
  })
  await services.init()
  closers.push(() => services.render.close())
  async function call<T>(name: MethodName, params: unknown): Promise<T> {
    const reply = await services.dispatch(name, params, ctx)
    if (!reply.ok) throw AppError.fromInfo(reply.error)
    return reply.value as T
  }
  const finished = () =>
    new Promise<BatchFinished>((resolve) =>
      services.bus.subscribe((name, payload) => {
        if (name === 'batch.finished') resolve(payload as BatchFinished)
      }),
    )
  const settled = async (id: string) => {
    await services.render.waitFor([id])
    return services.render.get(id) as Job
  }
  return { services, call, finished, settled }
}

interface CliRun {
  code: number
  json: Record<string, unknown> & { error?: { code: string; message: string; field?: string } }
  stderr: string[]
}

/** The CLI in this process (its own services, the same data folder). */
async function cli(args: string[], dataDir: string): Promise<CliRun> {
  const stdout: string[] = []
  const stderr: string[] = []
  const code = await runCli(
    [...args, '--json'],
    { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) },
    { PATH: process.env.PATH, REANIMATE_DATA_DIR: dataDir, FAL_PROXY_URL: emu.proxyUrl },
  )
  return { code, json: JSON.parse(stdout.at(-1) ?? '{}') as CliRun['json'], stderr }
}

/** The built CLI as its own process, as a user starts it from a shell. */
function spawnCli(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [inject('cliPath'), ...args, '--json'], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const out = { stdout: '', stderr: '' }
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()))
  const exit = new Promise<{ code: number | null; json: Record<string, unknown> }>((resolve) =>
    child.once('exit', (code) =>
      resolve({
        code,
        json: JSON.parse(out.stdout.trim().split('\n').at(-1) || '{}') as Record<string, unknown>,
      }),
    ),
  )
  return { child, out, exit }
}

describe('never pay twice', () => {
  it('1. app: batching the same folder again submits nothing, writes no (2) files, and summarises every clip', async () => {
    const dir = path.join(root, 'batch-again')
    const out = path.join(root, 'batch-again-out')
    await fs.mkdir(dir)
    for (let i = 0; i < 3; i++) await clips.basic(dir, `clip ${i}.mp4`, 1 + i * 0.2)
    const { call, finished, services } = await app(path.join(root, 'data-1'))
    // As main's folder picker returns them: folders that exist.
    await fs.mkdir(out)
    services.access.grant(dir)
    services.access.grant(out)
    const request = { dir, outDir: out, endpoint: TURBO, params: { prompt: 'linocut', seed: 5 } }

    // The answer comes after the first clip is planned; the whole plan follows as an event.
    const wholePlan = () =>
      new Promise<BatchStarted>((resolve) =>
        services.bus.subscribe((name, p) => {
          if (name === 'batch.planned' && !(p as BatchStarted).planning) resolve(p as BatchStarted)
        }),
      )
    const firstDone = finished()
    const firstPlan = wholePlan()
    const first = await call<BatchStarted>('batch.start', request)
    expect(first).toMatchObject({ planning: true, files: 3 })
    expect(await firstPlan).toMatchObject({ total: 3, alreadyDone: 0, read: 3 })
    expect((await firstDone).succeeded).toBe(3)
    expect(emu.submits()).toHaveLength(3)

    emu.clearLog()
    const againDone = finished()
    const againPlan = wholePlan()
    await call<BatchStarted>('batch.start', request)
    expect(await againPlan).toMatchObject({ total: 0, alreadyDone: 3, read: 3 })
    const summary = await againDone
    expect(summary).toMatchObject({ succeeded: 3, failed: 0 })
    expect(emu.submits()).toHaveLength(0)
    expect(emu.log.filter((e) => e.kind === 'upload' || e.kind === 'initiate')).toEqual([])
    const names = (await fs.readdir(out)).filter((f) => f.endsWith('.mp4')).sort()
    expect(names).toEqual(['clip 0.reanimate.mp4', 'clip 1.reanimate.mp4', 'clip 2.reanimate.mp4'])
    // The summary of the second run still covers every clip, not only what it did itself.
    const rows = (
      JSON.parse(await fs.readFile(summary.summary, 'utf8')) as {
        rows: { source: string; status: string; output: string; note: string }[]
      }
    ).rows
    expect(rows.map((r) => [r.source, r.status, r.output, r.note])).toEqual([
      ['clip 0.mp4', 'succeeded', 'clip 0.reanimate.mp4', 'already rendered'],
      ['clip 1.mp4', 'succeeded', 'clip 1.reanimate.mp4', 'already rendered'],
      ['clip 2.mp4', 'succeeded', 'clip 2.reanimate.mp4', 'already rendered'],
    ])
  })

  it('2. app: Render pressed twice submits once, while rendering and after; Render again is a new take', async () => {
    const { call, settled, services } = await app(path.join(root, 'data-2'))
    services.access.grant(source)
    const press = (again = false) =>
      call<RenderStarted>('render.start', {
        path: source,
        range: { startSec: 0 },
        endpoint: TURBO,
        params: { prompt: 'chalk on slate', seed: 11 },
        again,
      })
    const first = await press()
    const second = await press()
    expect(first.action).toBe('new')
    expect(second).toMatchObject({ action: 'following', job: { id: first.job.id } })
    expect(second.message).toMatch(/already in the queue; it was not sent again/)
    expect(second.message).toContain('"Render again"')
    const done = await settled(first.job.id)
    expect(done.status).toBe('done')

    const third = await press()
    expect(third).toMatchObject({ action: 'done', job: { id: first.job.id } })
    expect(third.message).toMatch(/^Already rendered: .*skate\.reanimate\.mp4 \(request /)
    expect(emu.submits()).toHaveLength(1)

    const take2 = await press(true)
    expect(take2.action).toBe('new')
    expect(take2.job.id).not.toBe(first.job.id)
    const done2 = await settled(take2.job.id)
    expect(done2.spec.output).toBe(path.join(root, 'skate.reanimate (2).mp4'))
    expect(emu.submits()).toHaveLength(2)
    await fs.rm(done.spec.output)
    await fs.rm(done2.spec.output)
  })

  it('2b. app: a Render lands in Settings’ Output folder under its Output name, and is collected there', async () => {
    const out = path.join(root, 'window-out')
    await fs.mkdir(out)
    // The desktop app's folder dialog returns the folder the user picked.
    const { call, settled, services } = await app(path.join(root, 'data-2b'), emu.proxyUrl, {
      pickFolder: async () => out,
    })
    await call('settings.update', { nameTemplate: 'blue hour - {stem}' })
    await call('settings.pickOutputDir', {})
    services.access.grant(source)
    const press = () =>
      call<RenderStarted>('render.start', {
        path: source,
        range: { startSec: 0 },
        endpoint: TURBO,
        params: { prompt: 'Blue Hour', seed: 4 },
      })
    const first = await press()
    const done = await settled(first.job.id)
    expect(done.status).toBe('done')
    expect(done.spec.output).toBe(path.join(out, 'blue hour - skate.mp4'))
    expect((await inspect(done.spec.output)).frames).toBeGreaterThan(0)
    // Nothing beside the source: the result went where Settings said.
    expect((await fs.readdir(root)).filter((f) => f.startsWith('blue hour'))).toEqual([])
    expect(await press()).toMatchObject({ action: 'done', job: { id: first.job.id } })
    expect(emu.submits()).toHaveLength(1)
  })

  it('3. a render that failed at fal: a restart does not pay again; Retry submits exactly once more (app and CLI)', async () => {
    const dataDir = path.join(root, 'data-3')
    const first = await app(dataDir)
    first.services.access.grant(source)
    emu.setFaults({ failProcessing: 1 })
    const started = await first.call<RenderStarted>('render.start', {
      path: source,
      range: { startSec: 0 },
      endpoint: TURBO,
      params: { prompt: 'failed at fal' },
    })
    const failed = await first.settled(started.job.id)
    expect(failed.status).toBe('failed')
    expect(failed.error).toMatchObject({ code: 'fal-failed' })
    expect(failed.error?.message).toMatch(/runner_server_error.*Retry submits the render again/)
    expect(emu.submits()).toHaveLength(1)
    await first.services.render.close()

    // The app starts again: the failed request is neither fetched forever nor paid for again.
    const second = await app(dataDir)
    await new Promise((r) => setTimeout(r, 500))
    expect(second.services.render.get(started.job.id)?.status).toBe('failed')
    expect(emu.submits()).toHaveLength(1)
    const statusPolls = emu.log.filter((e) => e.kind === 'status').length

    const retried = await second.call<JobOutcome>('jobs.retry', { id: started.job.id })
    expect(retried.action).toBe('collecting')
    const done = await second.settled(started.job.id)
    expect(done.status).toBe('done')
    expect(emu.submits()).toHaveLength(2)
    expect(done.previousRequestIds).toEqual([failed.requestId])
    expect(done.requestId).not.toBe(failed.requestId)
    expect(emu.log.filter((e) => e.kind === 'status').length).toBeLessThan(statusPolls + 50)
    expect((await inspect(done.spec.output)).audioStreams).toBe(1)
    expect(await second.call<JobOutcome>('jobs.retry', { id: started.job.id })).toMatchObject({
      action: 'nothing',
      message: `Already done: ${done.spec.output}`,
    })
    await fs.rm(done.spec.output)

    // The CLI: `run` fails at fal, `jobs retry` submits exactly once more and writes the output.
    const cliData = path.join(root, 'data-3-cli')
    emu.clearLog()
    emu.setFaults({ failProcessing: 1 })
    const out = path.join(root, 'cli-retry.mp4')
    const run = await cli(
      ['run', source, '--prompt', 'cli fails', '--out', out, '--poll-ms', '40'],
      cliData,
    )
    expect(run.code).toBe(1)
    expect(run.json.error?.code).toBe('fal-failed')
    const retry = await cli(
      ['jobs', 'retry', String(run.json.jobId).slice(0, 8), '--poll-ms', '40'],
      cliData,
    )
    expect(retry.code).toBe(0)
    expect(retry.stderr.join('\n')).toMatch(/submitted again only if fal says it failed/)
    expect(retry.json).toMatchObject({ action: 'collecting', output: out })
    expect(emu.submits()).toHaveLength(2)
    expect((await inspect(out)).audioStreams).toBe(1)
  })

  it('4. CLI: a rerun after a failure writes to the --out asked now, and jobs cancel says what it did', async () => {
    const dataDir = path.join(root, 'data-4')
    emu.setFaults({ failProcessing: 1 })
    const a = path.join(root, 'rerun-a.mp4')
    const b = path.join(root, 'rerun-b.mp4')
    const args = ['run', source, '--prompt', 'rerun me', '--seed', '3', '--poll-ms', '40']
    const first = await cli([...args, '--out', a], dataDir)
    expect(first.code).toBe(1)
    const second = await cli([...args, '--out', b], dataDir)
    expect(second.code).toBe(0)
    // It says what it does: the earlier request failed at fal, so the render is sent again.
    expect(second.stderr.join('\n')).toMatch(
      /Request .* failed at fal \(.*\); sending the render again\./,
    )
    expect(second.json).toMatchObject({ output: b, action: 'resuming' })
    expect(await exists(a)).toBe(false)
    expect((await inspect(b)).audioStreams).toBe(1)
    // One submit that failed at fal, one that the rerun's retry made: never a third.
    expect(emu.submits()).toHaveLength(2)

    // A third run is already done: nothing sent, the path given back.
    const third = await cli([...args, '--out', b], dataDir)
    expect(third).toMatchObject({ code: 0, json: { action: 'done', output: b } })
    // Asked for elsewhere: the finished file is copied there, not rendered again.
    const c = path.join(root, 'rerun-c.mp4')
    const fourth = await cli([...args, '--out', c], dataDir)
    expect(fourth).toMatchObject({ code: 0, json: { action: 'copied', output: c } })
    expect(await fs.readFile(c)).toEqual(await fs.readFile(b))
    expect(emu.submits()).toHaveLength(2)

    const id = String(second.json.jobId)
    const cancelDone = await cli(['jobs', 'cancel', id.slice(0, 8)], dataDir)
    expect(cancelDone.code).toBe(0)
    expect(cancelDone.stderr).toContain('reanimate: Already done; nothing to cancel.')

    // Abandoned while running at fal (Ctrl-C): cancel says why it cannot stop it there.
    emu.setFaults({ neverComplete: true })
    const stderr: string[] = []
    const pending = runCli(
      ['run', source, '--prompt', 'held', '--poll-ms', '40', '--json'],
      { stdout: () => undefined, stderr: (l) => stderr.push(l) },
      { PATH: process.env.PATH, REANIMATE_DATA_DIR: dataDir, FAL_PROXY_URL: emu.proxyUrl },
    )
    await expect
      .poll(() => stderr.some((l) => l.startsWith('  fal: ')), { timeout: 20_000 })
      .toBe(true)
    process.emit('SIGINT')
    expect(await pending).toBe(130)
    const list = await cli(['jobs', 'list'], dataDir)
    const held = (list.json.jobs as { id: string; status: string }[]).find(
      (j) => j.status === 'abandoned',
    )
    expect(held).toBeDefined()
    const cancelHeld = await cli(['jobs', 'cancel', String(held?.id)], dataDir)
    expect(cancelHeld.json).toMatchObject({ action: 'nothing', job: { status: 'abandoned' } })
    expect(cancelHeld.stderr.join('\n')).toMatch(
      /fal has already started request .* and cannot stop it, so nothing changed: it stays abandoned, and retry collects its result/,
    )
  })

  it('5. two CLI processes on one data folder, Ctrl-C in the middle: one submit per distinct render', async () => {
    const slow = await startFalEmulator({ processingMs: 2500, concurrency: 4 })
    closers.push(() => slow.close())
    const env = { REANIMATE_DATA_DIR: path.join(root, 'data-5'), FAL_PROXY_URL: slow.proxyUrl }
    const a = path.join(root, 'proc-a.mp4')
    const b = path.join(root, 'proc-b.mp4')
    const same = ['run', source, '--prompt', 'two processes', '--seed', '9', '--poll-ms', '50']

    // fal holds every request as running until the Ctrl-C below, however slow this machine is.
    slow.setFaults({ neverComplete: true })
    const first = spawnCli([...same, '--out', a], env)
    await expect.poll(() => slow.submits().length, { timeout: 30_000 }).toBe(1)
    // The same render from a second process: it follows the first instead of paying again.
    const second = spawnCli([...same, '--out', b], env)
    // A different render at the same time: its own submit.
    const other = spawnCli(['run', source, '--prompt', 'another look', '--poll-ms', '50'], env)
    await expect
      .poll(() => second.out.stderr, { timeout: 30_000 })
      .toMatch(/already running in reanimate run \(pid \d+/)
    await expect.poll(() => slow.submits().length, { timeout: 30_000 }).toBe(2)

    // Ctrl-C on the first while fal runs its request: it abandons it (exit 130)...
    first.child.kill('SIGINT')
    const firstExit = await first.exit
    expect(firstExit.code).toBe(130)
    expect(firstExit.json).toMatchObject({ error: { code: 'abandoned' } })
    slow.setFaults({ neverComplete: false })
    // ...and the second, which still wants it, collects that request into its own --out.
    const [secondExit, otherExit] = await Promise.all([second.exit, other.exit])
    expect(secondExit.code).toBe(0)
    expect(secondExit.json).toMatchObject({ output: b })
    expect(second.out.stderr).toMatch(/collecting it here/)
    expect(otherExit.code).toBe(0)
    expect(await exists(a)).toBe(false)
    expect((await inspect(b)).audioStreams).toBe(1)

    const submitted = slow.submits().map((e) => (e.body as { prompt: string }).prompt)
    expect(submitted.sort()).toEqual(['another look', 'two processes'])
    // The shared journal has both renders, nothing lost or doubled.
    const list = await new Promise<Record<string, unknown>>((resolve) => {
      const l = spawnCli(['jobs', 'list'], env)
      void l.exit.then((r) => resolve(r.json))
    })
    expect((list.jobs as { status: string }[]).map((j) => j.status)).toEqual(['done', 'done'])
  }, 90_000)

  it('5b. the app and the CLI share one journal: jobs list shows the app’s render, and run collects it', async () => {
    const dataDir = path.join(root, 'data-5b')
    const { call, settled, services } = await app(dataDir)
    services.access.grant(source)
    const started = await call<RenderStarted>('render.start', {
      path: source,
      range: { startSec: 0 },
      endpoint: TURBO,
      params: { prompt: 'shared journal', seed: 21 },
    })
    const done = await settled(started.job.id)
    const list = await cli(['jobs', 'list'], dataDir)
    expect(list.json.jobs).toEqual([
      expect.objectContaining({ id: started.job.id, status: 'done', output: done.spec.output }),
    ])
    const run = await cli(['run', source, '--prompt', 'shared journal', '--seed', '21'], dataDir)
    expect(run).toMatchObject({ code: 0, json: { action: 'done', output: done.spec.output } })
    expect(prompts()).toEqual(['shared journal'])
    await fs.rm(done.spec.output)
  })

  it('6. run with an --out that cannot be written stops before any upload (exit 2, plain words)', async () => {
    const dataDir = path.join(root, 'data-6')
    const file = path.join(root, 'a-file')
    await fs.writeFile(file, 'x')
    const underFile = await cli(
      ['run', source, '--prompt', 'x', '--out', path.join(file, 'sub', 'o.mp4')],
      dataDir,
    )
    expect(underFile.code).toBe(2)
    expect(underFile.json.error?.message).toBe(
      `${file} is a file, so the folder ${path.join(file, 'sub')} cannot be made.`,
    )
    const proc = await cli(['run', source, '--prompt', 'x', '--out', '/proc/x/o.mp4'], dataDir)
    expect(proc.code).toBe(2)
    expect(proc.json.error?.message).toMatch(/^\/proc\/x cannot be created or written to/)
    expect(emu.log).toEqual([])
  })

  it('7. batch --out-dir that cannot be written: exit 2 in plain words, at once, nothing loops', async () => {
    const dataDir = path.join(root, 'data-7')
    const dir = path.join(root, 'batch-7')
    await fs.mkdir(dir)
    await clips.basic(dir, 'c.mp4', 1)
    const started = Date.now()
    const proc = await cli(['batch', dir, '--prompt', 'x', '--out-dir', '/proc/x'], dataDir)
    expect(proc.code).toBe(2)
    expect(proc.json.error).toMatchObject({ code: 'invalid-input', field: 'out-dir' })
    const file = path.join(root, 'b-file')
    await fs.writeFile(file, 'x')
    const isFile = await cli(['batch', dir, '--prompt', 'x', '--out-dir', file], dataDir)
    expect(isFile).toMatchObject({
      code: 2,
      json: { error: { message: `${file} is a file, not a folder.` } },
    })
    expect(Date.now() - started).toBeLessThan(10_000)

    // A read-only disk (root ignores file modes, so a read-only mount in a private namespace).
    const ro = path.join(root, 'ro')
    await fs.mkdir(ro)
    const r = await cliOnTmpfs(
      ro,
      'ro',
      ['batch', dir, '--prompt', 'x', '--out-dir', path.join(ro, 'out'), '--json'],
      { REANIMATE_DATA_DIR: dataDir, FAL_PROXY_URL: emu.proxyUrl },
    )
    expect(r.stderr).not.toContain('mount:')
    expect(r.code).toBe(2)
    expect(r.json).toMatchObject({
      error: { message: `${path.join(ro, 'out')} is on a read-only disk; choose another folder.` },
    })
    expect(emu.log).toEqual([])
  })

  it('8. what a batch writes to the data folder per clip does not grow with the batch', async () => {
    const perClip = async (count: number) => {
      const dir = path.join(root, `size-${count}`)
      const dataDir = path.join(root, `data-8-${count}`)
      await fs.mkdir(dir)
      for (let i = 0; i < count; i++) await clips.basic(dir, `c${i}.mp4`, 0.4 + i * 0.04)
      const r = await cli(
        [
          'batch',
          dir,
          '--prompt',
          'p',
          '--out-dir',
          `${dir}-out`,
          '--concurrency',
          '8',
          '--poll-ms',
          '40',
        ],
        dataDir,
      )
      expect(r.code).toBe(0)
      let bytes = 0
      for (const sub of ['journal', 'uploads']) {
        for (const f of await fs.readdir(path.join(dataDir, sub)))
          bytes += (await fs.stat(path.join(dataDir, sub, f))).size
      }
      return bytes / count
    }
    const small = await perClip(4)
    const large = await perClip(16)
    console.warn(
      `data folder bookkeeping: ${(small / 1024).toFixed(1)} KiB per clip in a 4-clip batch, ${(large / 1024).toFixed(1)} KiB in a 16-clip batch`,
    )
    expect(large).toBeLessThan(12 * 1024)
    expect(large).toBeLessThan(small * 1.5)
  }, 120_000)
})

describe('never pay twice: what a tester found trying to break it', () => {
  /** `n` identical commands started at the same moment, each its own process, on one data folder. */
  async function together(n: number, args: string[], env: NodeJS.ProcessEnv) {
    const runs = Array.from({ length: n }, () => spawnCli(args, env))
    return Promise.all(runs.map((r) => r.exit))
  }

  it('identical renders started at the same moment in several processes pay once and write one file', async () => {
    const dir = path.join(root, 'same-moment')
    await fs.mkdir(dir)
    const clip = await clips.basic(dir, 'c.mp4', 1)
    const env = { REANIMATE_DATA_DIR: path.join(root, 'data-t1'), FAL_PROXY_URL: emu.proxyUrl }
    const exits = await together(
      5,
      ['run', clip, '--prompt', 'crowd', '--seed', '1', '--poll-ms', '50'],
      env,
    )
    expect(exits.map((e) => e.code)).toEqual([0, 0, 0, 0, 0])
    expect(new Set(exits.map((e) => e.json.output))).toEqual(
      new Set([path.join(dir, 'c.reanimate.mp4')]),
    )
    expect(prompts()).toEqual(['crowd'])
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.mp4')).sort()).toEqual([
      'c.mp4',
      'c.reanimate.mp4',
    ])
  }, 60_000)

  it('reruns from several processes at once after a failure at fal pay exactly once more', async () => {
    const env = { REANIMATE_DATA_DIR: path.join(root, 'data-t2'), FAL_PROXY_URL: emu.proxyUrl }
    const args = [
      'run',
      source,
      '--prompt',
      'fails then many',
      '--out',
      path.join(root, 't2.mp4'),
      '--poll-ms',
      '50',
    ]
    emu.setFaults({ failProcessing: 1 })
    const first = await together(1, args, env)
    expect(first[0]?.code).toBe(1)
    const exits = await together(4, args, env)
    expect(exits.map((e) => e.code)).toEqual([0, 0, 0, 0])
    // One request failed at fal, one more was paid for: never one per process.
    expect(prompts()).toEqual(['fails then many', 'fails then many'])
    const list = await cli(['jobs', 'list'], path.join(root, 'data-t2'))
    expect(list.json.jobs).toEqual([expect.objectContaining({ status: 'done' })])
  }, 60_000)

  it('Ctrl-C while the submit is on its way keeps the request fal already has: it is cancelled there, never lost', async () => {
    const slow = await startFalEmulator({
      processingMs: 300,
      concurrency: 1,
      queueDelayMs: 5_000,
      faults: { submitReplyDelayMs: 1_500 },
    })
    closers.push(() => slow.close())
    const env = { REANIMATE_DATA_DIR: path.join(root, 'data-t3'), FAL_PROXY_URL: slow.proxyUrl }
    const run = spawnCli(['run', source, '--prompt', 'in flight', '--poll-ms', '50'], env)
    // fal has the request; its answer is still on the way.
    await expect.poll(() => slow.jobs.size, { timeout: 30_000 }).toBe(1)
    run.child.kill('SIGINT')
    const exit = await run.exit
    expect(exit.code).toBe(130)
    const [requestId, atFal] = [...slow.jobs.entries()][0] as [
      string,
      { cancelRequested?: boolean },
    ]
    // The id came back and was kept; Ctrl-C then cancelled the queued request at fal.
    expect(exit.json).toMatchObject({ requestId, error: { code: 'cancelled' } })
    expect(atFal.cancelRequested).toBe(true)
    expect(run.out.stderr).toMatch(/Cancelled request .* at fal while it was still queued there/)
  }, 60_000)

  it('killed while the submit is on its way: a rerun does not send it again blindly; Retry does', async () => {
    const slow = await startFalEmulator({
      processingMs: 200,
      faults: { submitReplyDelayMs: 2_000 },
    })
    closers.push(() => slow.close())
    const dataDir = path.join(root, 'data-t3b')
    const env = { REANIMATE_DATA_DIR: dataDir, FAL_PROXY_URL: slow.proxyUrl }
    const args = ['run', source, '--prompt', 'killed in flight', '--poll-ms', '50']
    const run = spawnCli(args, env)
    await expect.poll(() => slow.jobs.size, { timeout: 30_000 }).toBe(1)
    run.child.kill('SIGKILL')
    await run.exit
    slow.setFaults({ submitReplyDelayMs: 0 })
    // fal has (and bills) a request whose id never came back: the rerun says so and stops.
    const rerun = await together(1, args, env)
    expect(rerun[0]?.code).toBe(1)
    expect(rerun[0]?.json).toMatchObject({ error: { code: 'fal-unclear' } })
    expect(String((rerun[0]?.json.error as { message: string }).message)).toMatch(
      /stopped while sending this render to fal, so fal may have it/,
    )
    expect(slow.jobs.size).toBe(1)
    // The user has been told; an explicit retry sends it again.
    const retry = await together(
      1,
      ['jobs', 'retry', String(rerun[0]?.json.jobId), '--poll-ms', '50'],
      env,
    )
    expect(retry[0]?.code).toBe(0)
    expect(slow.jobs.size).toBe(2)
  }, 60_000)

  it('a batch killed while a send was on its way: reruns, the app’s preview and its batch leave it for the user; only Retry sends it', async () => {
    const slow = await startFalEmulator({
      processingMs: 200,
      faults: { submitReplyDelayMs: 2_000 },
    })
    closers.push(() => slow.close())
    const dir = path.join(root, 'cut-off')
    const out = path.join(root, 'cut-off-out')
    await fs.mkdir(dir)
    await fs.mkdir(out)
    await clips.basic(dir, 'pier.mp4', 1)
    const dataDir = path.join(root, 'data-cut-off')
    const env = { REANIMATE_DATA_DIR: dataDir, FAL_PROXY_URL: slow.proxyUrl }
    const args = ['batch', dir, '--out-dir', out, '--prompt', 'cut off', '--poll-ms', '50']
    const run = spawnCli(args, env)
    await expect.poll(() => slow.jobs.size, { timeout: 30_000 }).toBe(1)
    run.child.kill('SIGKILL')
    await run.exit
    slow.setFaults({ submitReplyDelayMs: 0 })

    // Rerun once (it finds the send cut off and says so), then again: a failed job picked up by a
    // rerun is not the user's Retry, so neither sends it.
    for (let i = 0; i < 2; i++) {
      const [rerun] = await together(1, args, env)
      expect(rerun?.code).toBe(1)
      expect(rerun?.json, `rerun ${i}`).toMatchObject({ failed: 1, error: { code: 'fal-unclear' } })
      const summary = await fs.readFile(String(rerun?.json.summary), 'utf8')
      expect(summary, `rerun ${i}`).toMatch(/Retry sends it again/)
      expect(slow.jobs.size).toBe(1)
    }
    // The window asks the same service: the preview does not promise a render, and its batch
    // does not send it either.
    const { call, finished, services } = await app(path.join(dataDir), slow.proxyUrl)
    services.access.grant(dir)
    services.access.grant(out)
    const request = { dir, outDir: out, endpoint: TURBO, params: { prompt: 'cut off' } }
    const preview = await call<{ items: { status: string; reason?: string }[] }>(
      'batch.preview',
      request,
    )
    expect(preview.items).toEqual([
      expect.objectContaining({ status: 'skip', reason: expect.stringMatching(/cut off.*Retry/) }),
    ])
    const done = finished()
    await call<BatchStarted>('batch.start', request)
    expect(await done).toMatchObject({ succeeded: 0, failed: 1 })
    expect(slow.jobs.size).toBe(1)
    await services.render.close()
    // The user looked at fal's dashboard and chose Retry, and that send was cut off too: the
    // Retry allowed one send, so a rerun after it leaves the render for the user again.
    const [listed] = await together(1, ['jobs', 'list'], env)
    const id = (listed?.json.jobs as { id: string }[])[0]?.id as string
    slow.setFaults({ submitReplyDelayMs: 2_000 })
    const cut = spawnCli(['jobs', 'retry', id, '--poll-ms', '50'], env)
    await expect.poll(() => slow.jobs.size, { timeout: 30_000 }).toBe(2)
    cut.child.kill('SIGKILL')
    await cut.exit
    slow.setFaults({ submitReplyDelayMs: 0 })
    const [after] = await together(1, args, env)
    expect(after?.json).toMatchObject({ failed: 1, error: { code: 'fal-unclear' } })
    expect(slow.jobs.size).toBe(2)
    // A second Retry: sent once more, exactly once.
    const [retry] = await together(1, ['jobs', 'retry', id, '--poll-ms', '50'], env)
    expect(retry?.code).toBe(0)
    expect(slow.jobs.size).toBe(3)
  }, 90_000)

  it('jobs cancel reaches fal for a request queued there whose process was killed', async () => {
    const slow = await startFalEmulator({ processingMs: 300, concurrency: 1, queueDelayMs: 60_000 })
    closers.push(() => slow.close())
    const dataDir = path.join(root, 'data-t4')
    const env = { REANIMATE_DATA_DIR: dataDir, FAL_PROXY_URL: slow.proxyUrl }
    const run = spawnCli(['run', source, '--prompt', 'queued then killed', '--poll-ms', '50'], env)
    await expect.poll(() => run.out.stderr, { timeout: 30_000 }).toMatch(/queue position/)
    run.child.kill('SIGKILL')
    await run.exit
    const list = await cli(['jobs', 'list'], dataDir)
    const job = (list.json.jobs as { id: string; interrupted?: boolean }[])[0]
    expect(job?.interrupted).toBe(true)
    const stdout: string[] = []
    const stderr: string[] = []
    const code = await runCli(
      ['jobs', 'cancel', String(job?.id), '--json'],
      { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) },
      { PATH: process.env.PATH, REANIMATE_DATA_DIR: dataDir, FAL_PROXY_URL: slow.proxyUrl },
    )
    expect(code).toBe(0)
    expect(JSON.parse(stdout.at(-1) ?? '{}')).toMatchObject({ action: 'cancelled' })
    expect(stderr.join('\n')).toMatch(
      /Cancelled request .* at fal while it was still queued there: nothing is billed/,
    )
    expect(slow.log.filter((e) => e.kind === 'cancel')).toHaveLength(1)
    expect([...slow.jobs.values()][0]?.ran).toBe(false)
  }, 60_000)

  it('the same fal input is paid once: a touched clip, or an option that changes nothing at fal', async () => {
    const dir = path.join(root, 'same-input')
    await fs.mkdir(dir)
    const clip = await clips.basic(dir, 'c.mp4', 1)
    const dataDir = path.join(root, 'data-t5')
    const args = ['run', clip, '--prompt', 'same input', '--seed', '4', '--poll-ms', '40']
    expect((await cli(args, dataDir)).code).toBe(0)
    // Touched (a sync tool, a copy without -p): the same bytes go to fal, so the same request.
    const later = new Date(Date.now() + 60_000)
    await fs.utimes(clip, later, later)
    const touched = await cli(args, dataDir)
    expect(touched.code).toBe(0)
    // Options that only change local work: the source's frame rate, a range past the end.
    const fps = await cli([...args, '--fps', 'source'], dataDir)
    const past = await cli([...args, '--end', '9'], dataDir)
    expect([fps.code, past.code]).toEqual([0, 0])
    expect(prompts()).toEqual(['same input'])
    for (const r of [touched, fps, past]) expect(await exists(String(r.json.output))).toBe(true)
    // ...while --again is a new take, paid for.
    expect((await cli([...args, '--again'], dataDir)).code).toBe(0)
    expect(prompts()).toEqual(['same input', 'same input'])
  }, 60_000)

  it('a result replaced by another render is not handed back as this one, and a batch never overwrites it', async () => {
    const dataDir = path.join(root, 'data-t6')
    const o = path.join(root, 't6.mp4')
    const x = ['run', source, '--prompt', 'render X', '--seed', '6', '--out', o, '--poll-ms', '40']
    expect((await cli(x, dataDir)).code).toBe(0)
    const y = [
      'run',
      source,
      '--prompt',
      'render Y',
      '--seed',
      '6',
      '--out',
      o,
      '--overwrite',
      '--poll-ms',
      '40',
    ]
    expect((await cli(y, dataDir)).code).toBe(0)
    const again = await cli(x, dataDir)
    expect(again.code).toBe(0)
    expect(again.json.action).not.toBe('done')
    const out = String(again.json.output)
    expect(out).not.toBe(o)
    const meta = JSON.parse(await fs.readFile(`${out}.json`, 'utf8')) as { prompt: string }
    expect(meta.prompt).toBe('render X')
    expect((JSON.parse(await fs.readFile(`${o}.json`, 'utf8')) as { prompt: string }).prompt).toBe(
      'render Y',
    )
    // X was collected again from fal: two requests in all.
    expect(prompts()).toEqual(['render X', 'render Y'])

    // A batch whose render exists elsewhere copies it in beside, never over, what is there.
    const dir = path.join(root, 'no-overwrite')
    const outDir = path.join(root, 'no-overwrite-out')
    await fs.mkdir(dir)
    const c1 = await clips.basic(dir, 'c1.mp4', 1)
    expect(
      (await cli(['batch', dir, '--prompt', 'P1', '--out-dir', outDir, '--poll-ms', '40'], dataDir))
        .code,
    ).toBe(0)
    const p1 = await fs.readFile(path.join(outDir, 'c1.reanimate.mp4'))
    const elsewhere = path.join(root, 'elsewhere.mp4')
    expect(
      (await cli(['run', c1, '--prompt', 'P2', '--out', elsewhere, '--poll-ms', '40'], dataDir))
        .code,
    ).toBe(0)
    const b2 = await cli(
      ['batch', dir, '--prompt', 'P2', '--out-dir', outDir, '--poll-ms', '40'],
      dataDir,
    )
    expect(b2.code).toBe(0)
    expect(await fs.readFile(path.join(outDir, 'c1.reanimate.mp4'))).toEqual(p1)
    expect(await fs.readFile(path.join(outDir, 'c1.reanimate (2).mp4'))).toEqual(
      await fs.readFile(elsewhere),
    )
    // Reanimate's own results beside the sources are not clips to restyle.
    await fs.copyFile(elsewhere, path.join(dir, 'c1.reanimate.mp4'))
    await fs.copyFile(`${elsewhere}.json`, path.join(dir, 'c1.reanimate.mp4.json'))
    const b3 = await cli(
      ['batch', dir, '--prompt', 'P2', '--out-dir', outDir, '--poll-ms', '40'],
      dataDir,
    )
    expect(b3.json).toMatchObject({ succeeded: 1, skipped: 2 })
    expect(prompts()).toEqual(['render X', 'render Y', 'P1', 'P2'])
  }, 90_000)

  it('a process that follows another’s render gets its own --out', async () => {
    const slow = await startFalEmulator({ processingMs: 2000, concurrency: 2 })
    closers.push(() => slow.close())
    const env = { REANIMATE_DATA_DIR: path.join(root, 'data-t7'), FAL_PROXY_URL: slow.proxyUrl }
    const same = ['run', source, '--prompt', 'followed', '--poll-ms', '50']
    const a = spawnCli([...same, '--out', path.join(root, 't7-a.mp4')], env)
    await expect.poll(() => slow.jobs.size, { timeout: 30_000 }).toBe(1)
    const b = spawnCli([...same, '--out', path.join(root, 't7-b.mp4')], env)
    const [ea, eb] = await Promise.all([a.exit, b.exit])
    expect([ea.code, eb.code]).toEqual([0, 0])
    expect(eb.json.output).toBe(path.join(root, 't7-b.mp4'))
    expect(await fs.readFile(path.join(root, 't7-b.mp4'))).toEqual(
      await fs.readFile(path.join(root, 't7-a.mp4')),
    )
    expect(slow.jobs.size).toBe(1)
  }, 60_000)
})
