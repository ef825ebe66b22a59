import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createServices } from '../src/main/services'
import { MemorySecretStore } from '../src/main/settings/secret-store'
import type { CommandRecord } from '../src/shared/commands'
import { TURBO } from '../src/shared/endpoints'
import { ffmpeg, tempDir } from '../test/media/clips'
import { report } from './report'

const CLIPS = Number(process.env.BENCH_CLIPS ?? 1000)
const CONCURRENCY = 40

/** The local fal in its own process, so this process's CPU time is the app's own work only. */
async function startEmulatorProcess(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(
    'npx',
    [
      'tsx',
      'test/fal-emulator/cli.ts',
      '--processing-ms',
      '0',
      '--instant',
      '--concurrency',
      String(CONCURRENCY),
      '--quiet',
    ],
    { cwd: path.resolve(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /FAL_PROXY_URL=(\S+)/.exec(out)
      if (m?.[1]) resolve(m[1])
    })
    child.once('exit', (code) => reject(new Error(`emulator exited (${code})`)))
  })
  return { url, stop: () => child.kill('SIGTERM') }
}

describe('batch overhead at scale', () => {
  it(`${CLIPS} small clips, instant processing at fal, concurrency ${CONCURRENCY}`, async () => {
    const root = await tempDir('reanimate-bench-1000-')
    const dir = path.join(root, 'in')
    await fs.mkdir(dir)
    // 1,000 distinct 0.2 s clips (noise makes every frame differ) from one ffmpeg run.
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      `testsrc=size=64x48:rate=10:duration=${CLIPS * 0.2},noise=alls=60:allf=t`,
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-force_key_frames',
      'expr:gte(t,n_forced*0.2)',
      '-f',
      'segment',
      '-segment_time',
      '0.2',
      '-reset_timestamps',
      '1',
      path.join(dir, 'c%04d.mp4'),
    ])
    expect((await fs.readdir(dir)).length).toBe(CLIPS)
    const emu = await startEmulatorProcess()
    const dataDir = path.join(root, 'data')
    const services = createServices({
      dataDir,
      secrets: new MemorySecretStore(),
      env: { PATH: process.env.PATH, FAL_PROXY_URL: emu.url },
      origin: 'batch',
      processName: 'reanimate batch (bench)',
      concurrency: CONCURRENCY,
      // The app's own status interval: the figure is what a user's machine would spend.
      pollMs: 1000,
    })
    let mediaMs = 0
    services.bus.subscribe((name, payload) => {
      const r = payload as CommandRecord
      if (name === 'media.command' && r.durationMs !== undefined) mediaMs += r.durationMs
    })
    let peakRss = 0
    let peakHeap = 0
    // memoryUsage() walks the whole heap: sample RSS cheaply and often, the heap once a second.
    let ticks = 0
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss())
      if (ticks++ % 10 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)
    }, 100)
    try {
      await services.ensureConnection()
      const cpu0 = process.cpuUsage()
      const t0 = performance.now()
      const run = await services.render.startBatch({
        dir,
        outDir: path.join(root, 'out'),
        recursive: false,
        preset: {
          endpoint: TURBO,
          params: {
            prompt: 'bench',
            negative_prompt: '',
            num_inference_steps: 4,
            guidance_scale: 1,
            loras: [],
            select_every_nth_frame: 1,
          },
          fps: 'result',
          nameTemplate: '{stem}.reanimate',
        },
        maxSide: 768,
        names: 'flag',
        resolveLocal: (p) => path.resolve(p),
      })
      const planSec = (performance.now() - t0) / 1000
      const summary = await run.finished
      const wallSec = (performance.now() - t0) / 1000
      const cpu = process.cpuUsage(cpu0)
      expect(summary.succeeded).toBe(CLIPS)

      const journalBytes = services.render.journal.stats.bytesWritten
      const cacheBytes = services.render.uploadsBytesWritten()
      const jobs = services.render.list()
      const secs = (a?: string, b?: string) => (Date.parse(b ?? '') - Date.parse(a ?? '')) / 1000
      const meanJobSec = jobs.reduce((s, j) => s + secs(j.startedAt, j.finishedAt), 0) / jobs.length
      const requests = new Set(jobs.map((j) => j.requestId)).size
      const uploads = new Set(jobs.map((j) => j.uploadHash)).size
      const appCpuMs = (cpu.user + cpu.system) / 1000 / CLIPS
      report(`batch of ${CLIPS} clips, instant processing, concurrency ${CONCURRENCY}`, [
        [
          'machine',
          `${os.cpus().length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}`,
        ],
        [
          'wall time',
          `${wallSec.toFixed(1)} s (planning ${planSec.toFixed(1)} s: scan and probe ${CLIPS} files)`,
        ],
        [
          'app’s own CPU per job',
          `${appCpuMs.toFixed(1)} ms (main process user+sys; ffmpeg and fal run elsewhere)`,
        ],
        [
          'media work',
          `${(mediaMs / 1000).toFixed(1)} s of ffmpeg/ffprobe in total, ${(mediaMs / CLIPS).toFixed(0)} ms per job`,
        ],
        ['mean job life', `${meanJobSec.toFixed(2)} s from claim to done`],
        [
          'data folder writes per job',
          `${(journalBytes / CLIPS / 1024).toFixed(2)} KiB journal + ${(cacheBytes / CLIPS / 1024).toFixed(2)} KiB upload cache (${((journalBytes + cacheBytes) / 1024 ** 2).toFixed(1)} MiB in all)`,
        ],
        ['journal compactions', `${services.render.journal.stats.compactions}`],
        ['distinct uploads / requests', `${uploads} / ${requests} (one each per clip)`],
        [
          'peak memory (main)',
          `${(peakRss / 1024 ** 2).toFixed(0)} MiB RSS, ${(peakHeap / 1024 ** 2).toFixed(0)} MiB heap`,
        ],
      ])
    } finally {
      clearInterval(sampler)
      await services.render.close()
      emu.stop()
      await fs.rm(root, { recursive: true, force: true })
    }
  }, 2_400_000)
})
