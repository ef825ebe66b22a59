import { spawn } from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import WebSocket from 'ws'
import { clips, tempDir } from '../media/clips'

/** `reanimate ui` as a user starts it: the built CLI, its own process, a real server. */

let root: string
let clip: string
let renderer: string

beforeAll(async () => {
  root = await tempDir('reanimate-ui-')
  clip = await clips.basic(root, 'beach day.mp4', 1)
  // A stand-in window: this test is about the server, the e2e tests drive the real one.
  renderer = path.join(root, 'renderer')
  await fs.mkdir(renderer)
  await fs.writeFile(path.join(renderer, 'index.html'), '<!doctype html><title>Reanimate</title>')
})
afterAll(() => fs.rm(root, { recursive: true, force: true }))

function startUi(args: string[]) {
  const child = spawn(process.execPath, [inject('cliPath'), 'ui', ...args], {
    env: {
      PATH: process.env.PATH,
      REANIMATE_DATA_DIR: path.join(root, 'data'),
      REANIMATE_RENDERER_DIR: renderer,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0] as string)
    })
    child.once('exit', (code) => reject(new Error(`ui exited (${code}): ${stderr}`)))
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  return { child, firstLine, exited, output: () => ({ stdout, stderr }) }
}

describe('reanimate ui', () => {
  it('prints {"url"} first, wants its token, opens the files it was given, and stops on Ctrl-C', async () => {
    const ui = startUi([clip, '--no-open', '--json'])
    const { url } = JSON.parse(await ui.firstLine) as { url: string }
    const address = new URL(url)
    expect(address.hostname).toBe('127.0.0.1')
    expect(address.searchParams.get('token')).toMatch(/^[\w-]{43}$/)

    // Without the token: 403. With it: a cookie, then the window.
    expect((await fetch(address.origin + '/')).status).toBe(403)
    const first = await fetch(url, { redirect: 'manual' })
    expect(first.status).toBe(303)
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] as string
    const page = await fetch(address.origin + '/', { headers: { cookie } })
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<title>Reanimate</title>')

    // The window learns which files it was started with.
    const ws = new WebSocket(`ws://${address.host}/ws`, {
      headers: { cookie, origin: address.origin },
    })
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
    const reply = new Promise<unknown>((resolve) =>
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { type: string; id?: number; reply?: unknown }
        if (msg.type === 'reply' && msg.id === 1) resolve(msg.reply)
      }),
    )
    ws.send(JSON.stringify({ type: 'call', id: 1, method: 'library.opened', params: {} }))
    expect(await reply).toEqual({ ok: true, value: { paths: [clip] } })
    ws.close()

    ui.child.kill('SIGINT')
    expect(await ui.exited).toBe(0)
    expect(ui.output().stderr).toContain('reanimate jobs list')
  })

  it('names a file that does not exist, and warns before listening beyond this computer', async () => {
    const missing = startUi([path.join(root, 'nope.mp4'), '--no-open', '--json'])
    expect(await missing.exited).toBe(2)
    expect(missing.output().stdout).toContain('nope.mp4: no such file or folder')

    const wide = startUi(['--no-open', '--host', '0.0.0.0'])
    await wide.firstLine
    expect(wide.output().stderr).toContain('warning: listening on 0.0.0.0')
    wide.child.kill('SIGTERM')
    expect(await wide.exited).toBe(0)
  })
})
