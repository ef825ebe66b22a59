import { EventEmitter } from 'node:events'
import { describe, expect, it, vi } from 'vitest'
import {
  guardContents,
  installGuards,
  type GuardedContents,
  type GuardedSession,
  type GuardOptions,
} from './guard'

const APP_BASE = 'app://reanimate/index.html'

type OpenHandler = (details: { url: string }) => { action: string }
type PermissionRequestHandler = (
  wc: unknown,
  permission: string,
  callback: (granted: boolean) => void,
) => void
type PermissionCheckHandler = (wc: unknown, permission: string) => boolean

/** Like Electron's Session: keeps the permission handlers it is given. */
class FakeSession {
  requestHandler: PermissionRequestHandler | null = null
  checkHandler: PermissionCheckHandler | null = null
  setPermissionRequestHandler(h: PermissionRequestHandler | null): void {
    this.requestHandler = h
  }
  setPermissionCheckHandler(h: PermissionCheckHandler | null): void {
    this.checkHandler = h
  }
  /** Asks the way Chromium does; with no handler Electron grants. */
  request(permission: string): Promise<boolean> {
    const h = this.requestHandler
    if (!h) return Promise.resolve(true)
    return new Promise((resolve) => h(null, permission, resolve))
  }
  check(permission: string): boolean {
    return this.checkHandler ? this.checkHandler(null, permission) : true
  }
}

/** Like Electron's WebContents: an EventEmitter with a window-open handler and a session. */
class FakeContents extends EventEmitter {
  openHandler: OpenHandler | null = null
  devToolsClosed = 0
  constructor(readonly session: FakeSession = new FakeSession()) {
    super()
  }
  setWindowOpenHandler(h: OpenHandler): void {
    this.openHandler = h
  }
  closeDevTools(): void {
    this.devToolsClosed++
  }
  /** What the page's window.open(url) (or a target=_blank link) would get. */
  windowOpen(url: string): { action: string } {
    if (!this.openHandler) return { action: 'allow' }
    return this.openHandler({ url })
  }
  /** Emits a cancellable event the way Electron does; true when a listener prevented it. */
  attempt(
    name: 'will-navigate' | 'will-redirect' | 'will-attach-webview',
    url = '',
    deprecatedUrl = url,
  ): boolean {
    let prevented = false
    const event = { url, preventDefault: () => (prevented = true) }
    this.emit(name, event, deprecatedUrl)
    return prevented
  }
}

function setup(over: Partial<GuardOptions> = {}) {
  const app = new EventEmitter()
  const defaultSession = new FakeSession()
  const openExternal = vi.fn((_url: string) => Promise.resolve())
  const options: GuardOptions = {
    trustedBase: APP_BASE,
    isDev: false,
    shell: { openExternal },
    ...over,
  }
  installGuards(
    app as never,
    { defaultSession: defaultSession as unknown as GuardedSession },
    options,
  )
  /** A web contents created after the guards were installed (a window, a webview, a popup). */
  const create = (session?: FakeSession) => {
    const contents = new FakeContents(session)
    app.emit('web-contents-created', { preventDefault() {} }, contents)
    return contents
  }
  return { app, defaultSession, openExternal, options, create }
}

describe('installGuards', () => {
  it('guards a web contents created after installation', () => {
    const { app, create } = setup()
    expect(app.listenerCount('web-contents-created')).toBe(1)
    const contents = create()
    expect(contents.openHandler).not.toBeNull()
    expect(contents.listenerCount('will-navigate')).toBe(1)
    expect(contents.listenerCount('will-redirect')).toBe(1)
    expect(contents.listenerCount('will-attach-webview')).toBe(1)
  })

  it('lets a page navigate within our own page, and prevents navigation anywhere else', () => {
    const contents = setup().create()
    expect(contents.attempt('will-navigate', 'app://reanimate/index.html#/batch')).toBe(false)
    for (const url of [
      'https://evil.com/',
      'https://fal.ai/', // allow-listed for the browser, not for our window
      'app://evil/index.html',
      'file:///etc/passwd',
      'about:blank',
    ]) {
      expect(contents.attempt('will-navigate', url), url).toBe(true)
    }
  })

  it('prevents redirects to another origin', () => {
    const contents = setup().create()
    expect(contents.attempt('will-redirect', 'https://evil.com/')).toBe(true)
    expect(contents.attempt('will-redirect', 'app://reanimate/other.html')).toBe(false)
  })

  it('judges details.url, not the url argument Electron 45 deprecates', () => {
    const contents = setup().create()
    for (const name of ['will-navigate', 'will-redirect'] as const) {
      expect(contents.attempt(name, 'https://evil.com/', 'app://reanimate/index.html')).toBe(true)
      expect(contents.attempt(name, 'app://reanimate/index.html', 'https://evil.com/')).toBe(false)
    }
  })

  it('trusts the dev server when that is the base, and nothing else', () => {
    const contents = setup({ trustedBase: 'http://localhost:5173/', isDev: true }).create()
    expect(contents.attempt('will-navigate', 'http://localhost:5173/#/x')).toBe(false)
    expect(contents.attempt('will-navigate', 'http://localhost:5174/')).toBe(true)
  })

  it('opens an allow-listed https://fal.ai link in the browser and denies the window', () => {
    const { create, openExternal } = setup()
    const contents = create()
    expect(contents.windowOpen('https://fal.ai/dashboard/keys')).toEqual({ action: 'deny' })
    expect(openExternal).toHaveBeenCalledTimes(1)
    expect(openExternal).toHaveBeenCalledWith('https://fal.ai/dashboard/keys')
  })

  it('hands the browser the normalised URL, not the raw string', () => {
    const { create, openExternal } = setup()
    create().windowOpen('https://FAL.AI:443/a/../keys')
    expect(openExternal).toHaveBeenCalledWith('https://fal.ai/keys')
  })

  it.each([
    'https://evil.com/',
    'https://fal.ai.evil.com/',
    'https://fal.ai@evil.com/',
    'http://fal.ai/',
    'javascript:alert(1)',
    'file:///etc/passwd',
    'app://reanimate/index.html',
  ])('denies window.open(%j) and opens nothing', (url) => {
    const { create, openExternal } = setup()
    expect(create().windowOpen(url)).toEqual({ action: 'deny' })
    expect(openExternal).not.toHaveBeenCalled()
  })

  it('survives the browser failing to open a link', async () => {
    const { create, openExternal } = setup()
    openExternal.mockImplementationOnce(() => Promise.reject(new Error('no browser')))
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    expect(create().windowOpen('https://fal.ai/')).toEqual({ action: 'deny' })
    await vi.waitFor(() => expect(warn).toHaveBeenCalledWith(expect.stringContaining('no browser')))
    warn.mockRestore()
  })

  it('prevents attaching a <webview>', () => {
    const contents = setup().create()
    expect(contents.attempt('will-attach-webview')).toBe(true)
  })

  it('closes devtools in packaged builds, and leaves them open in dev', () => {
    const packaged = setup({ isDev: false }).create()
    packaged.emit('devtools-opened')
    expect(packaged.devToolsClosed).toBe(1)
    const dev = setup({ isDev: true }).create()
    dev.emit('devtools-opened')
    expect(dev.devToolsClosed).toBe(0)
  })

  it('denies every permission request and check on the default session', async () => {
    const { defaultSession } = setup()
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'hid']) {
      expect(await defaultSession.request(p)).toBe(false)
      expect(defaultSession.check(p)).toBe(false)
    }
  })

  it('denies permissions on the session of a created contents (e.g. a partition)', async () => {
    const partition = new FakeSession()
    setup().create(partition)
    expect(await partition.request('media')).toBe(false)
    expect(partition.check('clipboard-read')).toBe(false)
  })
})

describe('guardContents', () => {
  it('guards a contents once, however often it is called', () => {
    const { options } = setup()
    const contents = new FakeContents()
    guardContents(contents as unknown as GuardedContents, options)
    guardContents(contents as unknown as GuardedContents, options)
    expect(contents.listenerCount('will-navigate')).toBe(1)
  })
})
