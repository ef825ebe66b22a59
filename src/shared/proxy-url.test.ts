import { describe, expect, it } from 'vitest'
import { isLoopbackHost, proxyUrlProblem } from './proxy-url'

describe('proxyUrlProblem', () => {
  it.each([
    'https://proxy.example.com/api/fal/proxy',
    'http://127.0.0.1:3000/api/fal/proxy',
    'http://localhost:8080/',
    'http://[::1]:9000/fal',
  ])('accepts %s', (url) => expect(proxyUrlProblem(url)).toBeNull())

  it.each([
    [
      'http://proxy.example.com/fal',
      /only allowed on this computer.*https:\/\/proxy\.example\.com\/fal/,
    ],
    ['http://127.0.0.1.evil.com/fal', /only allowed on this computer/],
    ['http://10.0.0.5/fal', /only allowed on this computer/],
    ['ftp://proxy.example.com/', /not a web address/],
    ['file:///etc/passwd', /not a web address/],
    ['not a url', /not a web address/],
    ['https://user:pw@proxy.example.com/', /user name or password/],
  ])('refuses %s', (url, words) => expect(proxyUrlProblem(url)).toMatch(words))
})

describe('isLoopbackHost', () => {
  it('knows this computer from lookalikes', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true)
    expect(isLoopbackHost('127.1.2.3')).toBe(true)
    expect(isLoopbackHost('LOCALHOST')).toBe(true)
    expect(isLoopbackHost('[::1]')).toBe(true)
    expect(isLoopbackHost('localhost.evil.com')).toBe(false)
    expect(isLoopbackHost('127.0.0.1.nip.io')).toBe(false)
  })
})
