import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { afterAll, describe, expect, it } from 'vitest'

const require = createRequire(import.meta.url)
type Target = { platform: string; arch: string }
const afterPack = require('../../scripts/after-pack.cjs') as ((context: {
  appOutDir: string
  electronPlatformName: string
  arch: number
}) => Promise<void>) & { makeToolsExecutable(appOutDir: string, target: Target): string[] }

const dirs: string[] = []
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true })
})

/** A packed app's folder as electron-builder leaves it, with the tools at mode 644. */
async function packedApp(resources: string, files: string[]): Promise<string> {
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-pack-'))
  dirs.push(out)
  const unpacked = path.join(out, resources, 'app.asar.unpacked', 'node_modules')
  for (const f of files) {
    const file = path.join(unpacked, f)
    await fs.mkdir(path.dirname(file), { recursive: true })
    await fs.writeFile(file, '#!/bin/sh\n')
    await fs.chmod(file, 0o644)
  }
  return out
}
const mode = async (file: string) => (await fs.stat(file)).mode & 0o777
const linuxTools = ['ffmpeg-static/ffmpeg', '@ffprobe-installer/linux-x64/ffprobe']

describe.skipIf(process.platform === 'win32')(
  'after-pack: the bundled tools are executable',
  () => {
    it('sets 0755 on ffmpeg and ffprobe shipped as 644 (Linux layout)', async () => {
      const out = await packedApp('resources', linuxTools)
      const fixed = afterPack.makeToolsExecutable(out, { platform: 'linux', arch: 'x64' })
      expect(fixed).toHaveLength(2)
      for (const f of fixed) expect(await mode(f)).toBe(0o755)
    })

    it('finds them inside the .app on macOS', async () => {
      const out = await packedApp('Reanimate.app/Contents/Resources', [
        'ffmpeg-static/ffmpeg',
        '@ffprobe-installer/darwin-arm64/ffprobe',
      ])
      const fixed = afterPack.makeToolsExecutable(out, { platform: 'darwin', arch: 'arm64' })
      for (const f of fixed) expect(await mode(f)).toBe(0o755)
    })

    it('fails naming the tool that is missing', async () => {
      const out = await packedApp('resources', ['@ffprobe-installer/linux-x64/ffprobe'])
      expect(() => afterPack.makeToolsExecutable(out, { platform: 'linux', arch: 'x64' })).toThrow(
        /ffmpeg \(ffmpeg-static\) is missing/,
      )
    })

    it('fails when ffprobe for the packed architecture is absent (only another one was installed)', async () => {
      const out = await packedApp('resources', linuxTools)
      expect(() =>
        afterPack.makeToolsExecutable(out, { platform: 'linux', arch: 'arm64' }),
      ).toThrow(/@ffprobe-installer\/linux-arm64\) is missing/)
    })

    it('fails when nothing was unpacked from the asar', async () => {
      const out = await packedApp('resources', [])
      // electron-builder left the app folder, but asarUnpack put nothing beside the asar.
      expect(() => afterPack.makeToolsExecutable(out, { platform: 'linux', arch: 'x64' })).toThrow(
        /no app.asar.unpacked/,
      )
    })

    it('the hook reads electron-builder’s context (Arch enum: 1 = x64) and rejects the package step', async () => {
      const out = await packedApp('resources', linuxTools)
      await afterPack({ appOutDir: out, electronPlatformName: 'linux', arch: 1 })
      const ffprobe =
        'resources/app.asar.unpacked/node_modules/@ffprobe-installer/linux-x64/ffprobe'
      expect(await mode(path.join(out, ffprobe))).toBe(0o755)
      await fs.rm(path.join(out, 'resources/app.asar.unpacked/node_modules/ffmpeg-static'), {
        recursive: true,
      })
      await expect(
        afterPack({ appOutDir: out, electronPlatformName: 'linux', arch: 1 }),
      ).rejects.toThrow(/ffmpeg \(ffmpeg-static\) is missing/)
    })

    it('on Windows only checks the .exe files are there', async () => {
      const out = await packedApp('resources', [
        'ffmpeg-static/ffmpeg.exe',
        '@ffprobe-installer/win32-x64/ffprobe.exe',
      ])
      expect(afterPack.makeToolsExecutable(out, { platform: 'win32', arch: 'x64' })).toHaveLength(2)
    })
  },
)
