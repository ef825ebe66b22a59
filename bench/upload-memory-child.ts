/**
 * One upload of a big file in a process of its own, for bench/upload-memory.bench.ts, so that
 * neither vitest nor the local fal is in the figure:
 *
 *   npx tsx bench/upload-memory-child.ts app|readFile FILE PROXY_URL DATA_DIR
 *
 * `app` is the app's own path (uploadPrepared: content hash, upload cache, a file-backed Blob
 * through @fal-ai/client); `readFile` is the naive one (the whole file read into memory, then
 * uploaded). Prints one line of JSON: RSS at idle and at its peak (sampled every 20 ms), in bytes.
 */
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createFal } from '../src/main/fal/client'
import { uploadPrepared } from '../src/main/fal/upload'
import { UploadCache } from '../src/main/fal/upload-cache'

const [mode, file, proxyUrl, dataDir] = process.argv.slice(2)
if ((mode !== 'app' && mode !== 'readFile') || !file || !proxyUrl || !dataDir) {
  console.error('usage: upload-memory-child.ts app|readFile FILE PROXY_URL DATA_DIR')
  process.exit(2)
}

const fal = createFal({ key: undefined, proxyUrl })

/** Everything loaded and built, nothing read yet: the RSS the upload is measured above. */
async function idleRss(): Promise<number> {
  await new Promise((r) => setTimeout(r, 500))
  return process.memoryUsage.rss()
}

async function upload(): Promise<string> {
  if (mode === 'app') {
    const cache = new UploadCache(dataDir as string, {
      pid: process.pid,
      host: os.hostname(),
      command: 'upload memory bench',
      startedAt: new Date().toISOString(),
    })
    return (await uploadPrepared(fal, cache, file as string)).url
  }
  // What a script does when it has the file's path and fal wants a Blob.
  const bytes = await fs.readFile(file as string)
  return fal.storage.upload(new File([bytes], path.basename(file as string), { type: 'video/mp4' }))
}

async function main(): Promise<void> {
  const idle = await idleRss()
  let peak = idle
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 20)
  const t0 = performance.now()
  const url = await upload()
  const ms = performance.now() - t0
  clearInterval(sampler)
  peak = Math.max(peak, process.memoryUsage.rss())
  process.stdout.write(`${JSON.stringify({ mode, idleRss: idle, peakRss: peak, ms, url })}\n`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
