import { openAsBlob } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'
import { createFalClient } from '@fal-ai/client'
import { describe, expect, it } from 'vitest'
import { runCli } from '../src/cli/main'
import { Journal } from '../src/main/jobs/journal'
import { DEFAULT_LOCAL_CONCURRENCY } from '../src/main/jobs/runner'
import { createServices } from '../src/main/services'
import { MemorySecretStore } from '../src/main/settings/secret-store'
import { ProcessRegistry } from '../src/main/storage/process-registry'
import { TURBO } from '../src/shared/endpoints'
import { DEFAULT_PREPARE_MAX_SIDE } from '../src/shared/media'
import { startFalEmulator, type EmulatorJob } from '../test/fal-emulator/emulator'
import { clips, tempDir } from '../test/media/clips'
import { report } from './report'
import { recordBench } from './results'

const CLIPS = 24
const CONCURRENCY = 4
const PROCESSING_MS = 2000
const POLL_MS = 100

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)

/** `reanimate batch` as a user types it; resolves with its wall time in ms. */
async function reanimateBatch(dir: string, outDir: string, env: NodeJS.ProcessEnv) {
  const t0 = performance.now()
  const code = await runCli(
    ['batch', dir, '--prompt', 'bench', '--nth', '1', '--out-dir', outDir].concat([
      '--concurrency',
      String(CONCURRENCY),
      '--json',
      '--poll-ms',
      String(POLL_MS),
    ]),
    { stdout: () => undefined, stderr: () => undefined },
    env,
  )
  expect(code).toBe(0)
  return { startedAt: performance.timeOrigin + t0, wallMs: performance.now() - t0 }
}

/** The same clips prepared one after another: the ffmpeg work the batch cannot avoid. */
async function preparationWork(sources: string[], root: string, env: NodeJS.ProcessEnv) {
  const services = createServices({
    dataDir: path.join(root, 'prep-data'),
    secrets: new MemorySecretStore(),
    env,
  })
  const t0 = performance.now()
  for (const s of sources)
    await services.media.prepare(
      s,
      { startSec: 0 },
      { maxSide: DEFAULT_PREPARE_MAX_SIDE },
      path.join(root, `${path.basename(s)}.prep.mp4`),
    )
  return performance.now() - t0
}

/** The shell-loop way a user would script it: upload each original and `fal.subscribe`, in turn. */
async function subscribeLoop(sources: string[], proxyUrl: string) {
  const fal = createFalClient({
    credentials: () => undefined,
    proxyUrl: { url: proxyUrl, when: 'always' },
  })
  const t0 = performance.now()
  for (const s of sources) {
    const url = await fal.storage.upload(
      new File([await openAsBlob(s)], path.basename(s), { type: 'video/mp4' }),
    )
    await fal.subscribe(TURBO, {
      input: { video_url: url, prompt: 'bench', select_every_nth_frame: 1 },
      pollInterval: POLL_MS,
    })
  }
  return performance.now() - t0
}

describe('batch benchmark', () => {
  it(`${CLIPS} clips, ${PROCESSING_MS / 1000} s at fal each, concurrency ${CONCURRENCY}`, async () => {
    const root = await tempDir('reanimate-bench-')
    const dir = path.join(root, 'in')
    await fs.mkdir(dir)
    // Distinct clips (different lengths), so every one is prepared and uploaded for real.
    const sources: string[] = []
    for (let i = 0; i < CLIPS; i++)
      sources.push(await clips.basic(dir, `clip ${String(i).padStart(2, '0')}.mp4`, 1 + i * 0.04))
    const emu = await startFalEmulator({
      processingMs: PROCESSING_MS,
      concurrency: CONCURRENCY,
      // fal works on its own machines: with every frame kept (--nth 1) the stand-in hands the clip
      // back after 2 s instead of rendering it on our CPU.
      instant: true,
    })
    try {
      const dataDir = path.join(root, 'data')
      const env = {
        PATH: process.env.PATH,
        REANIMATE_DATA_DIR: dataDir,
        FAL_PROXY_URL: emu.proxyUrl,
      }
      const batch = await reanimateBatch(dir, path.join(root, 'out'), env)
      const atFal: EmulatorJob[] = [...emu.jobs.values()]
      expect(atFal).toHaveLength(CLIPS)
      const jobs = await new Journal(dataDir, new ProcessRegistry(dataDir, 'bench')).open()
      const byRequest = new Map(atFal.map((j) => [j.id, j]))
      const at = (iso?: string) => Date.parse(iso ?? '')

      // The ideal: the busier of ffmpeg and fal decides, then the last job still has to finish.
      const prepMs = await preparationWork(sources, root, env)
      const falMs = (CLIPS * PROCESSING_MS) / CONCURRENCY
      const last = jobs.reduce((a, j) => (at(j.finishedAt) > at(a.finishedAt) ? j : a))
      const lastFinishMs =
        at(last.finishedAt) - (byRequest.get(last.requestId ?? '')?.completedAt ?? 0)
      const idealMs = Math.max(prepMs / DEFAULT_LOCAL_CONCURRENCY, falMs) + lastFinishMs
      const loopMs = await subscribeLoop(sources, emu.proxyUrl)

      // Where the time goes, from the journal and the local fal's own clock.
      const firstSubmit = Math.min(...atFal.map((j) => j.submittedAt))
      const lastDone = Math.max(...atFal.map((j) => j.completedAt ?? 0))
      const busyMs = sum(atFal.map((j) => (j.completedAt ?? 0) - (j.startedAt ?? 0)))
      const beforeSubmit = sum(jobs.map((j) => at(j.submittedAt) - at(j.startedAt))) / jobs.length
      const afterFal =
        sum(
          jobs.map((j) => at(j.finishedAt) - (byRequest.get(j.requestId ?? '')?.completedAt ?? 0)),
        ) / jobs.length
      const startToFirst = firstSubmit - batch.startedAt
      const tail = batch.startedAt + batch.wallMs - lastDone
      const slotUse = busyMs / ((lastDone - firstSubmit) * CONCURRENCY)
      const formula = `max(prepare ${sec(prepMs)} ÷ ${DEFAULT_LOCAL_CONCURRENCY} ffmpeg slots, ${CLIPS} × ${PROCESSING_MS / 1000} s ÷ ${CONCURRENCY}) + last finish ${sec(lastFinishMs)} = ${sec(idealMs)}`

      report(
        `batch of ${CLIPS} clips, ${PROCESSING_MS / 1000} s at fal each, concurrency ${CONCURRENCY}`,
        [
          ['reanimate batch (wall)', sec(batch.wallMs)],
          ['ideal', formula],
          ['batch ÷ ideal', (batch.wallMs / idealMs).toFixed(2)],
          [
            'sequential fal.subscribe loop',
            `${sec(loopMs)} (${(loopMs / batch.wallMs).toFixed(1)}× the batch)`,
          ],
          ['start → first submit', `${sec(startToFirst)} (scan, probe, first prepare and upload)`],
          [
            'fal slots busy',
            `${(slotUse * 100).toFixed(0)} % of ${CONCURRENCY} slots from first submit to last result (${sec(busyMs)} processing)`,
          ],
          ['last result → batch end', `${sec(tail)} (download, finish, summary)`],
          ['per job before submit / after fal', `${sec(beforeSubmit)} / ${sec(afterFal)}`],
        ],
      )
      await recordBench([
        {
          name: 'batch_vs_ideal',
          value: batch.wallMs / idealMs,
          unit: '× ideal',
          baseline: {
            what: 'sequential fal.subscribe loop over the originals',
            value: loopMs / idealMs,
          },
          target: { max: 1.15, text: '≤ 1.15 × ideal' },
          notes:
            `${sec(batch.wallMs)} wall; ideal ${formula}. ` +
            `Start to first submit ${sec(startToFirst)}; fal slots ${(slotUse * 100).toFixed(0)} % busy; ` +
            `last result to end ${sec(tail)}; loop ${sec(loopMs)}`,
        },
      ])
    } finally {
      await emu.close()
      await fs.rm(root, { recursive: true, force: true })
    }
  })
})
