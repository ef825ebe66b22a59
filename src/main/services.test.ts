import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServices, type Dialogs } from './services'
import { MemorySecretStore } from './settings/secret-store'
import { methodNames, type CallReply, type MethodName } from '../shared/contract'
import type { CallContext } from '../shared/contract/dispatch'
import type { ErrorInfo } from '../shared/errors'
import { DEFAULT_SETTINGS } from '../shared/settings'

const SENTINEL = 'sk-test-SENTINEL-123456'
const ctx: CallContext = { transport: 'websocket', mediaBaseUrl: 'http://127.0.0.1:4321/media/' }
const ONLY_PATH = { PATH: '/usr/bin' }

let root: string
let clip: string
let counter = 0

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-services-'))
  clip = path.join(root, 'my clip.mp4')
  await promisify(execFile)('/usr/bin/ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=64x48:rate=25:duration=1',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    clip,
  ])
})

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true })
})

async function makeServices(
  env: NodeJS.ProcessEnv = ONLY_PATH,
  allowAllFiles = false,
  dialogs?: Partial<Dialogs>,
) {
  const dataDir = path.join(root, `data-${++counter}`)
  await fs.mkdir(dataDir)
  const services = createServices({
    dataDir,
    secrets: new MemorySecretStore(),
    env,
    allowAllFiles,
    ...(dialogs ? { dialogs } : {}),
  })
  const events: { name: string; payload: unknown }[] = []
  services.bus.subscribe((name, payload) => events.push({ name, payload }))
  return { services, events, dataDir }
}

function errorOf(reply: CallReply): ErrorInfo {
  if (reply.ok) throw new Error(`expected an error, got ${JSON.stringify(reply.value)}`)
  return reply.error
}

function valueOf<T>(reply: CallReply): T {
  if (!reply.ok) throw new Error(`expected a value, got ${JSON.stringify(reply.error)}`)
  return reply.value as T
}

async function allFileText(dir: string): Promise<string> {
  let text = ''
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) text += await fs.readFile(path.join(entry.parentPath, entry.name), 'latin1')
  }
  return text
}

describe('createServices: the fal key never leaks', () => {
  it('no reply to any method and no event contains the stored key', async () => {
    const { services, events, dataDir } = await makeServices()
    const setReply = await services.dispatch('secrets.setFalKey', { key: SENTINEL }, ctx)
    expect(setReply.ok).toBe(true)
    // The key really is stored, so the checks below are not vacuous.
    expect(await services.keys.resolve()).toBe(SENTINEL)

    const notGranted = path.join(root, 'not-granted.mp4')
    // Plausible calls for every method, successful and failing ones. Typed so that a new method
    // in the contract fails to compile here until it is added.
    const calls: Record<MethodName, unknown[]> = {
      'app.info': [{}],
      'settings.get': [{}],
      'settings.update': [
        { concurrency: 3 },
        { falProxyUrl: SENTINEL },
        { ffmpegPath: '/usr/bin/ffmpeg' },
      ],
      'settings.setFalProxy': [
        { url: 'https://proxy.example/fal', sendKey: true },
        { url: SENTINEL, sendKey: true },
        { url: null },
      ],
      'settings.pickTool': [{ tool: 'ffmpeg' }, { tool: SENTINEL }],
      'settings.resetTool': [{ tool: 'ffprobe' }],
      'settings.pickOutputDir': [{}, { path: SENTINEL }],
      'secrets.status': [{}],
      'secrets.setFalKey': [{ key: `${SENTINEL} with spaces` }, { key: `x${SENTINEL}`.repeat(40) }],
      'secrets.clearFalKey': [{}],
      'media.probe': [{ path: clip }, { path: notGranted }, { path: 'relative.mp4' }],
      'media.playbackUrl': [{ path: clip }, { path: notGranted }],
      'media.poster': [{ path: clip }, { path: notGranted }],
      'media.filmstrip': [
        { path: clip, startSec: 0, endSec: 1, count: 2 },
        { path: notGranted, startSec: 0, endSec: 1, count: 2 },
      ],
      'media.commands': [{}],
      'library.pickFiles': [{}],
      'library.pickFolder': [{}],
      'library.opened': [{}],
      'loras.pick': [{}],
      'loras.recent': [{}],
      'files.browse': [{}],
      'files.choose': [{ paths: [clip] }],
      'library.expand': [{ paths: [clip] }, { paths: [root] }],
      'media.waveform': [{ path: clip, startSec: 0, endSec: 1, buckets: 10 }],
      'project.open': [{}],
      'project.recent': [{}],
      'project.save': [{ path: path.join(root, 'p.reanimate'), project: { clips: [] } }],
      'project.saveAs': [{ project: { clips: [] } }],
      'project.autosave': [{ project: { clips: [] }, path: null }],
      'project.restore': [{}],
      // Never a valid render here: with a key set and no proxy it would head for the real fal.
      'render.start': [
        {
          path: clip,
          range: { startSec: 0 },
          endpoint: 'fal-ai/animatediff-v2v/turbo',
          params: { prompt: '' },
        },
        {
          path: notGranted,
          range: { startSec: 0 },
          endpoint: 'fal-ai/animatediff-v2v/turbo',
          params: { prompt: SENTINEL },
        },
      ],
      'jobs.list': [{}],
      'jobs.cancel': [{ id: 'nope' }],
      'jobs.abandon': [{ id: 'nope' }],
      'jobs.retry': [{ id: 'nope' }],
      'jobs.reveal': [{ id: 'nope' }],
      'jobs.open': [{ id: 'nope' }],
      'jobs.pause': [{}],
      'jobs.state': [{}],
      'jobs.estimates': [{}],
      'jobs.resume': [{}],
      'batch.start': [
        {
          dir: root,
          outDir: root,
          endpoint: 'fal-ai/animatediff-v2v/turbo',
          params: { prompt: '' },
        },
      ],
      'batch.preview': [{ dir: notGranted }, { dir: root, params: { prompt: SENTINEL } }],
      'batch.revealSummary': [{ batchId: 'nope' }],
      'batch.cancel': [{ batchId: 'nope' }],
      'presets.list': [{}],
      'presets.save': [
        { name: 'p', preset: { params: { prompt: 'x' } } },
        { name: '', preset: {} },
      ],
      'presets.rename': [{ from: 'p', to: 'q' }],
      'presets.delete': [{ name: 'q' }],
      'presets.export': [{ name: 'nope', dir: notGranted }],
      'presets.import': [{ path: notGranted }],
    }
    expect(Object.keys(calls).sort()).toEqual([...methodNames].sort())

    const replies: CallReply[] = [setReply]
    const called = new Set<string>()
    for (const pass of ['not granted', 'granted'] as const) {
      if (pass === 'granted') services.access.grant(clip)
      for (const name of methodNames) {
        // Clear last, so every other method runs while the key is stored.
        if (name === 'secrets.clearFalKey') continue
        for (const params of calls[name]) {
          replies.push(await services.dispatch(name, params, ctx))
          called.add(name)
        }
      }
    }
    // Still stored: none of the calls above removed it.
    expect(await services.keys.resolve()).toBe(SENTINEL)
    replies.push(await services.dispatch('secrets.clearFalKey', {}, ctx))
    called.add('secrets.clearFalKey')
    expect([...called].sort()).toEqual([...methodNames].sort())

    // Both successes and failures happened, and events were emitted.
    expect(replies.some((r) => r.ok)).toBe(true)
    expect(replies.some((r) => !r.ok)).toBe(true)
    expect(events.map((e) => e.name)).toEqual(
      expect.arrayContaining(['secrets.changed', 'settings.changed']),
    )

    for (const reply of replies) expect(JSON.stringify(reply)).not.toContain('SENTINEL')
    for (const event of events) expect(JSON.stringify(event)).not.toContain('SENTINEL')
    // MemorySecretStore: nothing about the key on disk either.
    expect(await allFileText(dataDir)).not.toContain('SENTINEL')
  })

  it('secrets.setFalKey answers with a status, not the key', async () => {
    const { services, events } = await makeServices()
    const status = valueOf<Record<string, unknown>>(
      await services.dispatch('secrets.setFalKey', { key: SENTINEL }, ctx),
    )
    expect(status).toMatchObject({ source: 'stored', canStore: true })
    expect(events).toEqual([{ name: 'secrets.changed', payload: status }])
  })

  it('stores the trimmed key, and clearing falls back to FAL_KEY', async () => {
    const { services, events } = await makeServices({ ...ONLY_PATH, FAL_KEY: 'env-key-abcdef' })
    expect(
      valueOf<{ source: string }>(await services.dispatch('secrets.status', {}, ctx)).source,
    ).toBe('env')
    await services.dispatch('secrets.setFalKey', { key: `  ${SENTINEL}\n` }, ctx)
    expect(await services.keys.resolve()).toBe(SENTINEL)
    const cleared = valueOf<{ source: string }>(
      await services.dispatch('secrets.clearFalKey', {}, ctx),
    )
    expect(cleared.source).toBe('env')
    expect(await services.keys.resolve()).toBe('env-key-abcdef')
    expect(events.map((e) => e.name)).toEqual(['secrets.changed', 'secrets.changed'])
  })
})

describe('createServices: media access', () => {
  it('media.probe and media.playbackUrl refuse a path that was not granted', async () => {
    const { services } = await makeServices()
    for (const name of ['media.probe', 'media.playbackUrl'] as const) {
      const error = errorOf(await services.dispatch(name, { path: clip }, ctx))
      expect(error.code).toBe('forbidden')
      expect(error.file).toBe(clip)
      expect(error.message).toContain(path.basename(clip))
    }
  })

  it('after a grant, playbackUrl is <mediaBaseUrl><encoded path>', async () => {
    const { services } = await makeServices()
    services.access.grant(clip)
    const { url } = valueOf<{ url: string }>(
      await services.dispatch('media.playbackUrl', { path: clip }, ctx),
    )
    expect(url).toBe(ctx.mediaBaseUrl + encodeURIComponent(clip))
    expect(decodeURIComponent(url.slice(ctx.mediaBaseUrl.length))).toBe(clip)
    // The base comes from the call context of each transport.
    const ipcCtx: CallContext = { transport: 'ipc', mediaBaseUrl: 'reanimate-media://file/' }
    const ipc = valueOf<{ url: string }>(
      await services.dispatch('media.playbackUrl', { path: clip }, ipcCtx),
    )
    expect(ipc.url).toBe('reanimate-media://file/' + encodeURIComponent(clip))
  })

  it('a grant does not extend to a .. path leading elsewhere', async () => {
    const { services } = await makeServices()
    services.access.grant(clip)
    const sneaky = `${root}${path.sep}sub${path.sep}..${path.sep}..${path.sep}${path.basename(clip)}`
    expect(errorOf(await services.dispatch('media.playbackUrl', { path: sneaky }, ctx)).code).toBe(
      'forbidden',
    )
  })

  it('after a grant, media.probe reads the file', async () => {
    const { services } = await makeServices()
    services.access.grant(clip)
    const result = valueOf<{ width: number; height: number; path: string }>(
      await services.dispatch('media.probe', { path: clip }, ctx),
    )
    expect(result).toMatchObject({ width: 64, height: 48, path: clip })
  })

  it('media.probe says ffprobe is missing when it cannot be found (env without PATH)', async () => {
    const { services } = await makeServices({})
    services.access.grant(clip)
    const error = errorOf(await services.dispatch('media.probe', { path: clip }, ctx))
    expect(error.code).toBe('ffmpeg-missing')
  })

  it('render.start refuses a local LoRA file the user did not pick: the window cannot make main upload it', async () => {
    // A proxy that answers nothing: the refusal must come before any network call.
    const { services } = await makeServices({ ...ONLY_PATH, FAL_PROXY_URL: 'http://127.0.0.1:9/' })
    services.access.grant(clip)
    const secret = path.join(root, 'secret weights.safetensors')
    await fs.writeFile(secret, 'not for the window')
    const request = {
      path: clip,
      range: { startSec: 0 },
      endpoint: 'fal-ai/animatediff-v2v/turbo',
      params: { prompt: 'x', loras: [{ path: secret, scale: 1 }] },
    }
    const error = errorOf(await services.dispatch('render.start', request, ctx))
    expect(error).toMatchObject({ code: 'forbidden', file: secret })
    expect(services.render.list()).toEqual([])
    // The same for a folder batch's parameters.
    services.access.grant(root)
    const batch = errorOf(
      await services.dispatch(
        'batch.start',
        {
          dir: root,
          outDir: path.join(root, 'out'),
          endpoint: request.endpoint,
          params: request.params,
        },
        ctx,
      ),
    )
    expect(batch.code).toBe('forbidden')
    await services.render.close()
  })

  it('allowAllFiles lets the CLI reach any absolute path', async () => {
    const { services } = await makeServices(ONLY_PATH, true)
    const { url } = valueOf<{ url: string }>(
      await services.dispatch('media.playbackUrl', { path: clip }, ctx),
    )
    expect(url).toBe(ctx.mediaBaseUrl + encodeURIComponent(clip))
    expect(
      errorOf(await services.dispatch('media.playbackUrl', { path: 'relative.mp4' }, ctx)).code,
    ).toBe('forbidden')
  })
})

describe('createServices: library.expand (a dropped or chosen folder as clips)', () => {
  type Expanded = { paths: string[]; skipped: string[]; skippedCount: number }

  async function folderOfClips() {
    const dir = path.join(root, `holiday-${++counter}`)
    await fs.mkdir(path.join(dir, 'day 2', '.cache'), { recursive: true })
    for (const f of [
      'b.mp4',
      'A.MOV',
      'notes.txt',
      '.hidden.mp4',
      'day 2/c.webm',
      'day 2/.cache/d.mp4',
    ])
      await fs.writeFile(path.join(dir, f), 'x')
    // A link inside the folder to a video elsewhere is not followed.
    await fs.symlink(clip, path.join(dir, 'link.mp4'))
    return dir
  }

  it('a granted folder gives every video under it, granted, and names the other files', async () => {
    const { services } = await makeServices()
    const dir = await folderOfClips()
    services.access.grant(dir)
    services.access.grant(clip)
    const out = valueOf<Expanded>(
      await services.dispatch('library.expand', { paths: [clip, dir] }, ctx),
    )
    const videos = ['A.MOV', 'b.mp4', 'day 2/c.webm'].map((f) => path.join(dir, f))
    expect(out.paths).toEqual([clip, ...videos])
    expect(out.skipped).toEqual([path.join(path.basename(dir), 'notes.txt')])
    expect(out.skippedCount).toBe(1)
    for (const v of videos) expect(services.access.isAllowed(v)).toBe(true)
    // Hidden files and what a link points at stay out of reach.
    expect(services.access.isAllowed(path.join(dir, '.hidden.mp4'))).toBe(false)
    expect(services.access.isAllowed(path.join(dir, 'day 2/.cache/d.mp4'))).toBe(false)
  })

  it('refuses a folder the user did not choose, and grants nothing in it', async () => {
    const { services } = await makeServices()
    const dir = await folderOfClips()
    const reply = errorOf(await services.dispatch('library.expand', { paths: [dir] }, ctx))
    expect(reply.code).toBe('forbidden')
    expect(reply.message).toBe(
      `${path.basename(dir)}: not a file you opened in Reanimate. Add it first.`,
    )
    expect(services.access.isAllowed(path.join(dir, 'b.mp4'))).toBe(false)
  })
})

describe('createServices: settings', () => {
  it('settings.update returns, persists and emits settings.changed', async () => {
    const { services, events, dataDir } = await makeServices()
    const next = valueOf<typeof DEFAULT_SETTINGS>(
      await services.dispatch('settings.update', { concurrency: 5 }, ctx),
    )
    expect(next).toEqual({ ...DEFAULT_SETTINGS, concurrency: 5 })
    expect(events).toEqual([{ name: 'settings.changed', payload: next }])
    expect(valueOf(await services.dispatch('settings.get', {}, ctx))).toEqual(next)
    expect(JSON.parse(await fs.readFile(path.join(dataDir, 'settings.json'), 'utf8'))).toEqual(next)
  })

  it('a one-field update keeps the other fields', async () => {
    const { services } = await makeServices()
    await services.dispatch('settings.update', { concurrency: 4 }, ctx)
    const next = valueOf<typeof DEFAULT_SETTINGS>(
      await services.dispatch('settings.update', { prepareMaxSide: 'original' }, ctx),
    )
    expect(next).toMatchObject({ concurrency: 4, prepareMaxSide: 'original' })
  })

  it('an invalid update is refused with the field name, changes nothing and emits nothing', async () => {
    const { services, events } = await makeServices()
    const error = errorOf(await services.dispatch('settings.update', { concurrency: 0 }, ctx))
    expect(error).toMatchObject({ code: 'invalid-params', field: 'concurrency' })
    expect(events).toEqual([])
    expect(valueOf(await services.dispatch('settings.get', {}, ctx))).toEqual(DEFAULT_SETTINGS)
  })

  it("choosing a program in main's picker re-resolves the tools; a broken pick changes nothing", async () => {
    let picked: string | null = '/nonexistent/ffprobe'
    const { services } = await makeServices(ONLY_PATH, false, {
      pickProgram: async () => picked,
    })
    type Info = {
      tools: { ffprobe: { path: string } | null; problems: string[] }
      transport: string
    }
    const before = valueOf<Info>(await services.dispatch('app.info', {}, ctx))
    expect(before.tools.ffprobe?.path).toBe('/usr/bin/ffprobe')
    expect(before.transport).toBe('websocket')

    // A pick that is not a program is refused in words and not saved.
    expect(
      errorOf(await services.dispatch('settings.pickTool', { tool: 'ffprobe' }, ctx)),
    ).toMatchObject({
      code: 'invalid-input',
      message: 'ffprobe: not a program file. Choose ffprobe itself.',
    })
    expect(services.settings.get().ffprobePath).toBeNull()

    // A real one is saved and used.
    const copy = path.join(root, `ffprobe-copy-${counter}`)
    await fs.copyFile('/usr/bin/ffprobe', copy)
    await fs.chmod(copy, 0o755)
    picked = copy
    expect(
      valueOf(await services.dispatch('settings.pickTool', { tool: 'ffprobe' }, ctx)),
    ).toMatchObject({
      changed: true,
    })
    const chosen = valueOf<Info>(await services.dispatch('app.info', {}, ctx))
    expect(chosen.tools.ffprobe?.path).toBe(copy)

    // Cancelling the picker changes nothing.
    picked = null
    expect(
      valueOf(await services.dispatch('settings.pickTool', { tool: 'ffprobe' }, ctx)),
    ).toMatchObject({
      changed: false,
    })
    expect(services.settings.get().ffprobePath).toBe(copy)

    await services.dispatch('settings.resetTool', { tool: 'ffprobe' }, ctx)
    expect(valueOf<Info>(await services.dispatch('app.info', {}, ctx)).tools.ffprobe?.path).toBe(
      '/usr/bin/ffprobe',
    )
  })
})

describe('createServices: app.info', () => {
  it('reports name, version, platform, transport and tool problems with an empty env', async () => {
    const { services } = await makeServices({})
    const info = valueOf<{
      name: string
      version: string
      platform: string
      transport: string
      tools: { ffprobe: unknown; problems: string[] }
    }>(await services.dispatch('app.info', {}, { transport: 'cli', mediaBaseUrl: '' }))
    expect(info.name).toBe('Reanimate')
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/)
    expect(info.platform).toBe(`${process.platform}-${process.arch}`)
    expect(info.transport).toBe('cli')
    expect(info.tools.ffprobe).toBeNull()
    expect(info.tools.problems.length).toBeGreaterThan(0)
  })

  it('exposes the resolved data dir', async () => {
    const { services, dataDir } = await makeServices()
    expect(services.dataDir).toBe(path.resolve(dataDir))
  })
})

describe('createServices: recent LoRAs and projects', () => {
  /** A session of the app on `dataDir`: a restart is a new session on the same folder. */
  function session(dataDir: string, dialogs: Partial<Dialogs> = {}, browserPickers = false) {
    const services = createServices({
      dataDir,
      secrets: new MemorySecretStore(),
      // A proxy that answers nothing: renders queue, and the runner is paused before any upload.
      env: { ...ONLY_PATH, FAL_PROXY_URL: 'http://127.0.0.1:9/' },
      dialogs,
      browserPickers,
    })
    services.render.runner.pause()
    return services
  }
  const start = (services: ReturnType<typeof session>, loras: { path: string }[]) =>
    services.dispatch(
      'render.start',
      {
        path: clip,
        range: { startSec: 0 },
        endpoint: 'fal-ai/animatediff-v2v/turbo',
        params: { prompt: `lora ${loras.length}`, loras },
      },
      ctx,
    )

  it('a picked LoRA a render used is remembered; after a restart main accepts it from its list, never another file', async () => {
    const dataDir = path.join(root, `recent-loras-${++counter}`)
    const style = path.join(dataDir, 'loras', 'Ink Style.safetensors')
    const unpicked = path.join(dataDir, 'loras', 'other.safetensors')
    await fs.mkdir(path.dirname(style), { recursive: true })
    await fs.writeFile(style, 'weights')
    await fs.writeFile(unpicked, 'weights')
    const url = 'https://example.com/anime.safetensors'

    let picked: string | null = style
    const first = session(dataDir, { pickLora: async () => picked })
    first.access.grant(clip)
    expect(valueOf(await first.dispatch('loras.pick', {}, ctx))).toEqual({ path: style })
    // Refused before anything is remembered: a LoRA list of a render that did not start.
    expect(errorOf(await start(first, [{ path: unpicked }])).code).toBe('forbidden')
    expect(first.settings.get().recentLoras).toEqual([])
    valueOf(await start(first, [{ path: style }, { path: url }]))
    expect(first.settings.get().recentLoras).toEqual([style, url])
    await first.render.close()

    const second = session(dataDir)
    second.access.grant(clip)
    expect(valueOf(await second.dispatch('loras.recent', {}, ctx))).toEqual({
      loras: [
        { path: style, local: true, missing: false },
        { path: url, local: false, missing: false },
      ],
    })
    expect(valueOf<{ action: string }>(await start(second, [{ path: style }])).action).toBe('new')
    expect(errorOf(await start(second, [{ path: unpicked }]))).toMatchObject({
      code: 'forbidden',
      file: unpicked,
    })
    // Usable as a LoRA only: the recent list does not make the file readable by the window.
    expect(errorOf(await second.dispatch('media.probe', { path: style }, ctx)).code).toBe(
      'forbidden',
    )
    await fs.rm(style)
    expect(
      valueOf<{ loras: { missing: boolean }[] }>(await second.dispatch('loras.recent', {}, ctx))
        .loras[0],
    ).toMatchObject({ path: style, missing: true })
    await second.render.close()

    // main's LoRA dialog: only a .safetensors file; cancelling picks nothing.
    picked = path.join(dataDir, 'notes.txt')
    const third = session(dataDir, { pickLora: async () => picked })
    expect(errorOf(await third.dispatch('loras.pick', {}, ctx))).toMatchObject({
      code: 'invalid-input',
      message: "notes.txt: not a .safetensors file. Choose the LoRA's .safetensors weights.",
    })
    expect(third.access.isAllowed(picked)).toBe(false)
    picked = null
    expect(valueOf(await third.dispatch('loras.pick', {}, ctx))).toEqual({ path: null })
    await third.render.close()
  })

  it('projects opened or saved are remembered, newest first; after a restart they open by path, a missing one says so', async () => {
    const dataDir = path.join(root, `recent-projects-${++counter}`)
    const dir = path.join(dataDir, 'projects')
    await fs.mkdir(dir, { recursive: true })
    const opened = path.join(dir, 'opened.reanimate')
    const project = {
      clips: [{ path: clip, in: 0, out: 1, endpoint: 'fal-ai/animatediff-v2v/turbo' }],
    }
    await fs.writeFile(
      opened,
      JSON.stringify({ format: 'reanimate-project', version: 1, clips: [] }),
    )
    const first = session(dataDir, {
      pickProject: async () => opened,
      saveProject: async () => path.join(dir, 'saved'),
    })
    // The user dropped the clip in this window.
    first.access.grant(clip)
    valueOf(await first.dispatch('project.open', {}, ctx))
    valueOf(await first.dispatch('project.saveAs', { project, name: 'x' }, ctx))
    const saved = path.join(dir, 'saved.reanimate')
    expect(first.settings.get().recentProjects).toEqual([saved, opened])
    // Saving again puts it first again.
    valueOf(await first.dispatch('project.save', { path: opened, project }, ctx))
    expect(first.settings.get().recentProjects).toEqual([opened, saved])

    const second = session(dataDir)
    const reopened = valueOf<{ path: string; project: { clips: unknown[] } }>(
      await second.dispatch('project.open', { path: saved }, ctx),
    )
    expect(reopened.path).toBe(saved)
    // Its videos became reachable, as with any project the user opens.
    expect(second.access.isAllowed(clip)).toBe(true)
    await fs.rm(opened)
    expect(valueOf(await second.dispatch('project.recent', {}, ctx))).toEqual({
      projects: [
        { path: saved, missing: false },
        { path: opened, missing: true },
      ],
    })
    expect(errorOf(await second.dispatch('project.open', { path: opened }, ctx))).toMatchObject({
      code: 'not-found',
      message: 'opened.reanimate: no such project',
    })
    await first.render.close()
    await second.render.close()
  })
})

describe('createServices: files the OS opens with the app', () => {
  async function withProject() {
    const dataDir = path.join(root, `os-open-${++counter}`)
    await fs.mkdir(dataDir)
    const project = path.join(dataDir, 'From Finder.reanimate')
    await fs.writeFile(
      project,
      JSON.stringify({ format: 'reanimate-project', version: 1, clips: [] }),
    )
    const recent: string[] = []
    const services = createServices({
      dataDir,
      secrets: new MemorySecretStore(),
      env: ONLY_PATH,
      desktop: { setProgress: () => undefined, addRecentDocument: (f) => recent.push(f) },
    })
    const events: { name: string; payload: unknown }[] = []
    services.bus.subscribe((name, payload) => events.push({ name, payload }))
    return { services, events, project, recent, dataDir }
  }

  it('before the window asks, they wait for its library.opened, granted; it gets them once', async () => {
    const { services, events, project, recent } = await withProject()
    services.openFiles({ videos: [clip], projects: [project] })
    expect(events.filter((e) => e.name === 'library.filesOpened')).toEqual([])
    expect(valueOf(await services.dispatch('library.opened', {}, ctx))).toEqual({
      paths: [clip],
      project,
    })
    expect(services.access.isAllowed(clip)).toBe(true)
    // The project opens by path, and becomes a recent document of the OS.
    valueOf(await services.dispatch('project.open', { path: project }, ctx))
    expect(recent).toEqual([project])
    expect(valueOf(await services.dispatch('library.opened', {}, ctx))).toEqual({ paths: [] })
    await services.render.close()
  })

  it('once the window listens, they reach it as library.filesOpened; after it is gone they wait again', async () => {
    const { services, events, project } = await withProject()
    valueOf(await services.dispatch('library.opened', {}, ctx))
    services.openFiles({ videos: [clip], projects: [] })
    expect(events.filter((e) => e.name === 'library.filesOpened')).toEqual([
      { name: 'library.filesOpened', payload: { paths: [clip] } },
    ])
    services.windowGone()
    services.openFiles({ videos: [], projects: [project] })
    expect(events.filter((e) => e.name === 'library.filesOpened')).toHaveLength(1)
    expect(valueOf(await services.dispatch('library.opened', {}, ctx))).toEqual({
      paths: [],
      project,
    })
    await services.render.close()
  })

  it('files named on the command line reach every window that asks: a reloaded page gets them again', async () => {
    const dataDir = path.join(root, `os-open-${++counter}`)
    await fs.mkdir(dataDir)
    const services = createServices({
      dataDir,
      secrets: new MemorySecretStore(),
      env: ONLY_PATH,
      launchFiles: [clip],
    })
    const other = path.join(dataDir, 'from finder.mov')
    services.openFiles({ videos: [other], projects: [] })
    expect(valueOf(await services.dispatch('library.opened', {}, ctx))).toEqual({
      paths: [clip, other],
    })
    // Reloaded: the command line's clip again; what the OS handed over was handed once.
    expect(valueOf(await services.dispatch('library.opened', {}, ctx))).toEqual({ paths: [clip] })
    await services.render.close()
  })

  it('the window still cannot open a project main was not handed, nor reach an ungranted video', async () => {
    const { services, dataDir } = await withProject()
    const other = path.join(dataDir, 'other.reanimate')
    await fs.writeFile(
      other,
      JSON.stringify({ format: 'reanimate-project', version: 1, clips: [] }),
    )
    expect(errorOf(await services.dispatch('project.open', { path: other }, ctx)).code).toBe(
      'forbidden',
    )
    expect(services.access.isAllowed(clip)).toBe(false)
    await services.render.close()
  })
})
