import { describe, expect, it } from 'vitest'
import { isTrustedSender, isTrustedUrl, type SenderLike } from './sender'

const APP_BASE = 'app://reanimate/index.html'
const DEV_BASE = 'http://localhost:5173/'

describe('isTrustedUrl', () => {
  it.each([
    ['app://reanimate/index.html', APP_BASE],
    ['app://reanimate/index.html#/x', APP_BASE],
    ['app://reanimate/other/page.html?q=1', APP_BASE],
    ['http://localhost:5173/', DEV_BASE],
    ['http://localhost:5173/#/settings', DEV_BASE],
  ])('trusts %s against %s', (url, base) => {
    expect(isTrustedUrl(url, base)).toBe(true)
  })

  it.each([
    ['https://evil.example/', APP_BASE],
    ['app://evil/index.html', APP_BASE],
    ['app://reanimate.evil/index.html', APP_BASE],
    ['app://evil@reanimate.example/', APP_BASE],
    ['file:///index.html', APP_BASE],
    ['reanimate-media://reanimate/index.html', APP_BASE],
    ['app:reanimate/index.html', APP_BASE],
    ['http://localhost:5174/', DEV_BASE],
    ['https://localhost:5173/', DEV_BASE],
    ['http://localhost:5173.evil.example/', DEV_BASE],
    ['http://127.0.0.1:5173/', DEV_BASE],
    ['http://localhost/', DEV_BASE],
    ['about:blank', APP_BASE],
    ['not a url', APP_BASE],
    ['', APP_BASE],
  ])('does not trust %j against %s', (url, base) => {
    expect(isTrustedUrl(url, base)).toBe(false)
  })

  it('does not trust anything when the base is not a URL, or the URL is missing', () => {
    expect(isTrustedUrl('app://reanimate/', 'garbage')).toBe(false)
    expect(isTrustedUrl(undefined, APP_BASE)).toBe(false)
  })
})

describe('isTrustedSender', () => {
  const windows = new Set([7])
  const event = (over: Partial<SenderLike> = {}): SenderLike => ({
    senderFrame: { url: 'app://reanimate/index.html#/x', parent: null },
    sender: { id: 7 },
    ...over,
  })

  it('trusts our window’s top frame showing our page', () => {
    expect(isTrustedSender(event(), APP_BASE, windows)).toBe(true)
  })

  it('refuses a null senderFrame (frame gone or navigated)', () => {
    expect(isTrustedSender(event({ senderFrame: null }), APP_BASE, windows)).toBe(false)
  })

  it('refuses a subframe even when it shows our page', () => {
    const sub = event({
      senderFrame: { url: 'app://reanimate/index.html', parent: { url: 'app://reanimate/' } },
    })
    expect(isTrustedSender(sub, APP_BASE, windows)).toBe(false)
  })

  it('refuses a frame whose parent is undefined rather than null', () => {
    expect(
      isTrustedSender(
        event({ senderFrame: { url: 'app://reanimate/', parent: undefined } }),
        APP_BASE,
        windows,
      ),
    ).toBe(false)
  })

  it('refuses a webContents that is not one of our windows', () => {
    expect(isTrustedSender(event({ sender: { id: 8 } }), APP_BASE, windows)).toBe(false)
    expect(isTrustedSender(event(), APP_BASE, new Set())).toBe(false)
  })

  it('refuses our window when it shows a foreign page', () => {
    const foreign = event({ senderFrame: { url: 'https://evil.example/', parent: null } })
    expect(isTrustedSender(foreign, APP_BASE, windows)).toBe(false)
  })
})
