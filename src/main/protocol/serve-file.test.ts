import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  contentTypeOf,
  fileResponse,
  mediaUrlFor,
  parseRange,
  serveMedia,
  serveStatic,
} from './serve-file'
import { FileAccess } from '../access/file-access'

/** 1000 bytes where byte i is i % 251, so every slice is distinguishable. */
const BYTES = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251))

let dir: string
let clip: string
let emptyFile: string
let webRoot: string
let secretFile: string
let siblingSecret: string

beforeAll(async () => {
  dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'reanimate-serve-'))
  clip = path.join(dir, 'media', 'my clip #1.mp4')
  emptyFile = path.join(dir, 'media', 'empty.webm')
  webRoot = path.join(dir, 'web')
  secretFile = path.join(dir, 'secret.txt')
  siblingSecret = path.join(dir, 'web-evil', 'secret.txt')
  await fs.promises.mkdir(path.join(dir, 'media'))
  await fs.promises.mkdir(path.join(webRoot, 'assets'), { recursive: true })
  await fs.promises.mkdir(path.dirname(siblingSecret))
  await fs.promises.writeFile(clip, BYTES)
  await fs.promises.writeFile(emptyFile, '')
  await fs.promises.writeFile(
    path.join(webRoot, 'index.html'),
    '<!doctype html><title>Reanimate</title>',
  )
  await fs.promises.writeFile(path.join(webRoot, 'assets', 'app.js'), 'console.log(1)')
  await fs.promises.writeFile(secretFile, 'TOP-SECRET')
  await fs.promises.writeFile(siblingSecret, 'SIBLING-SECRET')
})

afterAll(async () => {
  await fs.promises.rm(dir, { recursive: true, force: true })
})

afterEach(() => {
  vi.restoreAllMocks()
})

async function body(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer())
}

const get = (headers: Record<string, string> = {}) => new Request('http://local/', { headers })

describe('parseRange', () => {
  it('returns null without a header', () => {
    expect(parseRange(null, 1000)).toBeNull()
    expect(parseRange('', 1000)).toBeNull()
  })

  it('parses a closed range, inclusive', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 })
    expect(parseRange('bytes=10-10', 1000)).toEqual({ start: 10, end: 10 })
    expect(parseRange('  bytes=5-9  ', 1000)).toEqual({ start: 5, end: 9 })
  })

  it('clamps an end past the file to the last byte', () => {
    expect(parseRange('bytes=900-5000', 1000)).toEqual({ start: 900, end: 999 })
  })

  it('parses an open-ended range', () => {
    expect(parseRange('bytes=100-', 1000)).toEqual({ start: 100, end: 999 })
    expect(parseRange('bytes=0-', 1000)).toEqual({ start: 0, end: 999 })
  })

  it('parses a suffix range as the last N bytes', () => {
    expect(parseRange('bytes=-100', 1000)).toEqual({ start: 900, end: 999 })
    expect(parseRange('bytes=-1', 1000)).toEqual({ start: 999, end: 999 })
    expect(parseRange('bytes=-5000', 1000)).toEqual({ start: 0, end: 999 })
  })

  it.each([
    ['start at the size', 'bytes=1000-'],
    ['start past the size', 'bytes=5000-6000'],
    ['start after end', 'bytes=50-10'],
    ['zero-length suffix', 'bytes=-0'],
    ['huge start', 'bytes=99999999999999999999-'],
  ])('is invalid when out of range (%s)', (_label, header) => {
    expect(parseRange(header, 1000)).toBe('invalid')
  })

  it.each([
    ['no numbers', 'bytes=-'],
    ['wrong unit', 'items=0-10'],
    ['no unit', '0-10'],
    ['letters', 'bytes=abc-def'],
    ['negative', 'bytes=-5-10'],
    ['multiple ranges', 'bytes=0-10,20-30'],
    ['decimals', 'bytes=1.5-10'],
    ['garbage', '\u0000garbage'],
  ])('is invalid for garbage (%s)', (_label, header) => {
    expect(parseRange(header, 1000)).toBe('invalid')
  })

  it('has nothing to satisfy in an empty file', () => {
    expect(parseRange('bytes=0-', 0)).toBe('invalid')
    expect(parseRange('bytes=-10', 0)).toBe('invalid')
  })
})

describe('contentTypeOf', () => {
  it('maps known extensions case-insensitively and falls back to octet-stream', () => {
    expect(contentTypeOf('/x/a.MP4')).toBe('video/mp4')
    expect(contentTypeOf('/x/a.webm')).toBe('video/webm')
    expect(contentTypeOf('/x/index.html')).toContain('text/html')
    expect(contentTypeOf('/x/noext')).toBe('application/octet-stream')
    expect(contentTypeOf('/x/a.exe')).toBe('application/octet-stream')
  })
})

describe('fileResponse', () => {
  it('returns 200 with every byte when there is no range', async () => {
    const res = await fileResponse(clip, null)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-length')).toBe(String(BYTES.length))
    expect(res.headers.get('content-type')).toBe('video/mp4')
    expect(res.headers.get('accept-ranges')).toBe('bytes')
    expect(res.headers.get('content-range')).toBeNull()
    expect((await body(res)).equals(BYTES)).toBe(true)
  })

  it.each([
    ['bytes=0-99', 0, 99],
    ['bytes=250-260', 250, 260],
    ['bytes=990-', 990, 999],
    ['bytes=-7', 993, 999],
    ['bytes=500-4000', 500, 999],
    ['bytes=999-999', 999, 999],
  ])('returns 206 with exactly the slice for %s', async (header, start, end) => {
    const res = await fileResponse(clip, header)
    expect(res.status).toBe(206)
    expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${BYTES.length}`)
    expect(res.headers.get('content-length')).toBe(String(end - start + 1))
    const got = await body(res)
    expect(got.length).toBe(end - start + 1)
    expect(got.equals(BYTES.subarray(start, end + 1))).toBe(true)
  })

  it.each([['bytes=1000-'], ['bytes=20-10'], ['bytes=x-y']])(
    'returns 416 for the unsatisfiable %s',
    async (header) => {
      const res = await fileResponse(clip, header)
      expect(res.status).toBe(416)
      expect(res.headers.get('content-range')).toBe(`bytes */${BYTES.length}`)
      expect((await body(res)).length).toBe(0)
    },
  )

  it('answers HEAD with headers and no body', async () => {
    const res = await fileResponse(clip, 'bytes=10-19', 'HEAD')
    expect(res.status).toBe(206)
    expect(res.headers.get('content-length')).toBe('10')
    expect((await body(res)).length).toBe(0)
  })

  it('serves an empty file as an empty 200', async () => {
    const res = await fileResponse(emptyFile, null)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-length')).toBe('0')
    expect((await body(res)).length).toBe(0)
  })

  it('returns 404 for a missing file or a directory', async () => {
    expect((await fileResponse(path.join(dir, 'nope.mp4'), null)).status).toBe(404)
    expect((await fileResponse(path.join(dir, 'media'), null)).status).toBe(404)
  })
})

describe('mediaUrlFor', () => {
  it('percent-encodes the whole path onto the base', () => {
    expect(mediaUrlFor('reanimate-media://file/', '/v/a b#?.mp4')).toBe(
      'reanimate-media://file/' + encodeURIComponent('/v/a b#?.mp4'),
    )
    expect(decodeURIComponent(mediaUrlFor('', clip))).toBe(clip)
  })
})

describe('serveMedia', () => {
  it('returns 403 for a path not on the allow-list, without touching the disk', async () => {
    const access = new FileAccess()
    const open = vi.spyOn(fs.promises, 'open')
    const real = vi.spyOn(fs.realpathSync, 'native')
    const res = await serveMedia(access, encodeURIComponent(clip), get())
    expect(res.status).toBe(403)
    expect(await res.text()).not.toContain(BYTES.subarray(0, 16).toString('latin1'))
    expect(open).not.toHaveBeenCalled()
    expect(real).not.toHaveBeenCalled()
  })

  it('the spies do see disk access on an allowed path (so the 403 check above means something)', async () => {
    const access = new FileAccess()
    access.grant(clip)
    const open = vi.spyOn(fs.promises, 'open')
    const real = vi.spyOn(fs.realpathSync, 'native')
    const res = await serveMedia(access, encodeURIComponent(clip), get())
    await body(res)
    expect(open).toHaveBeenCalled()
    expect(real).toHaveBeenCalled()
  })

  it('returns 200 with the file for a granted path', async () => {
    const access = new FileAccess()
    access.grant(clip)
    const res = await serveMedia(access, encodeURIComponent(clip), get())
    expect(res.status).toBe(200)
    expect((await body(res)).equals(BYTES)).toBe(true)
  })

  it('returns 206 with the slice for a granted path with a Range header', async () => {
    const access = new FileAccess()
    access.grant(clip)
    const res = await serveMedia(access, encodeURIComponent(clip), get({ range: 'bytes=100-149' }))
    expect(res.status).toBe(206)
    expect(res.headers.get('content-range')).toBe('bytes 100-149/1000')
    expect((await body(res)).equals(BYTES.subarray(100, 150))).toBe(true)
  })

  it('refuses a granted name reached through .. from elsewhere, and allows one that normalises to it', async () => {
    const access = new FileAccess()
    access.grant(clip)
    const sneaky = path.join(dir, 'media', '..', 'secret.txt')
    expect((await serveMedia(access, encodeURIComponent(sneaky), get())).status).toBe(403)
    // A raw (unnormalised) string that names the granted file.
    const roundabout = `${path.dirname(clip)}${path.sep}x${path.sep}..${path.sep}${path.basename(clip)}`
    const res = await serveMedia(access, encodeURIComponent(roundabout), get())
    expect(res.status).toBe(200)
    expect((await body(res)).equals(BYTES)).toBe(true)
  })

  it('returns 403 for a relative path even with allowAll', async () => {
    const res = await serveMedia(new FileAccess(true), encodeURIComponent('secret.txt'), get())
    expect(res.status).toBe(403)
  })

  it.each([['POST'], ['PUT'], ['DELETE']])(
    'returns 405 for %s, even for a granted path',
    async (method) => {
      const access = new FileAccess()
      access.grant(clip)
      const res = await serveMedia(
        access,
        encodeURIComponent(clip),
        new Request('http://local/', { method, body: method === 'DELETE' ? null : 'x' }),
      )
      expect(res.status).toBe(405)
    },
  )

  it('answers HEAD for a granted path without a body', async () => {
    const access = new FileAccess()
    access.grant(clip)
    const res = await serveMedia(
      access,
      encodeURIComponent(clip),
      new Request('http://local/', { method: 'HEAD' }),
    )
    expect(res.status).toBe(200)
    expect(res.headers.get('content-length')).toBe('1000')
  })

  it('returns 400 for a malformed percent-encoding', async () => {
    const res = await serveMedia(new FileAccess(true), '%E0%A4%A', get())
    expect(res.status).toBe(400)
  })
})

describe('serveStatic', () => {
  it('serves index.html for /', async () => {
    const res = await serveStatic(webRoot, '/', get())
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/html')
    expect(await res.text()).toContain('<title>Reanimate</title>')
  })

  it('serves a nested file and ignores the query string', async () => {
    const res = await serveStatic(webRoot, '/assets/app.js?v=123', get())
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('console.log(1)')
  })

  it('returns 404 for a missing file inside the root', async () => {
    expect((await serveStatic(webRoot, '/nope.js', get())).status).toBe(404)
  })

  it.each([
    ['plain ..', '/../secret.txt'],
    ['encoded ../', '/%2e%2e%2fsecret.txt'],
    ['upper-case encoded ../', '/%2E%2E%2Fsecret.txt'],
    ['encoded slash', '/..%2fsecret.txt'],
    ['deep', '/assets/../../secret.txt'],
    ['encoded absolute', `/%2e%2e${encodeURIComponent(secretFile)}`],
    ['sibling folder sharing the prefix', '/../web-evil/secret.txt'],
  ])('refuses traversal (%s)', async (_label, urlPath) => {
    const res = await serveStatic(webRoot, urlPath, get())
    expect([403, 404]).toContain(res.status)
    const text = await res.text()
    expect(text).not.toContain('TOP-SECRET')
    expect(text).not.toContain('SIBLING-SECRET')
  })

  it('refuses .. with 403 specifically', async () => {
    expect((await serveStatic(webRoot, '/../secret.txt', get())).status).toBe(403)
    expect((await serveStatic(webRoot, '/%2e%2e%2fsecret.txt', get())).status).toBe(403)
    expect((await serveStatic(webRoot, '/../web-evil/secret.txt', get())).status).toBe(403)
  })

  it('returns 400 for a malformed percent-encoding', async () => {
    expect((await serveStatic(webRoot, '/%E0%A4%A', get())).status).toBe(400)
  })
})
