import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/main'
import { createServices } from '../../src/main/services'
import { MemorySecretStore } from '../../src/main/settings/secret-store'
import type { CallContext } from '../../src/shared/contract/dispatch'
import type { Result } from '../../src/shared/contract'
import { startFalEmulator, type FalEmulator } from '../fal-emulator/emulator'
import { clips, tempDir } from '../media/clips'

/**
 * Presets made in the window are files `reanimate batch --preset` reads unchanged, and the batch
 * panel's preview says what a batch would do, in the same words as the batch itself.
 */

const ctx: CallContext = { transport: 'ipc', mediaBaseUrl: 'http://127.0.0.1:1/media/' }
let root: string
let emu: FalEmulator
let folder: string

beforeAll(async () => {
  root = await tempDir('reanimate-presets-')
  emu = await startFalEmulator({ processingMs: 20 })
  folder = path.join(root, 'clips')
  await fs.mkdir(folder)
  await clips.basic(folder, 'a.mp4', 1)
  await clips.basic(folder, 'b.mp4', 1.2)
  await fs.writeFile(path.join(folder, 'broken.mp4'), Buffer.alloc(4096, 7))
  await fs.writeFile(path.join(folder, 'notes.txt'), 'shot list')
  await fs.writeFile(path.join(folder, '.hidden.mp4'), 'x')
})
afterAll(async () => {
  await emu.close()
  await fs.rm(root, { recursive: true, force: true })
})

function services(savePreset: string | null, pickPreset: string | null = null) {
  return createServices({
    dataDir: path.join(root, 'data'),
    secrets: new MemorySecretStore(),
    env: { PATH: process.env.PATH, FAL_PROXY_URL: emu.proxyUrl },
    pollMs: 30,
    dialogs: {
      savePreset: async () => savePreset,
      pickPreset: async () => pickPreset,
    },
  })
}

async function call<T>(s: ReturnType<typeof createServices>, name: string, params: unknown) {
  const reply = await s.dispatch(name, params, ctx)
  if (!reply.ok) throw new Error(reply.error.message)
  return reply.value as T
}

describe('presets', () => {
  it('saves, renames, exports; the exported file runs with reanimate batch --preset unchanged', async () => {
    const exported = path.join(root, 'exported', 'Ink wash.json')
    await fs.mkdir(path.dirname(exported))
    const s = services(exported)
    const preset = {
      endpoint: 'fal-ai/animatediff-v2v/turbo',
      params: { prompt: 'ink wash painting', num_inference_steps: 6, seed: 7 },
      fps: 'result',
      nameTemplate: '{stem}-ink',
    }
    await call(s, 'presets.save', { name: 'Ink', preset })
    // The same name again is refused with a message naming it; a bad name says what is wrong.
    const again = await s.dispatch('presets.save', { name: 'ink', preset }, ctx)
    expect(again).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('A preset called “ink” already exists') },
    })
    const bad = await s.dispatch('presets.save', { name: 'a/b', preset }, ctx)
    expect(bad).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('cannot contain /') },
    })
    const badTemplate = await s.dispatch(
      'presets.save',
      { name: 'x', preset: { ...preset, nameTemplate: 'same' } },
      ctx,
    )
    expect(badTemplate).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('nameTemplate must contain {stem}') },
    })

    await call(s, 'presets.rename', { from: 'Ink', to: 'Ink wash' })
    const listed = await call<Result<'presets.list'>>(s, 'presets.list', {})
    expect(listed.presets.map((p) => p.name)).toEqual(['Ink wash'])
    expect(listed.presets[0]?.preset).toEqual(preset)
    // Stored in the data folder in exactly the preset file format.
    expect(
      JSON.parse(await fs.readFile(path.join(s.dataDir, 'presets', 'Ink wash.json'), 'utf8')),
    ).toEqual(preset)

    expect(await call(s, 'presets.export', { name: 'Ink wash' })).toEqual({ path: exported })
    await s.render.close()

    const out: string[] = []
    const err: string[] = []
    const code = await runCli(
      [
        'batch',
        folder,
        '--preset',
        exported,
        '--out-dir',
        path.join(root, 'out'),
        '--json',
        '--poll-ms',
        '30',
      ],
      { stdout: (l) => out.push(l), stderr: (l) => err.push(l) },
      {
        PATH: process.env.PATH,
        REANIMATE_DATA_DIR: path.join(root, 'cli-data'),
        FAL_PROXY_URL: emu.proxyUrl,
      },
    )
    // The broken clip fails the batch (exit 1), but only it: the preset itself was read as is.
    expect(code, err.join('\n')).toBe(1)
    expect(JSON.parse(out.at(-1) ?? '{}')).toMatchObject({ succeeded: 2, failed: 1 })
    const bodies = emu.submits().map((e) => e.body as Record<string, unknown>)
    expect(bodies).toHaveLength(2)
    for (const b of bodies)
      expect(b).toMatchObject({ prompt: 'ink wash painting', num_inference_steps: 6, seed: 7 })
    await fs.access(path.join(root, 'out', 'a-ink.mp4'))
    await fs.access(path.join(root, 'out', 'b-ink.mp4'))

    // Import reads a file the user picked in main's dialog and keeps it under a free name.
    const s2 = services(null, exported)
    const imported = await call<Result<'presets.import'>>(s2, 'presets.import', {})
    expect(imported).toEqual({ name: 'Ink wash (2)', preset })
    await call(s2, 'presets.delete', { name: 'Ink wash (2)' })
    const after = await call<Result<'presets.list'>>(s2, 'presets.list', {})
    expect(after.presets.map((p) => p.name)).toEqual(['Ink wash'])
    await s2.render.close()
  })
})

describe('batch.preview', () => {
  it('only for a folder the user chose; names what is skipped and why, and what would be reused', async () => {
    const s = services(null)
    const refused = await s.dispatch('batch.preview', { dir: folder }, ctx)
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } })

    s.access.grant(folder)
    const outDir = path.join(root, 'panel-out')
    await fs.mkdir(outDir)
    s.access.grant(outDir)
    const params = { prompt: 'pencil', num_inference_steps: 4 }
    const request = {
      dir: folder,
      outDir,
      endpoint: 'fal-ai/animatediff-v2v/turbo',
      params,
      nameTemplate: '{stem}.pencil',
    }
    const rel = (r: Result<'batch.preview'>) =>
      r.items.map((i) => [path.relative(folder, i.source), i.status, i.reason ?? ''])
    const before = await call<Result<'batch.preview'>>(s, 'batch.preview', request)
    expect(rel(before)).toEqual([
      ['a.mp4', 'render', ''],
      ['b.mp4', 'render', ''],
      ['broken.mp4', 'unreadable', expect.stringContaining('cannot be read as a video')],
      ['notes.txt', 'skip', 'not a video'],
      ['.hidden.mp4', 'skip', 'a hidden or system file'],
    ])
    expect(before.items[0]?.output).toBe(path.join(outDir, 'a.pencil.mp4'))

    const submitted = emu.submits().length
    // The answer comes once the first file is planned; the rest of the plan follows as events,
    // the last with planning: false.
    const plans: Result<'batch.start'>[] = []
    s.bus.subscribe((name, p) => name === 'batch.planned' && plans.push(p as Result<'batch.start'>))
    const started = await call<Result<'batch.start'>>(s, 'batch.start', request)
    expect(started).toMatchObject({ planning: true, files: 4 })
    expect(started.read).toBeGreaterThanOrEqual(1)
    await expect.poll(() => plans.at(-1)?.planning).toBe(false)
    const whole = plans.at(-1) as Result<'batch.start'>
    expect(whole).toMatchObject({ total: 2, unreadable: 1, skipped: 1, read: 4, files: 4 })
    expect(whole.jobIds).toHaveLength(2)
    // Each event holds the plan so far: it only grows.
    for (const [i, p] of plans.entries())
      expect(p.read).toBeGreaterThanOrEqual(plans[i - 1]?.read ?? 0)
    const finished = await new Promise<unknown>((resolve) =>
      s.bus.subscribe((name, payload) => name === 'batch.finished' && resolve(payload)),
    )
    expect(finished).toMatchObject({
      succeeded: 2,
      failed: 1,
      rows: expect.arrayContaining([
        expect.objectContaining({ source: 'broken.mp4', status: 'failed' }),
      ]),
    })
    expect(emu.submits().length).toBe(submitted + 2)
    await fs.access(path.join(outDir, 'a.pencil.mp4'))

    const after = await call<Result<'batch.preview'>>(s, 'batch.preview', request)
    expect(
      after.items.filter((i) => i.status === 'reuse').map((i) => path.basename(i.source)),
    ).toEqual(['a.mp4', 'b.mp4'])
    expect(after.items[0]?.reason).toContain('not paid again')
    // The summary this batch wrote can be shown; only by its batch id.
    const { batchId } = started
    expect(await call(s, 'batch.revealSummary', { batchId })).toEqual({
      shown: false,
      path: path.join(outDir, 'reanimate-summary.json'),
    })
    await s.render.close()
  })

  it('refuses a name template without {stem}, in words', async () => {
    const s = services(null)
    s.access.grant(folder)
    s.access.grant(root)
    const reply = await s.dispatch(
      'batch.start',
      {
        dir: folder,
        outDir: root,
        endpoint: 'fal-ai/animatediff-v2v/turbo',
        params: { prompt: 'x' },
        nameTemplate: 'result',
      },
      ctx,
    )
    expect(reply).toMatchObject({
      ok: false,
      error: {
        message: 'The name template must contain {stem}, or every clip would get the same name.',
      },
    })
    await s.render.close()
  })
})
