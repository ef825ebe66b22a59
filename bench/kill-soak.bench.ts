import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { execa } from 'execa'
import { describe, expect, it } from 'vitest'
import { startFalEmulator } from '../test/fal-emulator/emulator'
import { clips, tempDir } from '../test/media/clips'
import { benchDir, report } from './report'

const CYCLES = Number(process.env.BENCH_KILL_CYCLES ?? 30)
const CLIPS = 7

/**
 * The soak behind "a killed batch leaves no duplicate and no orphan": a 7-clip batch is killed with
 * SIGKILL at a random instant and run again until it finishes, CYCLES times, each with its own
 * prompt. Every cycle must end with 7 outputs (no " (2)") and 7 submits.
 */
describe('kill soak', () => {
  it(`${CYCLES} SIGKILL-and-resume cycles of a ${CLIPS}-clip batch`, async () => {
    const root = await tempDir('reanimate-soak-')
    const repo = path.resolve(import.meta.dirname, '..')
    // Inside the repo: the CLI bundle finds its dependencies in node_modules.
    const cliDir = path.join(await benchDir(), 'cli')
    await execa(
      'npx',
      [
        'vite',
        'build',
        '--config',
        'vite.cli.config.mts',
        '--outDir',
        cliDir,
        '--logLevel',
        'warn',
      ],
      { cwd: repo },
    )
    const cliPath = path.join(cliDir, 'reanimate.cjs')
    const emu = await startFalEmulator({ processingMs: 300, concurrency: 8 })
    const src = path.join(root, 'clips')
    await fs.mkdir(src)
    for (let i = 0; i < CLIPS; i++) await clips.basic(src, `clip ${i}.mp4`, 1 + i * 0.1)

    const run = (args: string[], env: NodeJS.ProcessEnv, killAfterMs?: number) =>
      new Promise<{
        code: number | null
        signal: NodeJS.Signals | null
        stdout: string
        stderr: string
      }>((resolve) => {
        const child = spawn(process.execPath, [cliPath, ...args, '--json'], {
          env: { PATH: process.env.PATH, FAL_PROXY_URL: emu.proxyUrl, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
        const timer =
          killAfterMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs)
        child.once('exit', (code, signal) => {
          if (timer) clearTimeout(timer)
          resolve({ code, signal, stdout, stderr })
        })
      })

    // How long an uninterrupted batch takes, to spread the kills over its whole life.
    const started = Date.now()
    const clean = await run(
      ['batch', src, '--out-dir', path.join(root, 'out-clean'), '--prompt', 'clean'],
      { REANIMATE_DATA_DIR: path.join(root, 'data-clean') },
    )
    expect(clean.code, clean.stderr).toBe(0)
    const fullMs = Date.now() - started

    let good = 0
    let askedUser = 0
    let bad = 0
    let unclearJobs = 0
    const instants: number[] = []
    for (let c = 0; c < CYCLES; c++) {
      const out = path.join(root, `out-${c}`)
      const env = { REANIMATE_DATA_DIR: path.join(root, `data-${c}`) }
      const prompt = `soak ${c}`
      const args = ['batch', src, '--out-dir', out, '--prompt', prompt]
      const at = Math.round(Math.random() * fullMs)
      instants.push(at)
      await run(args, env, at)
      // Run again as a user would, never with an explicit retry: only the user may decide to pay
      // again for a render that was being sent when the kill came (fal may or may not have it).
      let again = await run(args, env)
      if (again.code !== 0) again = await run(args, env)
      const list = await run(['jobs', 'list'], env)
      const jobs =
        (
          JSON.parse(list.stdout.trim().split('\n').at(-1) || '{}') as {
            jobs?: { error?: { code: string } }[]
          }
        ).jobs ?? []
      const unclear = jobs.filter((j) => j.error?.code === 'fal-unclear').length
      unclearJobs += unclear
      const videos = (await fs.readdir(out)).filter((f) => f.endsWith('.mp4'))
      const submits = emu
        .submits()
        .filter((e) => (e.body as { prompt?: string }).prompt === prompt).length
      const partials = (await fs.readdir(out, { recursive: true })).filter((f) =>
        String(f).includes('.partial-'),
      )
      // Every clip has its output, or (killed mid-submit) waits for the user's explicit retry; no
      // copy, no partial file, and never a second payment.
      const ok =
        videos.length + unclear === CLIPS &&
        !videos.some((v) => v.includes(' (2)')) &&
        submits >= videos.length &&
        submits <= CLIPS &&
        partials.length === 0
      if (ok && unclear === 0 && submits === CLIPS) good++
      else if (ok) askedUser++
      else {
        bad++
        process.stdout.write(
          `cycle ${c} (killed at ${at} ms): ${videos.length} outputs, ${unclear} asking for a retry, ${submits} submits, ${partials.length} partial files\n`,
        )
      }
    }
    await emu.close()
    await fs.rm(root, { recursive: true, force: true })
    instants.sort((a, b) => a - b)
    report(`kill soak: ${CLIPS}-clip batch, SIGKILL at a random instant, then run again`, [
      ['cycles', String(CYCLES)],
      ['uninterrupted batch', `${(fullMs / 1000).toFixed(1)} s`],
      [
        'kill instants',
        `${instants[0]} … ${instants.at(-1)} ms (median ${instants[Math.floor(instants.length / 2)]} ms)`,
      ],
      ['cycles with 7 outputs, 7 submits, no partial file', `${good} of ${CYCLES}`],
      [
        'cycles killed mid-submit (a job asks for Retry)',
        `${askedUser} (${unclearJobs} jobs; no copy, no second payment)`,
      ],
      ['cycles with a duplicate, an orphan or a second payment', String(bad)],
    ])
    expect(bad).toBe(0)
  })
})
