import { execFile, spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../test/media/clips'
import { benchDir, report, ROOT, tsNode } from './report'
import { recordBench } from './results'

const run = promisify(execFile)
const GB = 2 ** 30
const MiB = 2 ** 20

/** 1 GiB of random bytes (incompressible, like video), made once and kept in .tmp/bench. */
async function bigFile(): Promise<string> {
  const file = path.join(await benchDir(), 'random-1g.bin')
  if ((await fs.stat(file).catch(() => null))?.size === GB) return file
  await run('sh', ['-c', `head -c ${GB} /dev/urandom > "${file}.partial"`])
  await fs.rename(`${file}.partial`, file)
  return file
}

/**
 * The local fal in its own process, so the bytes it receives (streamed to its disk) are not in
 * the figure; its own peak RSS is read from /proc when it stops, to show it held no file either.
 */
async function startEmulatorProcess(): Promise<{ url: string; stop: () => Promise<number> }> {
  const [node, args] = tsNode('test/fal-emulator/cli.ts', ['--quiet'])
  const child = spawn(node, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /FAL_PROXY_URL=(\S+)/.exec(out)
      if (m?.[1]) resolve(m[1])
    })
    child.once('exit', (code) => reject(new Error(`emulator exited (${code})`)))
  })
  const stop = async () => {
    const status = await fs.readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '')
    const hwmKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0)
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    await exited
    return hwmKb * 1024
  }
  return { url, stop }
}

interface UploadMemory {
  idleRss: number
  peakRss: number
  ms: number
}

/** One upload in a fresh process (see upload-memory-child.ts): its RSS at idle and at peak. */
async function measureUpload(
  mode: 'app' | 'readFile',
  file: string,
  proxyUrl: string,
  dataDir: string,
): Promise<UploadMemory> {
  const [node, args] = tsNode('bench/upload-memory-child.ts', [mode, file, proxyUrl, dataDir])
  const { stdout } = await run(node, args, { cwd: ROOT, maxBuffer: 1024 * 1024 })
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as UploadMemory
}

const above = (m: UploadMemory) => (m.peakRss - m.idleRss) / MiB
const describeRun = (m: UploadMemory) =>
  `${above(m).toFixed(0)} MiB above idle (idle ${(m.idleRss / MiB).toFixed(0)} MiB, peak ${(m.peakRss / MiB).toFixed(0)} MiB), ${(m.ms / 1000).toFixed(1)} s`

describe('upload memory', () => {
  it('peak RSS while uploading a 1 GiB file: the app path against reading it into memory', async () => {
    const file = await bigFile()
    const root = await tempDir('reanimate-bench-upload-rss-')
    const emu = await startEmulatorProcess()
    let emulatorPeak = 0
    try {
      // Each in a process of its own: the naive one's gigabyte must not linger in the app's run.
      const app = await measureUpload('app', file, emu.url, path.join(root, 'data-app'))
      const naive = await measureUpload('readFile', file, emu.url, path.join(root, 'data-naive'))
      emulatorPeak = await emu.stop()
      expect(app.peakRss).toBeGreaterThan(0)

      report('upload a 1 GiB file: main process RSS', [
        ['app (uploadPrepared: hash, file-backed Blob, 10 MiB parts)', describeRun(app)],
        ['fs.readFile, then fal.storage.upload', describeRun(naive)],
        ['ratio', `${(above(naive) / above(app)).toFixed(1)}x less memory`],
        ['local fal (own process) peak', `${(emulatorPeak / MiB).toFixed(0)} MiB RSS`],
      ])
      await recordBench([
        {
          name: 'upload_rss_mb',
          value: above(app),
          unit: 'MiB',
          baseline: {
            what: 'fs.readFile of the whole file, then fal.storage.upload of it',
            value: above(naive),
          },
          target: { max: 150, text: '< 150 MiB' },
          notes: `1 GiB of random bytes; peak RSS above idle, sampled every 20 ms in a process of its own for each way (idle ${(app.idleRss / MiB).toFixed(0)} MiB). The app hashes the file (streamed), then @fal-ai/client sends it in 10 MiB multipart parts sliced from a file-backed Blob; ${(app.ms / 1000).toFixed(1)} s against ${(naive.ms / 1000).toFixed(1)} s on loopback. The local fal ran in its own process (peak ${(emulatorPeak / MiB).toFixed(0)} MiB: it streams uploads to disk)`,
        },
      ])
    } finally {
      if (!emulatorPeak) await emu.stop().catch(() => 0)
      await fs.rm(root, { recursive: true, force: true })
    }
  })
})
