import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { TURBO, parseRenderParams, type RenderParams } from '../../shared/endpoints'
import { PendingRequests } from './pending-requests'
import { requestKey } from './render-clip'
import { UploadCache } from '../fal/upload-cache'

const dirs: string[] = []
afterAll(() => Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true }))))
async function tmp() {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'pending-'))
  dirs.push(d)
  return d
}
const params = (raw: object): RenderParams => {
  const r = parseRenderParams(TURBO, raw)
  if (!r.ok) throw new Error('bad params')
  return r.params
}

describe('pending requests', () => {
  it('survive a restart (a new instance reads what the old one wrote)', async () => {
    const file = path.join(await tmp(), 'pending.json')
    const a = new PendingRequests(file)
    await Promise.all([
      a.set('k1', { requestId: 'r1', endpoint: TURBO, submittedAt: 't' }),
      a.set('k2', { requestId: 'r2', endpoint: TURBO, submittedAt: 't' }),
    ])
    await a.delete('k1')
    const b = new PendingRequests(file)
    expect(await b.get('k1')).toBeUndefined()
    expect(await b.get('k2')).toMatchObject({ requestId: 'r2' })
  })

  it('key the same render the same way, and a different prompt or clip differently', () => {
    const p = params({ prompt: 'fox', seed: 1 })
    expect(requestKey('h', TURBO, p)).toBe(
      requestKey('h', TURBO, params({ seed: 1, prompt: 'fox' })),
    )
    expect(requestKey('h', TURBO, p)).not.toBe(
      requestKey('h', TURBO, params({ prompt: 'owl', seed: 1 })),
    )
    expect(requestKey('h', TURBO, p)).not.toBe(requestKey('h2', TURBO, p))
  })
})

describe('upload cache', () => {
  it('remembers URLs across instances and forgets expired or deleted ones', async () => {
    const file = path.join(await tmp(), 'uploads.json')
    const now = Date.parse('2026-01-01T00:00:00Z')
    const a = new UploadCache(file, 60_000)
    await a.set('h1', { url: 'http://x/1', sizeBytes: 1, uploadedAt: new Date(now).toISOString() })
    await a.set('h2', { url: 'http://x/2', sizeBytes: 2, uploadedAt: new Date(now).toISOString() })
    await a.delete('h2')
    const b = new UploadCache(file, 60_000)
    expect(await b.get('h1', now + 1000)).toMatchObject({ url: 'http://x/1' })
    expect(await b.get('h1', now + 120_000)).toBeUndefined()
    expect(await b.get('h2', now)).toBeUndefined()
  })

  it('reads a damaged cache file as empty instead of failing', async () => {
    const file = path.join(await tmp(), 'uploads.json')
    await fs.writeFile(file, '{"entries": {"h": ')
    expect(await new UploadCache(file).get('h')).toBeUndefined()
  })
})
