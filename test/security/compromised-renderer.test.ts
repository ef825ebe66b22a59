import fs from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { cliServices } from '../../src/cli/context'
import { runCli } from '../../src/cli/main'
import { createServices, type Dialogs } from '../../src/main/services'
import { serveMedia } from '../../src/main/protocol/serve-file'
import type { Confirmation } from '../../src/main/settings/main-owned-settings'
import { MemorySecretStore } from '../../src/main/settings/secret-store'
import {
  methodNames,
  type CallReply,
  type MethodName,
  type RenderStarted,
} from '../../src/shared/contract'
import type { CallContext } from '../../src/shared/contract/dispatch'
import { TURBO } from '../../src/shared/endpoints'
import type { Job } from '../../src/shared/jobs'
import { startFalEmulator, type FalEmulator } from '../fal-emulator/emulator'
import { clips, tempDir } from '../media/clips'

/**
 * A hostile window: everything here reaches main only through contract calls, exactly as a
 * compromised renderer could make them. What the user does (drop a file, answer main's own dialog)
 * is done through the services' dialogs and grants, as the real window and OS would.
 */

const KEY = 'fal-key-SENTINEL-0123456789'
const ctx: CallContext = { transport: 'ipc', mediaBaseUrl: 'reanimate-media://file/' }

let root: string
let fal: FalEmulator
let clip: string
let other: string
const closers: (() => Promise<void>)[] = []

beforeAll(async () => {
  root = await tempDir('reanimate-hostile-')
  // "fal": only a request carrying exactly the user's key is answered.
  fal = await startFalEmulator({ processingMs: 100, strictKey: KEY })
  clip = await clips.basic(root, 'holiday.mp4', 1)
  other = await clips.basic(root, 'private-diary.mp4', 1)
})
afterAll(async () => {
  await fal.close()
  await fs.rm(root, { recursive: true, force: true })
})
afterEach(async () => {
  vi.unstubAllEnvs()
  for (const close of closers.splice(0)) await close()
  fal.clearLog()
})

/** Any HTTP server an attacker controls: it records every request and answers nothing useful. */
async function listener() {
  const seen: { url: string; headers: http.IncomingHttpHeaders }[] = []
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers })
    req.resume()
    res.writeHead(500).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  closers.push(() => new Promise((resolve) => server.close(() => resolve())))
  return { url: `http://127.0.0.1:${port}/steal`, host: `127.0.0.1:${port}`, seen }
}

let counter = 0
/**
 * The app's services with the key stored by the user and fal reached through the proxy the user
 * confirmed (the emulator stands in for fal). `answer` is the user at main's dialogs.
 */
async function hostileWindow(options: {
  answer?: (q: Confirmation) => boolean
  pickProgram?: () => Promise<string | null>
  saveProject?: (name: string) => Promise<string | null>
  pickProject?: () => Promise<string | null>
  dataDir?: string
}) {
  const questions: Confirmation[] = []
  const revealed: string[] = []
  const opened: string[] = []
  const dialogs: Partial<Dialogs> = {
    showInFolder: (file) => void revealed.push(file),
    openFile: async (file) => (opened.push(file), ''),
    confirm: async (q) => {
      questions.push(q)
      return options.answer?.(q) ?? false
    },
    pickProgram: options.pickProgram ?? (async () => null),
    saveProject: options.saveProject ?? (async () => null),
    pickProject: options.pickProject ?? (async () => null),
  }
  const dataDir = options.dataDir ?? path.join(root, `data-${++counter}`)
  const services = createServices({
    dataDir,
    secrets: new MemorySecretStore(),
    env: { PATH: process.env.PATH },
    dialogs,
    pollMs: 30,
  })
  closers.push(() => services.render.close())
  // The user, in the real window: stores the key, confirms fal's address, drops a clip.
  await services.keys.set(KEY)
  services.settings.setMainOwned({ falProxy: { url: fal.proxyUrl, sendKey: true } })
  services.access.grant(clip)
  await services.init()
  const call = (name: MethodName, params: unknown): Promise<CallReply> =>
    services.dispatch(name, params, ctx)
  async function render(prompt: string): Promise<Job> {
    const reply = await call('render.start', {
      path: clip,
      range: { startSec: 0 },
      endpoint: TURBO,
      params: { prompt },
    })
    if (!reply.ok) throw new Error(reply.error.message)
    const { job } = reply.value as RenderStarted
    await services.render.waitFor([job.id])
    return services.render.get(job.id) as Job
  }
  return { services, call, render, questions, revealed, opened, dataDir }
}

describe('the fal key reaches only fal, or a proxy the user confirmed in main', () => {
  it('a window cannot point renders at its own server: settings refuse it, and main asks the user', async () => {
    const evil = await listener()
    const w = await hostileWindow({ answer: () => false })

    // The old way in: a settings patch. Refused, whatever the field is called.
    for (const patch of [
      { falProxyUrl: evil.url },
      { falProxy: { url: evil.url, sendKey: true } },
    ]) {
      const reply = await w.call('settings.update', patch)
      expect(reply.ok).toBe(false)
    }
    // The new way: main shows its own dialog naming the host; the user says no; nothing changes.
    const asked = await w.call('settings.setFalProxy', {
      url: evil.url,
      sendKey: true,
    })
    expect(asked).toMatchObject({ ok: true, value: { changed: false } })
    expect(w.questions).toHaveLength(1)
    expect(w.questions[0]?.message).toContain(evil.host)
    expect(w.questions[0]?.detail).toContain('fal key')
    expect(w.services.settings.get().falProxy?.url).toBe(fal.proxyUrl)

    const job = await w.render('after the attempt')
    expect(job.status).toBe('done')
    expect(evil.seen).toEqual([])
    // Every call fal saw carried the key (strictKey answers nothing else), so the key went there.
    expect(fal.submits()).toHaveLength(1)
    expect(fal.log.every((e) => e.status !== 401)).toBe(true)
  })

  it('plain http to another machine is refused before any dialog', async () => {
    const w = await hostileWindow({ answer: () => true })
    const reply = await w.call('settings.setFalProxy', {
      url: 'http://203.0.113.7/api/fal/proxy',
      sendKey: true,
    })
    expect(reply).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('plain http is only allowed on this computer') },
    })
    expect(w.questions).toEqual([])
  })

  it('a proxy the user confirmed without their key gets no key', async () => {
    // A proxy that adds its own key, as fal's server proxy does.
    const proxy = await startFalEmulator({ processingMs: 50 })
    closers.push(() => proxy.close())
    const w = await hostileWindow({ answer: (q) => q.message.includes(`127.0.0.1:${proxy.port}`) })
    const asked = await w.call('settings.setFalProxy', {
      url: proxy.proxyUrl,
      sendKey: false,
    })
    expect(asked).toMatchObject({ ok: true, value: { changed: true } })
    expect(w.questions[0]?.detail).toContain('not your fal key')

    const job = await w.render('through a keyless proxy')
    expect(job.status).toBe('done')
    expect(proxy.submits()).toHaveLength(1)
    expect(proxy.log.length).toBeGreaterThan(3)
    expect(proxy.log.every((e) => e.headers.authorization === false)).toBe(true)
  })

  it("the CLI never takes its proxy from the app's settings file; FAL_PROXY_URL gets FAL_KEY as asked", async () => {
    const evil = await listener()
    const w = await hostileWindow({ answer: () => true })
    await w.call('settings.setFalProxy', { url: evil.url, sendKey: true })
    expect(w.services.settings.get().falProxy?.url).toBe(evil.url)

    const env = { PATH: process.env.PATH, REANIMATE_DATA_DIR: w.dataDir, FAL_KEY: KEY }
    const cli = cliServices(env)
    closers.push(() => cli.render.close())
    expect(await cli.falConnection()).toEqual({ key: KEY, proxyUrl: null })
    const viaEnv = cliServices({ ...env, FAL_PROXY_URL: fal.proxyUrl })
    closers.push(() => viaEnv.render.close())
    expect(await viaEnv.falConnection()).toEqual({ key: KEY, proxyUrl: fal.proxyUrl })
    expect(evil.seen).toEqual([])
  })
})

describe('project files: the window writes only where the user chose, and opens nothing new', () => {
  it('save, save as, open and autosave refuse paths the user did not choose in main', async () => {
    const dataDir = path.join(root, 'project-data')
    const w = await hostileWindow({ dataDir })
    const target = path.join(root, 'victim.reanimate')
    const secret = path.join(root, 'secret-video.mp4')
    await fs.copyFile(other, secret)
    const project = {
      clips: [
        { path: clip, in: 0, out: 1, endpoint: TURBO, params: { prompt: 'x' } },
        { path: secret, in: 0, out: 1, endpoint: TURBO, params: { prompt: 'y' } },
      ],
    }
    expect(await w.call('project.save', { path: target, project })).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: 'Use Save As… to choose where the project goes.' },
    })
    // A file the user never opened is not saved into a project at all.
    expect(await w.call('project.saveAs', { project, name: 'victim' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    })
    // The user cancels main's save dialog: nothing is written.
    const own = { clips: project.clips.filter((c) => c.path !== secret) }
    expect(await w.call('project.saveAs', { project: own, name: 'victim' })).toEqual({
      ok: true,
      value: null,
    })
    await expect(fs.access(target)).rejects.toThrow()
    // A project file the user never opened cannot be opened by naming it.
    await fs.writeFile(
      target,
      JSON.stringify({ format: 'reanimate-project', version: 1, clips: [] }),
    )
    expect(await w.call('project.open', { path: target })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    })
    // Autosave keeps only what the window could already reach, and no path it made up.
    expect(await w.call('project.autosave', { project, path: target })).toMatchObject({ ok: true })
    const after = await hostileWindow({ dataDir })
    const restored = await after.call('project.restore', {})
    expect(restored).toMatchObject({ ok: true, value: { path: null } })
    const clips = (restored as { value: { project: { clips: { path: string }[] } } }).value.project
      .clips
    expect(clips.map((c) => c.path)).toEqual([clip])
    expect(after.services.access.isAllowed(secret)).toBe(false)
    expect(await after.call('project.save', { path: target, project })).toMatchObject({ ok: false })
  })

  it("saves where the user chose in main's dialog, and again there with Save", async () => {
    const chosen = path.join(root, 'chosen', 'My edit')
    await fs.mkdir(path.dirname(chosen), { recursive: true })
    const w = await hostileWindow({ saveProject: async () => chosen })
    const project = {
      clips: [{ path: clip, in: 0, out: 1, endpoint: TURBO, params: { prompt: 'x' } }],
    }
    const saved = await w.call('project.saveAs', { project, name: 'ignored' })
    expect(saved).toEqual({ ok: true, value: { path: `${chosen}.reanimate` } })
    expect(await w.call('project.save', { path: `${chosen}.reanimate`, project })).toMatchObject({
      ok: true,
    })
    const text = JSON.parse(await fs.readFile(`${chosen}.reanimate`, 'utf8')) as {
      clips: { path: string }[]
    }
    expect(text.clips[0]?.path).toBe(clip)
  })

  it('a file the user never opened, written into a project and opened again, stays out of reach', async () => {
    const chosen = path.join(root, 'chosen', 'Trojan')
    await fs.mkdir(path.dirname(chosen), { recursive: true })
    const w = await hostileWindow({
      saveProject: async () => chosen,
      pickProject: async () => `${chosen}.reanimate`,
    })
    // Any file with a video extension: TypeScript sources are .ts, a transport stream's too.
    const stolen = path.join(root, 'secret-notes.ts')
    await fs.writeFile(stolen, 'export const password = "hunter2"\n')
    const project = {
      clips: [
        { path: clip, in: 0, out: 1, endpoint: TURBO, params: { prompt: 'x' } },
        { path: stolen, in: 0, out: 1, endpoint: TURBO, params: { prompt: 'y' } },
      ],
    }
    const saveAs = await w.call('project.saveAs', { project, name: 'ignored' })
    expect(saveAs).toMatchObject({
      ok: false,
      error: {
        code: 'forbidden',
        message: expect.stringMatching(/^secret-notes\.ts is not a clip you opened/),
      },
    })
    await expect(fs.access(`${chosen}.reanimate`)).rejects.toThrow()
    // Saved with only the user's clip, then the window tries again through Save.
    const saved = await w.call('project.saveAs', {
      project: { clips: [project.clips[0]] },
      name: 'x',
    })
    expect(saved).toMatchObject({ ok: true })
    expect(await w.call('project.save', { path: `${chosen}.reanimate`, project })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    })
    expect(w.services.access.isAllowed(stolen)).toBe(false)
    // A source the project names that has since gone stays in it when saved again (never dropped).
    const moved = path.join(root, 'moved-away.mp4')
    await fs.writeFile(
      `${chosen}.reanimate`,
      JSON.stringify({
        format: 'reanimate-project',
        version: 1,
        clips: [{ path: moved, in: 0, out: 1, endpoint: TURBO, params: { prompt: 'z' } }],
      }),
    )
    const opened = await w.call('project.open', {})
    expect(opened).toMatchObject({ ok: true, value: { missing: [moved] } })
    const { project: back } = (opened as { value: { project: typeof project } }).value
    expect(
      await w.call('project.save', { path: `${chosen}.reanimate`, project: back }),
    ).toMatchObject({
      ok: true,
    })
  })
})

describe("recent projects and LoRAs: the window names only what main's own lists hold", () => {
  it('opening by path takes a recent project; /etc/passwd or a project not in the list is refused', async () => {
    const dataDir = path.join(root, 'recent-project-data')
    const mine = path.join(root, 'recent', 'mine.reanimate')
    const planted = path.join(root, 'recent', 'planted.reanimate')
    await fs.mkdir(path.dirname(mine), { recursive: true })
    const write = (file: string, video: string) =>
      fs.writeFile(
        file,
        JSON.stringify({
          format: 'reanimate-project',
          version: 1,
          clips: [{ path: video, in: 0, out: 1, endpoint: TURBO }],
        }),
      )
    await write(mine, clip)
    // A project naming a video the user never opened: opening it would open that video.
    await write(planted, other)
    // The user opens their project in main's dialog: main remembers it.
    const user = await hostileWindow({ dataDir, pickProject: async () => mine })
    expect(await user.call('project.open', {})).toMatchObject({ ok: true })

    const w = await hostileWindow({ dataDir })
    // The window cannot write main's list.
    expect(await w.call('settings.update', { recentProjects: [planted] })).toMatchObject({
      ok: false,
    })
    for (const [given, name] of [
      ['/etc/passwd', 'passwd'],
      [planted, 'planted.reanimate'],
      [path.join(root, 'recent', 'sub', '..', 'planted.reanimate'), 'planted.reanimate'],
    ] as const)
      expect(await w.call('project.open', { path: given })).toEqual({
        ok: false,
        error: {
          code: 'forbidden',
          message: `${name} is not a project you opened or saved in Reanimate. Use Open project… to choose it.`,
          file: path.resolve(given),
        },
      })
    expect(w.services.access.isAllowed(other)).toBe(false)
    expect(await w.call('project.recent', {})).toEqual({
      ok: true,
      value: { projects: [{ path: mine, missing: false }] },
    })
    expect(await w.call('project.open', { path: mine })).toMatchObject({
      ok: true,
      value: { path: mine },
    })
  })

  it('a window cannot make main upload a file by calling it a recent LoRA', async () => {
    const w = await hostileWindow({})
    const secret = path.join(root, 'diary.safetensors')
    await fs.writeFile(secret, 'dear diary')
    expect(await w.call('settings.update', { recentLoras: [secret] })).toMatchObject({ ok: false })
    const reply = await w.call('render.start', {
      path: clip,
      range: { startSec: 0 },
      endpoint: TURBO,
      params: { prompt: 'x', loras: [{ path: secret, scale: 1 }] },
    })
    expect(reply).toMatchObject({ ok: false, error: { code: 'forbidden', file: secret } })
    // A refused render leaves main's list as it was.
    expect(w.services.settings.get().recentLoras).toEqual([])
    expect(await w.call('loras.recent', {})).toEqual({ ok: true, value: { loras: [] } })
    expect(fal.log.filter((e) => e.kind === 'upload')).toEqual([])
  })
})

describe('Show in folder shows only what the window rendered, at the path main recorded', () => {
  it('a finished render is shown; an unknown id or a moved output is not', async () => {
    const w = await hostileWindow({})
    const job = await w.render('to show')
    expect(job.status).toBe('done')
    expect(await w.call('jobs.reveal', { id: job.id })).toEqual({
      ok: true,
      value: { shown: true },
    })
    expect(w.revealed).toEqual([job.spec.output])
    expect(await w.call('jobs.reveal', { id: '../../etc/passwd' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    })
    await fs.rename(job.spec.output, `${job.spec.output}.moved`)
    expect(await w.call('jobs.reveal', { id: job.id })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('is no longer where it was rendered') },
    })
    expect(w.revealed).toHaveLength(1)
    await fs.rename(`${job.spec.output}.moved`, job.spec.output)
  })
})

describe('Open opens only a finished video the window rendered, at the path main recorded', () => {
  it('a finished render opens; an unknown id does not', async () => {
    const w = await hostileWindow({})
    const job = await w.render('to open')
    expect(await w.call('jobs.open', { id: job.id })).toEqual({ ok: true, value: { opened: true } })
    expect(w.opened).toEqual([job.spec.output])
    expect(await w.call('jobs.open', { id: '../../etc/passwd' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    })
    expect(w.opened).toHaveLength(1)
  })
})

describe('no contract call makes main run a program the user did not pick in main', () => {
  it('every method, with a planted program wherever a path fits, runs nothing', async () => {
    const marker = path.join(root, 'planted-ran')
    const planted = path.join(root, 'x', 'fake-ffmpeg')
    await fs.mkdir(path.dirname(planted), { recursive: true })
    await fs.writeFile(planted, `#!/bin/sh\ntouch '${marker}'\nexec /usr/bin/ffmpeg "$@"\n`)
    await fs.chmod(planted, 0o755)

    const w = await hostileWindow({ answer: () => false })
    // Typed so that a new method fails to compile here until it is tried with the planted path.
    const calls: Record<MethodName, unknown[]> = {
      'app.info': [{}],
      'settings.get': [{}],
      'settings.update': [
        { ffmpegPath: planted },
        { ffprobePath: planted },
        { concurrency: 2, ffmpegPath: planted },
      ],
      'settings.setFalProxy': [{ url: `file://${planted}`, sendKey: false }],
      'settings.pickTool': [{ tool: 'ffmpeg' }, { tool: 'ffprobe' }, { tool: planted }],
      'settings.pickOutputDir': [{}, { path: path.dirname(planted) }],
      'settings.resetTool': [{ tool: 'ffmpeg' }],
      'secrets.status': [{}],
      'secrets.setFalKey': [{ key: planted }],
      'secrets.clearFalKey': [],
      'media.probe': [{ path: planted }],
      'media.playbackUrl': [{ path: planted }],
      'media.poster': [{ path: planted }],
      'media.filmstrip': [{ path: planted, startSec: 0, endSec: 1, count: 2 }],
      'media.commands': [{}],
      'library.pickFiles': [{}],
      'library.pickFolder': [{}],
      'library.opened': [{}],
      'loras.pick': [{}],
      'loras.recent': [{}],
      'files.browse': [
        { dir: path.dirname(planted) },
        { dir: path.dirname(planted), show: 'loras' },
      ],
      'files.choose': [{ paths: [planted] }],
      'library.expand': [{ paths: [planted] }, { paths: [path.dirname(planted)] }],
      'media.waveform': [{ path: planted, startSec: 0, endSec: 1, buckets: 10 }],
      'project.open': [{ path: planted }, {}],
      'project.recent': [{}],
      'project.save': [{ path: planted, project: { clips: [] } }],
      'project.saveAs': [
        { project: { clips: [] }, dir: path.dirname(planted), name: 'fake-ffmpeg' },
      ],
      'project.autosave': [
        {
          project: {
            clips: [{ path: planted, in: 0, out: 1, endpoint: TURBO, params: { prompt: 'x' } }],
          },
          path: planted,
        },
      ],
      'project.restore': [{}],
      'render.start': [
        { path: planted, range: { startSec: 0 }, endpoint: TURBO, params: { prompt: 'x' } },
        {
          path: clip,
          range: { startSec: 0 },
          endpoint: TURBO,
          params: { prompt: 'x', loras: [{ path: planted, scale: 1 }] },
        },
      ],
      'jobs.list': [{}],
      'jobs.cancel': [{ id: planted }],
      'jobs.abandon': [{ id: planted }],
      'jobs.retry': [{ id: planted }],
      'jobs.reveal': [{ id: planted }],
      'jobs.open': [{ id: planted }],
      'jobs.pause': [{}],
      'jobs.state': [{}],
      'jobs.estimates': [{}],
      'jobs.resume': [{}],
      'batch.start': [
        { dir: path.dirname(planted), outDir: root, endpoint: TURBO, params: { prompt: 'x' } },
      ],
      'batch.preview': [{ dir: path.dirname(planted), recursive: true }],
      'batch.revealSummary': [{ batchId: planted }],
      'batch.cancel': [{ batchId: planted }],
      'presets.list': [{}],
      'presets.save': [{ name: 'p', preset: { params: { prompt: planted } } }],
      'presets.rename': [{ from: 'p', to: planted }],
      'presets.delete': [{ name: planted }],
      'presets.export': [{ name: 'p', dir: path.dirname(planted) }],
      'presets.import': [{ path: planted }],
    }
    expect(Object.keys(calls).sort()).toEqual([...methodNames].sort())
    for (const name of methodNames)
      for (const params of calls[name]) await w.services.dispatch(name, params, ctx)
    await w.call('app.info', {})
    expect(w.services.settings.get().ffmpegPath).toBeNull()
    expect(w.services.settings.get().ffprobePath).toBeNull()
    await expect(fs.access(marker)).rejects.toThrow()

    // The marker does work: once the user picks the program in main's dialog, it runs.
    const user = await hostileWindow({ pickProgram: async () => planted })
    expect(await user.call('settings.pickTool', { tool: 'ffmpeg' })).toMatchObject({ ok: true })
    await expect(fs.access(marker)).resolves.toBeUndefined()
  })

  it('a program on a network share is refused even when the user picks it', async () => {
    const w = await hostileWindow({ pickProgram: async () => '\\\\evil-host\\share\\ffmpeg.exe' })
    const reply = await w.call('settings.pickTool', { tool: 'ffmpeg' })
    expect(reply).toMatchObject({
      ok: false,
      error: {
        message:
          'ffmpeg.exe: is on a network share. Copy ffmpeg to this computer and choose that copy.',
      },
    })
    expect(w.services.settings.get().ffmpegPath).toBeNull()
  })
})

describe('ffmpeg and ffprobe never see the fal key', () => {
  it('a render with FAL_KEY in the environment leaves no FAL_* in any child', async () => {
    vi.stubEnv('FAL_KEY', KEY)
    vi.stubEnv('FAL_KEY_ID', 'key-id')
    const dumps = path.join(root, 'env-dumps')
    await fs.mkdir(dumps, { recursive: true })
    const wrapper = async (tool: string) => {
      const file = path.join(root, `dump-${tool}`)
      await fs.writeFile(
        file,
        `#!/bin/sh\nenv > '${dumps}'/${tool}-$$\nexec /usr/bin/${tool} "$@"\n`,
      )
      await fs.chmod(file, 0o755)
      return file
    }
    const picks = [await wrapper('ffmpeg'), await wrapper('ffprobe')]
    // The user picks both programs in main's own dialog.
    const w = await hostileWindow({ pickProgram: async () => picks.shift() ?? null })
    expect(await w.call('settings.pickTool', { tool: 'ffmpeg' })).toMatchObject({ ok: true })
    expect(await w.call('settings.pickTool', { tool: 'ffprobe' })).toMatchObject({ ok: true })
    expect(await w.call('media.probe', { path: clip })).toMatchObject({ ok: true })
    const job = await w.render('env check')
    expect(job.status).toBe('done')

    const files = await fs.readdir(dumps)
    // probe, prepare and finish at least: the check below is not vacuous.
    expect(files.filter((f) => f.startsWith('ffmpeg-')).length).toBeGreaterThanOrEqual(2)
    expect(files.filter((f) => f.startsWith('ffprobe-')).length).toBeGreaterThanOrEqual(1)
    for (const f of files) {
      const env = await fs.readFile(path.join(dumps, f), 'utf8')
      expect(env).toContain('PATH=')
      expect(env).not.toContain(KEY)
      expect(env).not.toMatch(/^FAL_/m)
    }
  })
})

describe('files: only what the user chose, as it was when chosen', () => {
  it("the desktop window can neither browse folders nor choose files itself (that is reanimate ui's)", async () => {
    const w = await hostileWindow({})
    for (const [name, params] of [
      ['files.browse', { dir: root }],
      ['files.choose', { paths: [other] }],
    ] as const)
      expect(await w.call(name, params)).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(w.services.access.isAllowed(other)).toBe(false)
  })

  it('a granted clip swapped for a link to another video is refused everywhere', async () => {
    const w = await hostileWindow({})
    const dir = path.join(root, 'swap')
    await fs.mkdir(dir, { recursive: true })
    const chosen = path.join(dir, 'chosen.mp4')
    await fs.copyFile(clip, chosen)
    w.services.access.grant(chosen)
    expect(await w.call('media.probe', { path: chosen })).toMatchObject({ ok: true })

    await fs.rm(chosen)
    await fs.symlink(other, chosen)
    for (const reply of [
      await w.call('media.probe', { path: chosen }),
      await w.call('media.playbackUrl', { path: chosen }),
      await w.call('render.start', {
        path: chosen,
        range: { startSec: 0 },
        endpoint: TURBO,
        params: { prompt: 'x' },
      }),
    ])
      expect(reply).toMatchObject({
        ok: false,
        error: {
          code: 'forbidden',
          message: 'chosen.mp4: changed on disk since you added it. Add it again.',
        },
      })
    const served = await serveMedia(
      w.services.access,
      encodeURIComponent(chosen),
      new Request('http://local/'),
    )
    expect(served.status).toBe(403)
    expect(fal.log.filter((e) => e.kind.startsWith('initiate') || e.kind === 'upload')).toEqual([])
  })

  it('a playlist named .mp4 that pulls in another local video is refused, and nothing is uploaded', async () => {
    const w = await hostileWindow({})
    const playlist = path.join(root, 'funny-cat.mp4')
    await fs.writeFile(
      playlist,
      `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:1,\n${other}\n#EXT-X-ENDLIST\n`,
    )
    w.services.access.grant(playlist)
    const expected = {
      ok: false,
      error: { message: 'funny-cat.mp4: a streaming playlist, not a video file' },
    }
    expect(await w.call('media.probe', { path: playlist })).toMatchObject(expected)
    const started = await w.call('render.start', {
      path: playlist,
      range: { startSec: 0 },
      endpoint: TURBO,
      params: { prompt: 'x' },
    })
    if (started.ok) {
      const job = started.value as RenderStarted
      await w.services.render.waitFor([job.job.id])
      expect(w.services.render.get(job.job.id)?.error?.message).toBe(expected.error.message)
    } else {
      expect(started).toMatchObject(expected)
    }
    expect(fal.log.filter((e) => e.kind.startsWith('initiate') || e.kind === 'upload')).toEqual([])
    expect(fal.submits()).toEqual([])
  })

  it('a poster of a list, a manifest or a numbered image pattern never shows the files it names', async () => {
    const w = await hostileWindow({})
    const dir = path.join(root, 'lures')
    await fs.mkdir(dir, { recursive: true })
    await fs.writeFile(path.join(dir, 'near.txt'), 'bank PIN 4242')
    await fs.copyFile(other, path.join(dir, 'near.mp4'))
    const concat = path.join(dir, 'party.mp4')
    await fs.writeFile(concat, 'ffconcat version 1.0\nfile near.mp4\n')
    const dash = path.join(dir, 'trailer.mp4')
    await fs.writeFile(
      dash,
      '<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT1S" minBufferTime="PT1S" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011"><Period><AdaptationSet mimeType="video/mp4"><Representation id="1" bandwidth="1000" width="320" height="240"><BaseURL>near.mp4</BaseURL></Representation></AdaptationSet></Period></MPD>',
    )
    const png = path.join(dir, 'shot1.png')
    await fs.copyFile(await w.services.media.poster(clip), png)
    const pattern = path.join(dir, 'shot%d.png')
    await fs.writeFile(pattern, 'not an image')
    for (const lure of [concat, dash, pattern]) {
      w.services.access.grant(lure)
      const reply = await w.call('media.poster', { path: lure, atSec: 0, height: 240 })
      expect(reply, lure).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    }
  })
})

describe("renders another process left in the shared journal are not the window's", () => {
  it("a CLI render's output is not served to the window, and the window cannot retry its failed one", async () => {
    const dataDir = path.join(root, 'shared-data')
    const cliEnv = {
      PATH: process.env.PATH,
      REANIMATE_DATA_DIR: dataDir,
      FAL_KEY: KEY,
      FAL_PROXY_URL: fal.proxyUrl,
    }
    const secret = path.join(root, 'cli-secret.mp4')
    await fs.copyFile(other, secret)
    const io = { stdout: () => undefined, stderr: () => undefined }
    const done = path.join(root, 'cli-secret.reanimate.mp4')
    expect(
      await runCli(['run', secret, '--prompt', 'a', '--out', done, '--json'], io, cliEnv),
    ).toBe(0)
    fal.setFaults({ failProcessing: 1 })
    const failedOut = path.join(root, 'cli-secret-2.mp4')
    expect(
      await runCli(['run', secret, '--prompt', 'b', '--out', failedOut, '--json'], io, cliEnv),
    ).toBe(1)

    const services = createServices({
      dataDir,
      secrets: new MemorySecretStore(),
      env: { PATH: process.env.PATH, FAL_PROXY_URL: fal.proxyUrl },
      pollMs: 30,
    })
    closers.push(() => services.render.close())
    await services.init()
    const jobs = (await services.dispatch('jobs.list', {}, ctx)) as { ok: true; value: Job[] }
    expect(jobs.value.map((j) => j.status).sort()).toEqual(['done', 'failed'])
    expect(services.access.isAllowed(done)).toBe(false)
    const served = await serveMedia(
      services.access,
      encodeURIComponent(done),
      new Request('http://x/'),
    )
    expect(served.status).toBe(403)
    // Nor is it shown in the file manager: the window learns nothing of where it lies.
    const done1 = jobs.value.find((j) => j.status === 'done') as Job
    expect(await services.dispatch('jobs.reveal', { id: done1.id }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    })

    const failed = jobs.value.find((j) => j.status === 'failed') as Job
    fal.clearLog()
    const retry = await services.dispatch('jobs.retry', { id: failed.id }, ctx)
    expect(retry).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringContaining('reanimate jobs retry') },
    })
    expect(fal.log).toEqual([])
  })
})
