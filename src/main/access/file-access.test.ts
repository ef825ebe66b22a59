import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileAccess } from './file-access'
import { AppError } from '../../shared/errors'

const abs = (...parts: string[]) => path.resolve(path.sep, ...parts)

function checkError(access: FileAccess, p: string): AppError {
  try {
    access.check(p)
  } catch (err) {
    if (err instanceof AppError) return err
    throw err
  }
  throw new Error(`expected check(${p}) to throw`)
}

describe('FileAccess', () => {
  it('allows nothing before a grant', () => {
    const access = new FileAccess()
    expect(access.isAllowed(abs('a', 'b', 'x.mp4'))).toBe(false)
  })

  it('grantWhile lasts while its condition holds, and never narrows a grant the user gave', () => {
    const access = new FileAccess()
    const source = abs('clips', 'walk.mp4')
    let listed = true
    access.grantWhile(source, () => listed)
    expect(access.isAllowed(source)).toBe(true)
    listed = false
    expect(access.isAllowed(source)).toBe(false)

    const opened = abs('clips', 'opened.mp4')
    access.grant(opened)
    access.grantWhile(opened, () => false)
    expect(access.isAllowed(opened)).toBe(true)
  })

  it('allows exactly the granted file', () => {
    const access = new FileAccess()
    const file = abs('a', 'b', 'x.mp4')
    expect(access.grant(file)).toBe(file)
    expect(access.isAllowed(file)).toBe(true)
    expect(access.isAllowed(abs('a', 'b', 'y.mp4'))).toBe(false)
    expect(access.isAllowed(abs('a', 'b'))).toBe(false)
    expect(access.isAllowed(abs('a', 'b', 'x.mp4', 'inner'))).toBe(false)
    expect(access.isAllowed(abs('a', 'b', 'x.mp4.bak'))).toBe(false)
  })

  it('check returns the resolved path of a granted file', () => {
    const access = new FileAccess()
    const file = abs('videos', 'clip.mov')
    access.grant(file)
    expect(access.check(file)).toBe(file)
    expect(access.check(abs('videos', '.', 'sub', '..', 'clip.mov'))).toBe(file)
  })

  it('check throws forbidden naming the file when it is not granted', () => {
    const access = new FileAccess()
    access.grant(abs('videos', 'a.mp4'))
    const p = abs('private', 'diary.mp4')
    const error = checkError(access, p)
    expect(error.code).toBe('forbidden')
    expect(error.file).toBe(p)
    expect(error.message).toContain('diary.mp4')
  })

  it('normalises .. so it cannot widen the allow-list', () => {
    const access = new FileAccess()
    access.grant('/a/b/x.mp4')
    // Normalises to /a/c/x.mp4: a different file.
    expect(access.isAllowed('/a/b/../c/x.mp4')).toBe(false)
    expect(checkError(access, '/a/b/../c/x.mp4').code).toBe('forbidden')
    expect(access.isAllowed('/a/b/../../../../etc/passwd')).toBe(false)
    // Normalises to the granted file itself.
    expect(access.isAllowed('/a/b/../b/x.mp4')).toBe(true)
    expect(access.isAllowed('/a/./b/x.mp4')).toBe(true)
    expect(access.isAllowed('/a//b/x.mp4')).toBe(true)
  })

  it('normalises the granted path too', () => {
    const access = new FileAccess()
    expect(access.grant('/a/b/../c/./x.mp4')).toBe(path.resolve('/a/c/x.mp4'))
    expect(access.isAllowed('/a/c/x.mp4')).toBe(true)
    expect(access.isAllowed('/a/b/x.mp4')).toBe(false)
  })

  it.each([['x.mp4'], ['./x.mp4'], ['../x.mp4'], ['a/b/x.mp4'], ['']])(
    'refuses the relative path %j',
    (p) => {
      const access = new FileAccess()
      // Even when the same file was granted by its absolute path.
      access.grant(path.resolve(p || '.'))
      expect(access.isAllowed(p)).toBe(false)
      expect(checkError(access, p).code).toBe('forbidden')
    },
  )

  it('keeps grants separate per instance', () => {
    const a = new FileAccess()
    const b = new FileAccess()
    a.grant('/shared/x.mp4')
    expect(b.isAllowed('/shared/x.mp4')).toBe(false)
  })

  it('compares case-sensitively on Linux, insensitively on Windows and macOS', () => {
    const access = new FileAccess()
    access.grant('/Videos/Clip.MP4')
    const insensitive = process.platform === 'win32' || process.platform === 'darwin'
    expect(access.isAllowed('/videos/clip.mp4')).toBe(insensitive)
  })

  describe('allowAll', () => {
    it('allows any absolute path without a grant', () => {
      const access = new FileAccess(true)
      expect(access.isAllowed('/anything/at/all.mp4')).toBe(true)
      expect(access.check('/anything/../else.mp4')).toBe(path.resolve('/else.mp4'))
    })

    it('still refuses relative paths', () => {
      const access = new FileAccess(true)
      expect(access.isAllowed('clip.mp4')).toBe(false)
      expect(checkError(access, 'clip.mp4').code).toBe('forbidden')
    })
  })

  describe('files on disk: a grant is the file, not the name', () => {
    let dir: string
    let clip: string
    let secret: string
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reanimate-access-'))
      clip = path.join(dir, 'clip.mp4')
      secret = path.join(dir, 'secret.txt')
      fs.writeFileSync(clip, 'video bytes')
      fs.writeFileSync(secret, 'private')
    })
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

    const read = async (access: FileAccess, p: string) => {
      const handle = await access.open(p)
      if (!handle) return null
      try {
        return (await handle.readFile()).toString()
      } finally {
        await handle.close()
      }
    }

    it('serves the granted file', async () => {
      const access = new FileAccess()
      access.grant(clip)
      expect(await read(access, clip)).toBe('video bytes')
    })

    it('refuses a granted clip swapped for a link to another file', async () => {
      const access = new FileAccess()
      access.grant(clip)
      fs.rmSync(clip)
      fs.symlinkSync(secret, clip)
      expect(access.isAllowed(clip)).toBe(false)
      const error = checkError(access, clip)
      expect(error.code).toBe('forbidden')
      expect(error.message).toBe('clip.mp4: changed on disk since you added it. Add it again.')
      expect(await read(access, clip)).toBeNull()
    })

    it('refuses a granted clip replaced by another file under the same name', async () => {
      const access = new FileAccess()
      access.grant(clip)
      fs.renameSync(secret, clip)
      expect(access.isAllowed(clip)).toBe(false)
      expect(await read(access, clip)).toBeNull()
    })

    it('a path granted before it existed does not cover a file that appears there', () => {
      const access = new FileAccess()
      const later = path.join(dir, 'later.mp4')
      access.grant(later)
      expect(access.isAllowed(later)).toBe(true)
      fs.symlinkSync(secret, later)
      expect(access.isAllowed(later)).toBe(false)
    })

    it("a job's source re-granted from its record: a link placed there since is refused", () => {
      const access = new FileAccess()
      const source = path.join(dir, 'old-source.mp4')
      fs.symlinkSync(secret, source)
      expect(() => access.grantWhile(source, () => true)).toThrow(AppError)
      expect(access.isAllowed(source)).toBe(false)
      expect(access.isAllowed(secret)).toBe(false)
    })

    it('grants what a link the user chose points at, by its real path', async () => {
      const access = new FileAccess()
      const link = path.join(dir, 'shortcut.mp4')
      fs.symlinkSync(clip, link)
      expect(access.grant(link)).toBe(link)
      expect(await read(access, clip)).toBe('video bytes')
      expect(access.check(link)).toBe(link)
      expect(access.isAllowed(secret)).toBe(false)
    })

    it('refuses to grant a link where the app expected a file it made', () => {
      const access = new FileAccess()
      const output = path.join(dir, 'clip.reanimate.mp4')
      fs.symlinkSync(secret, output)
      expect(() => access.grantProduced(output)).toThrow(/is a link/)
      expect(access.isAllowed(output)).toBe(false)
      expect(access.isAllowed(secret)).toBe(false)
    })

    it('a produced grant lasts only while its condition holds', () => {
      const access = new FileAccess()
      let listed = true
      access.grantProduced(clip, () => listed)
      expect(access.isAllowed(clip)).toBe(true)
      listed = false
      expect(access.isAllowed(clip)).toBe(false)
    })
  })
})
