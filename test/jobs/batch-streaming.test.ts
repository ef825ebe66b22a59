import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServices } from '../../src/main/services'
import { MemorySecretStore } from '../../src/main/settings/secret-store'
import { TURBO } from '../../src/shared/endpoints'
import type { Preset } from '../../src/shared/presets'
import { startFalEmulator, type FalEmulator } from '../fal-emulator/emulator'
import { clips, tempDir } from '../media/clips'

// A batch starts on its first clips while later files are still being probed. These tests hold
// one probe back until fal has seen a submit: had the batch probed everything first, the submit
// could not come before it (the fallback only turns such a hang into a failed assertion).

let root: string
let emu: FalEmulator
/** What happened, in order: `submit` (fal accepted one) or `probed <name>`. */
const events: string[] = []
let onSubmit: () => void = () => undefined

beforeAll(async () => {
  root = await tempDir('reanimate-batch-stream-')
  emu = await startFalEmulator({
    processingMs: 0,
    instant: true,
    concurrency: 4,
    onLog: (e) => {
      if (e.kind === 'submit' && e.status === 200) {
        events.push('submit')
        onSubmit()
      }
    },
  })
})
afterAll(async () => {
  await emu.close()
  await fs.rm(root, { recursive: true, force: true })
})

const preset: Preset = {
  endpoint: TURBO,
  params: {
    prompt: 'woodcut',
    negative_prompt: '',
    num_inference_steps: 4,
    guidance_scale: 1,
    loras: [],
    select_every_nth_frame: 1,
  },
  fps: 'result',
  nameTemplate: '{stem}.reanimate',
}

/** `a note.txt`, `c00.mp4`…`c11.mp4` (distinct 0.2 s clips), and `zz broken.mp4` last. */
async function folder(dir: string): Promise<string[]> {
  await clips.many(dir, 12, 'c%02d.mp4')
  await fs.writeFile(path.join(dir, 'a note.txt'), 'shot list')
  await fs.writeFile(path.join(dir, 'zz broken.mp4'), Buffer.alloc(4096, 7))
  return (await fs.readdir(dir)).sort((a, b) => a.localeCompare(b))
}

/** Services whose probe of `held` waits for fal's first submit (or, failing that, a minute). */
function services(dataDir: string, held: string) {
  const s = createServices({
    dataDir,
    secrets: new MemorySecretStore(),
    env: { PATH: process.env.PATH, FAL_PROXY_URL: emu.proxyUrl },
    origin: 'batch',
    pollMs: 40,
    refreshMs: 50,
  })
  const probe = s.media.probe.bind(s.media)
  let gate: Promise<void> = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 60_000)
    onSubmit = () => {
      clearTimeout(timer)
      resolve()
    }
  })
  s.media.probe = async (file, signal) => {
    if (path.basename(file) === held) {
      await gate
      // Only the first probe of the file is held back.
      gate = Promise.resolve()
    }
    try {
      return await probe(file, signal)
    } finally {
      events.push(`probed ${path.basename(file)}`)
    }
  }
  return s
}

async function batchOf(s: ReturnType<typeof services>, dir: string, outDir: string) {
  await s.ensureConnection()
  return s.render.startBatch({
    dir,
    outDir,
    recursive: false,
    preset,
    maxSide: 768,
    names: 'flag',
    resolveLocal: (p) => path.resolve(p),
  })
}

describe('a batch feeds its queue while it probes the folder', () => {
  it('submits its first clip before the last file is probed, plans every file in folder order, and a rerun submits nothing', async () => {
    const dir = path.join(root, 'stream')
    const out = path.join(root, 'stream-out')
    const names = await folder(dir)
    events.length = 0
    emu.clearLog()
    const s = services(path.join(root, 'data-stream'), 'zz broken.mp4')
    try {
      const run = await batchOf(s, dir, out)
      await run.planned
      expect(events.indexOf('submit')).toBeGreaterThanOrEqual(0)
      expect(events.indexOf('submit')).toBeLessThan(events.indexOf('probed zz broken.mp4'))

      // The plan is whole once `planned` settles: every file, in folder order.
      expect(run.entries.map((e) => path.basename(e.source))).toEqual(names)
      expect(run.entries.map((e) => e.kind)).toEqual(['skip', ...Array(12).fill('job'), 'invalid'])
      expect(run.counts).toEqual({
        done: 0,
        toRender: 12,
        collecting: 0,
        skipped: 1,
        unreadable: 1,
      })
      expect(run.jobIds).toHaveLength(12)

      const summary = await run.finished
      expect(summary.rows.map((r) => r.source)).toEqual(names)
      expect(summary.succeeded).toBe(12)
      expect(emu.submits()).toHaveLength(12)

      // The same batch again: everything is already rendered, nothing is sent.
      const again = await batchOf(s, dir, out)
      await again.planned
      expect(again.jobIds).toEqual([])
      expect(again.counts.done).toBe(12)
      const rerun = await again.finished
      expect(rerun.rows.map((r) => r.source)).toEqual(names)
      expect(rerun.succeeded).toBe(12)
      expect(emu.submits()).toHaveLength(12)
    } finally {
      await s.render.close()
    }
  }, 240_000)

  it('Ctrl-C during planning plans no further file, names the rest in the summary, and the same batch then finishes paying each clip at most once', async () => {
    const dir = path.join(root, 'stop')
    const out = path.join(root, 'stop-out')
    const names = await folder(dir)
    events.length = 0
    emu.clearLog()
    const s = services(path.join(root, 'data-stop'), 'c08.mp4')
    try {
      const run = await batchOf(s, dir, out)
      // Stopped as fal takes its first submit, while c08's probe is still held back.
      const stopped = new Promise<void>((resolve) => {
        const release = onSubmit
        onSubmit = () => {
          onSubmit = () => undefined
          void run.stop().then(resolve)
          release()
        }
      })
      await stopped
      const summary = await run.finished
      expect(summary.rows.map((r) => r.source)).toEqual(names)
      // The files after the held one were never planned (earlier ones too if fal was quicker).
      const notStarted = summary.rows
        .filter((r) => r.error?.startsWith('not started'))
        .map((r) => r.source)
      expect(notStarted).toEqual(names.slice(names.length - notStarted.length))
      expect(notStarted).toEqual(expect.arrayContaining(['c09.mp4', 'zz broken.mp4']))
      expect(run.entries.length).toBe(names.length)

      const again = await batchOf(s, dir, out)
      const rerun = await again.finished
      expect(rerun.rows.map((r) => r.source)).toEqual(names)
      // Never twice: at most one submit per clip over both runs.
      expect(emu.submits().length).toBeLessThanOrEqual(12)
      expect(new Set(emu.submits().map((e) => e.requestId)).size).toBe(emu.submits().length)
    } finally {
      await s.render.close()
    }
  }, 240_000)
})
