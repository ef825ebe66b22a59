import { describe, expect, it } from 'vitest'
import {
  checkRequest,
  checkUpgrade,
  cookieNameFor,
  cookieValues,
  formatHostPort,
  newToken,
  tokenMatches,
  type Gate,
} from './bridge-auth'

const token = newToken()
const gate: Gate = {
  hostPort: '127.0.0.1:4321',
  origin: 'http://127.0.0.1:4321',
  token,
  cookieName: cookieNameFor(4321),
}
const host = '127.0.0.1:4321'
const cookie = `${gate.cookieName}=${token}`

describe('tokens', () => {
  it('are 32 random bytes in base64url, new each time', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(newToken()).not.toBe(token)
  })

  it('match only exactly, whatever the length of the candidate', () => {
    expect(tokenMatches(token, token)).toBe(true)
    expect(tokenMatches(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'), token)).toBe(false)
    expect(tokenMatches(token.slice(1), token)).toBe(false)
    expect(tokenMatches(token + 'x', token)).toBe(false)
    expect(tokenMatches('', token)).toBe(false)
    expect(tokenMatches(undefined, token)).toBe(false)
    expect(tokenMatches(null, token)).toBe(false)
  })
})

describe('cookieValues', () => {
  it('finds every value of one name and nothing else', () => {
    expect(
      cookieValues('a=1; reanimate_token_1=x; b=2; reanimate_token_1=y', 'reanimate_token_1'),
    ).toEqual(['x', 'y'])
    expect(cookieValues('reanimate_token_10=x', 'reanimate_token_1')).toEqual([])
    expect(cookieValues('novalue; =x', 'novalue')).toEqual([])
    expect(cookieValues(undefined, 'a')).toEqual([])
  })
})

describe('formatHostPort', () => {
  it('brackets IPv6 literals as a Host header does', () => {
    expect(formatHostPort('127.0.0.1', 80)).toBe('127.0.0.1:80')
    expect(formatHostPort('::1', 80)).toBe('[::1]:80')
  })
})

describe('checkRequest', () => {
  it('trades the token in the address for a strict HttpOnly cookie and a clean address', () => {
    const v = checkRequest(gate, { url: `/index.html?x=1&token=${token}`, headers: { host } })
    expect(v).toEqual({
      kind: 'redirect',
      location: 'http://127.0.0.1:4321/index.html?x=1',
      setCookie: `${gate.cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`,
    })
  })

  it('never redirects off our origin', () => {
    for (const url of [`/.//evil.example/?token=${token}`, `//evil.example/?token=${token}`]) {
      const v = checkRequest(gate, { url, headers: { host } })
      expect(v.kind).toBe('redirect')
      if (v.kind === 'redirect') expect(v.location.startsWith('http://127.0.0.1:4321/')).toBe(true)
    }
  })

  it('allows the cookie, even beside a stale one', () => {
    expect(checkRequest(gate, { url: '/', headers: { host, cookie } })).toEqual({ kind: 'allow' })
    const two = `${gate.cookieName}=stale; ${cookie}`
    expect(checkRequest(gate, { url: '/', headers: { host, cookie: two } }).kind).toBe('allow')
  })

  it('refuses a missing or wrong token, in the address or the cookie', () => {
    for (const req of [
      { url: '/', headers: { host } },
      { url: '/?token=wrong', headers: { host } },
      { url: '/?token=', headers: { host, cookie } },
      { url: '/', headers: { host, cookie: `${gate.cookieName}=wrong` } },
      { url: '/', headers: { host, cookie: `${cookieNameFor(1)}=${token}` } },
    ]) {
      const v = checkRequest(gate, req)
      expect(v.kind).toBe('forbid')
      if (v.kind === 'forbid') expect(v.message).toContain('Open the address reanimate printed')
    }
  })

  it('refuses any Host but the bound address, token or not', () => {
    for (const h of ['localhost:4321', 'evil.example:4321', '127.0.0.1', '127.0.0.1:4322', '']) {
      expect(checkRequest(gate, { url: '/', headers: { host: h, cookie } }).kind).toBe('forbid')
      const url = `/?token=${token}`
      expect(checkRequest(gate, { url, headers: { host: h } }).kind).toBe('forbid')
    }
    expect(checkRequest(gate, { url: '/', headers: { cookie } }).kind).toBe('forbid')
  })
})

describe('checkUpgrade', () => {
  const origin = gate.origin

  it('allows /ws with our Host, our Origin and the cookie', () => {
    expect(checkUpgrade(gate, { url: '/ws', headers: { host, origin, cookie } })).toEqual({
      kind: 'allow',
    })
  })

  it('refuses anything less', () => {
    for (const req of [
      { url: '/ws', headers: { host, origin } },
      { url: `/ws?token=${token}`, headers: { host, origin } },
      { url: '/ws', headers: { host, origin: 'http://evil.example', cookie } },
      { url: '/ws', headers: { host, origin: 'http://127.0.0.1:4322', cookie } },
      { url: '/ws', headers: { host, cookie } },
      { url: '/ws', headers: { host: 'localhost:4321', origin, cookie } },
      { url: '/other', headers: { host, origin, cookie } },
    ]) {
      expect(checkUpgrade(gate, req).kind).toBe('forbid')
    }
  })
})
