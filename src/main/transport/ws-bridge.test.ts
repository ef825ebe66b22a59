import fs from 'node:fs/promises'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createServices, type Services } from '../services'
import { MemorySecretStore } from '../settings/secret-store'
import { contentSecurityPolicy } from '../../shared/csp'
import { startBridge, type Bridge } from './ws-bridge'

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
}

const INDEX = '<!doctype html><title>bridge test</title>'
const CLIP = Buffer.from('0123456789abcdef not really a video')

let root: string
let file: string
let services: Services
let bridge: Bridge
let port: number
let token: string
let host: string
let cookie: string
let media: string

/** One real HTTP request with whatever headers we like (Host included); no keep-alive. */
function request(p: string, headers: http.OutgoingHttpHeaders = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

/** A raw WebSocket upgrade: 101 when accepted, else the status the server answered. */
function upgrade(headers: http.OutgoingHttpHeaders, p = '/ws'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: p,
      agent: false,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': Buffer.from('0123456789abcdef').toString('base64'),
        ...headers,
      },
    })
    req.on('upgrade', (_res, socket) => {
      socket.destroy()
      resolve(101)
    })
    req.on('response', (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end()
  })
}

/** The cookie a browser would keep from the 303, as a Cookie header. */
function cookieFrom(answer: Answer): string {
  const set = answer.headers['set-cookie']?.[0] ?? ''
  return set.split(';')[0] ?? ''
}

async function makeServices(): Promise<Services> {
  const dataDir = await fs.mkdtemp(path.join(root, 'data-'))
  const s = createServices({
    dataDir,
    secrets: new MemorySecretStore(),
    env: { PATH: process.env.PATH },
  })
  await s.init()
  return s
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-bridge-'))
  const rendererDir = path.join(root, 'renderer')
  await fs.mkdir(rendererDir)
  await fs.writeFile(path.join(rendererDir, 'index.html'), INDEX)
  file = path.join(root, 'my clip.mp4')
  await fs.writeFile(file, CLIP)
  services = await makeServices()
  services.access.grant(file)
  bridge = await startBridge(services, { rendererDir })
  const url = new URL(bridge.url)
  port = Number(url.port)
  token = url.searchParams.get('token') ?? ''
  host = `127.0.0.1:${port}`
  media = `/media/${encodeURIComponent(file)}`
  cookie = cookieFrom(await request(`/?token=${token}`, { host }))
})

afterAll(async () => {
  await bridge?.close()
  await fs.rm(root, { recursive: true, force: true })
})

describe('the bridge address', () => {
  it('is the loopback origin plus a fresh 32-byte token', () => {
    expect(bridge.origin).toBe(`http://127.0.0.1:${port}`)
    expect(bridge.url).toBe(`${bridge.origin}/?token=${token}`)
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })
})

describe('without the token', () => {
  it('refuses /, /media/ and /ws with no token at all', async () => {
    for (const p of ['/', '/index.html', media]) {
      const answer = await request(p, { host })
      expect(answer.status, p).toBe(403)
      expect(answer.headers['content-type']).toMatch(/^text\/plain/)
      expect(answer.body.toString()).toContain(
        'Open the address reanimate printed, with its token.',
      )
      expect(answer.body.toString()).not.toContain(INDEX)
    }
    expect(await upgrade({ host, origin: bridge.origin })).toBe(403)
  })

  it('refuses a wrong token, in the address or in the cookie', async () => {
    const wrong = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA')
    for (const p of ['/', media]) {
      expect((await request(`${p}?token=${wrong}`, { host })).status, p).toBe(403)
      expect((await request(`${p}?token=short`, { host })).status, p).toBe(403)
    }
    const bad = cookie.replace(token, wrong)
    expect(bad).not.toBe(cookie)
    for (const p of ['/', media]) expect((await request(p, { host, cookie: bad })).status).toBe(403)
    expect(await upgrade({ host, origin: bridge.origin, cookie: bad })).toBe(403)
    // The token is for page loads; the socket only takes the cookie.
    expect(await upgrade({ host, origin: bridge.origin }, `/ws?token=${token}`)).toBe(403)
  })
})

describe('with the token', () => {
  it('answers the first load with a 303 and a strict HttpOnly cookie, token gone from the address', async () => {
    const answer = await request(`/?token=${token}`, { host })
    expect(answer.status).toBe(303)
    expect(answer.headers.location).toBe(`${bridge.origin}/`)
    const set = answer.headers['set-cookie']?.[0] ?? ''
    expect(set).toMatch(new RegExp(`^reanimate_token_${port}=${token};`))
    expect(set).toMatch(/; HttpOnly/)
    expect(set).toMatch(/; SameSite=Strict/)
    expect(set).toMatch(/; Path=\//)
    // Any path works; the rest of the query survives.
    const deep = await request(`${media}?token=${token}&t=1`, { host })
    expect(deep.status).toBe(303)
    expect(deep.headers.location).toBe(`${bridge.origin}${media}?t=1`)
  })

  it('serves the page with the renderer CSP and nosniff', async () => {
    const answer = await request('/', { host, cookie })
    expect(answer.status).toBe(200)
    expect(answer.body.toString()).toBe(INDEX)
    expect(answer.headers['content-security-policy']).toBe(contentSecurityPolicy('production'))
    expect(answer.headers['x-content-type-options']).toBe('nosniff')
  })

  it('serves the granted file, whole and by range', async () => {
    const whole = await request(media, { host, cookie })
    expect(whole.status).toBe(200)
    expect(whole.body.equals(CLIP)).toBe(true)
    const part = await request(media, { host, cookie, range: 'bytes=2-5' })
    expect(part.status).toBe(206)
    expect(part.headers['content-range']).toBe(`bytes 2-5/${CLIP.length}`)
    expect(part.body.toString()).toBe('2345')
    // The cookie does not widen the allow-list.
    const other = `/media/${encodeURIComponent(path.join(root, 'renderer', 'index.html'))}`
    expect((await request(other, { host, cookie })).status).toBe(403)
  })

  it('accepts a contract call over /ws', async () => {
    const ws = new WebSocket(`ws://${host}/ws`, { origin: bridge.origin, headers: { cookie } })
    try {
      const reply = await new Promise<unknown>((resolve, reject) => {
        ws.on('error', reject)
        ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
        ws.on('message', (data) => {
          const frame = JSON.parse(String(data)) as { type: string; id?: number }
          if (frame.type === 'reply' && frame.id === 1) resolve(frame)
        })
        ws.on('open', () =>
          ws.send(JSON.stringify({ type: 'call', id: 1, method: 'settings.get', params: {} })),
        )
      })
      expect(reply).toMatchObject({ type: 'reply', id: 1, reply: { ok: true } })
    } finally {
      ws.close()
    }
  })
})

describe('forged headers, even with the cookie', () => {
  it('refuses a socket from another Origin, or with none', async () => {
    expect(await upgrade({ host, cookie, origin: bridge.origin })).toBe(101)
    for (const origin of ['http://evil.example', `http://localhost:${port}`, 'null']) {
      expect(await upgrade({ host, cookie, origin }), origin).toBe(403)
    }
    expect(await upgrade({ host, cookie })).toBe(403)
  })

  it('refuses a second Host header and an absolute request target, even with the cookie', async () => {
    /** The status line of a hand-written request: http.request cannot send these. */
    const raw = (head: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => socket.write(head))
        let text = ''
        socket.on('data', (d: Buffer) => (text += d.toString('latin1')))
        socket.on('end', () => resolve(text.split('\r\n')[0] ?? ''))
        socket.on('error', reject)
      })
    const ok = await raw(
      `GET / HTTP/1.1\r\nHost: ${host}\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`,
    )
    expect(ok).toBe('HTTP/1.1 200 OK')
    for (const head of [
      `GET / HTTP/1.1\r\nHost: ${host}\r\nHost: evil.example\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`,
      `GET http://evil.example/ HTTP/1.1\r\nHost: ${host}\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`,
    ])
      expect(await raw(head), head).toBe('HTTP/1.1 403 Forbidden')
  })

  it('refuses a foreign Host on /, /media/ and /ws (DNS rebinding)', async () => {
    for (const foreign of [`evil.example:${port}`, `localhost:${port}`]) {
      for (const p of ['/', media, `/?token=${token}`]) {
        expect((await request(p, { host: foreign, cookie })).status, `${foreign} ${p}`).toBe(403)
      }
      const origin = `http://${foreign}`
      expect(await upgrade({ host: foreign, cookie, origin })).toBe(403)
      expect(await upgrade({ host: foreign, cookie, origin: bridge.origin })).toBe(403)
    }
  })
})

describe('a restart', () => {
  it('refuses the previous launch token, on the same port', async () => {
    const other = await makeServices()
    other.access.grant(file)
    await bridge.close()
    bridge = await startBridge(other, { port })
    const fresh = new URL(bridge.url).searchParams.get('token')
    expect(fresh).not.toBe(token)
    expect((await request(`/?token=${token}`, { host })).status).toBe(403)
    expect((await request(media, { host, cookie })).status).toBe(403)
    expect(await upgrade({ host, cookie, origin: bridge.origin })).toBe(403)
    const renewed = cookieFrom(await request(`/?token=${fresh}`, { host }))
    expect((await request(media, { host, cookie: renewed })).status).toBe(200)
  })
})
