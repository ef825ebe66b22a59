import { openAsBlob } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { createFalClient } from '@fal-ai/client'
import { describe, expect, it } from 'vitest'
import { runCli } from '../src/cli/main'
import { TURBO } from '../src/shared/endpoints'
import { startFalEmulator } from '../test/fal-emulator/emulator'
import { clips, tempDir } from '../test/media/clips'
import { report } from './report'

const CLIPS = 24
const CONCURRENCY = 4
const PROCESSING_MS = 2000

describe('batch benchmark', () => {
  it(`${CLIPS} clips, ${PROCESSING_MS / 1000} s at fal each, concurrency ${CONCURRENCY}`, async () => {
    const root = await tempDir('reanimate-bench-')
    const dir = path.join(root, 'in')
    await fs.mkdir(dir)
    // Distinct clips (different lengths), so every one is prepared and uploaded for real.
    const sources: string[] = []
    for (let i = 0; i < CLIPS; i++)
      sources.push(await clips.basic(dir, `clip ${String(i).padStart(2, '0')}.mp4`, 1 + i * 0.04))
    const emu = await startFalEmulator({ processingMs: PROCESSING_MS, concurrency: CONCURRENCY })
    try {
      const env = {
        PATH: process.env.PATH,
        REANIMATE_DATA_DIR: path.join(root, 'data'),
        FAL_PROXY_URL: emu.proxyUrl,
      }
      const lines: string[] = []
      const t0 = performance.now()
      const code = await runCli(
        [
          'batch',
          dir,
          '--prompt',
          'bench',
          '--out-dir',
          path.join(root, 'out'),
          '--concurrency',
          String(CONCURRENCY),
          '--json',
          '--poll-ms',
          '100',
        ],
        { stdout: (l) => lines.push(l), stderr: () => undefined },
        env,
      )
      const batchSec = (performance.now() - t0) / 1000
      expect(code).toBe(0)
      const jobs = [...emu.jobs.values()]
      const first = Math.min(...jobs.map((j) => j.submittedAt))
      const busy = jobs.reduce((a, j) => a + ((j.completedAt ?? 0) - (j.startedAt ?? 0)), 0) / 1000
      const inQueue = jobs.reduce((a, j) => a + ((j.startedAt ?? 0) - j.submittedAt), 0) / 1000
      const falSpan = (Math.max(...jobs.map((j) => j.completedAt ?? 0)) - first) / 1000
      // Where each job's time went, from the batch journal and the emulator's own clock.
      const { Journal } = await import('../src/main/jobs/journal')
      const { ProcessRegistry } = await import('../src/main/storage/process-registry')
      const dataDir = path.join(root, 'data')
      const journal = {
        jobs: (await new Journal(dataDir, new ProcessRegistry(dataDir, 'bench')).open()) as {
          requestId?: string
          startedAt?: string
          submittedAt?: string
          finishedAt?: string
        }[],
      }
      const byId = new Map(jobs.map((j) => [j.id, j]))
      const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length / 1000
      const before = avg(
        journal.jobs.map((j) => Date.parse(j.submittedAt ?? '') - Date.parse(j.startedAt ?? '')),
      )
      const after = avg(
        journal.jobs.map(
          (j) => Date.parse(j.finishedAt ?? '') - (byId.get(j.requestId ?? '')?.completedAt ?? 0),
        ),
      )
      expect(emu.submits()).toHaveLength(CLIPS)

      // Preparation alone, for the "ideal" line: the same clips prepared one after another.
      const { createServices } = await import('../src/main/services')
      const { MemorySecretStore } = await import('../src/main/settings/secret-store')
      const services = createServices({
        dataDir: path.join(root, 'data2'),
        secrets: new MemorySecretStore(),
        env,
      })
      const p0 = performance.now()
      for (const s of sources)
        await services.media.prepare(
          s,
          { startSec: 0 },
          { maxSide: 768 },
          path.join(root, `${path.basename(s)}.prep.mp4`),
        )
      const prepSec = (performance.now() - p0) / 1000
      const idealSec =
        Math.ceil(CLIPS / CONCURRENCY) * (PROCESSING_MS / 1000) + prepSec / CONCURRENCY

      // The shell-loop way: upload and fal.subscribe each clip in turn.
      const fal = createFalClient({
        credentials: () => undefined,
        proxyUrl: { url: emu.proxyUrl, when: 'always' },
      })
      const s0 = performance.now()
      for (const s of sources) {
        const file = path.join(root, `${path.basename(s)}.prep.mp4`)
        const url = await fal.storage.upload(
          new File([await openAsBlob(file)], path.basename(file), { type: 'video/mp4' }),
        )
        await fal.subscribe(TURBO, {
          input: { video_url: url, prompt: 'bench' },
          pollInterval: 100,
        })
      }
      const seqSec = (performance.now() - s0) / 1000

      report(
        `batch of ${CLIPS} clips, ${PROCESSING_MS / 1000} s processing each, concurrency ${CONCURRENCY}`,
        [
          ['reanimate batch (wall)', `${batchSec.toFixed(1)} s`],
          [
            'ideal',
            `${idealSec.toFixed(1)} s  (ceil(${CLIPS}/${CONCURRENCY}) × ${PROCESSING_MS / 1000} s + preparation ${prepSec.toFixed(1)} s / ${CONCURRENCY})`,
          ],
          ['batch / ideal', `${(batchSec / idealSec).toFixed(2)}`],
          [
            'per job, before submit / after fal',
            `${before.toFixed(2)} s (probe, prepare, upload) / ${after.toFixed(2)} s (result, download, finish)`,
          ],
          [
            'first submit after start',
            `${((first - (performance.timeOrigin + t0)) / 1000).toFixed(1)} s`,
          ],
          [
            'fal busy (sum) / span',
            `${busy.toFixed(1)} s of processing over ${falSpan.toFixed(1)} s (${((busy / (falSpan * CONCURRENCY)) * 100).toFixed(0)} % of ${CONCURRENCY} slots); ${inQueue.toFixed(1)} s queued in total`,
          ],
          [
            'sequential fal.subscribe loop',
            `${seqSec.toFixed(1)} s (uploads only, no prepare, download or finish)`,
          ],
          ['speed-up over the loop', `${(seqSec / batchSec).toFixed(1)}x`],
        ],
      )
    } finally {
      await emu.close()
      await fs.rm(root, { recursive: true, force: true })
    }
  })
})
