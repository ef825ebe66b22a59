import { describe, expect, it } from 'vitest'
import {
  allowedExternalUrl,
  isAllowedExternalUrl,
  PROJECT_ISSUES_URL,
  PROJECT_URL,
} from './external-links'
import { FAL_KEYS_URL } from './secrets'
import pkg from '../../package.json'

describe('isAllowedExternalUrl', () => {
  it.each([
    FAL_KEYS_URL,
    'https://fal.ai',
    'https://fal.ai/',
    'https://fal.ai/models/fal-ai/fast-animatediff/turbo/video-to-video?x=1#api',
    'https://docs.fal.ai/model-endpoints/queue',
    'https://a.b.fal.ai/',
    'https://FAL.AI/pricing', // hosts are case-insensitive
    'https://fal.ai:443/billing', // the default port, written out
    PROJECT_URL,
    `${PROJECT_URL}/`,
    PROJECT_ISSUES_URL,
    `${PROJECT_ISSUES_URL}/new?title=Render%20failed`,
    `${PROJECT_URL}/blob/main/README.md#dependencies-and-why`,
  ])('allows %s', (url) => {
    expect(isAllowedExternalUrl(url)).toBe(true)
  })

  it.each([
    // other schemes
    'http://fal.ai/',
    'javascript:alert(1)',
    'JavaScript://fal.ai/%0aalert(1)',
    'file:///etc/passwd',
    'data:text/html,<script>alert(1)</script>',
    'ftp://fal.ai/',
    'wss://fal.ai/',
    'app://reanimate/index.html',
    'reanimate-media://file/x.mp4',
    '//fal.ai/',
    // look-alike hosts
    'https://fal.ai.evil.com/',
    'https://evilfal.ai/',
    'https://evil-fal.ai/',
    'https://fal.aI.evil.com/',
    'https://fal.ai%2eevil.com/', // decodes to fal.ai.evil.com
    'https://fal.ai./', // trailing-dot form
    'https://.fal.ai/', // empty label
    'https://fal.com/',
    'https://ai/',
    // user info: the host is what follows the @
    'https://fal.ai@evil.com/',
    'https://fal.ai:443@evil.com/',
    'https://user:pass@fal.ai/',
    'https://user@fal.ai/',
    // other ports
    'https://fal.ai:8443/',
    'https://fal.ai:80/',
    // IDN / punycode look-alikes (Cyrillic а, fullwidth letters) and their ASCII forms
    'https://fаl.ai/',
    'https://xn--fl-7kc.ai/',
    'https://ｆａｌ.ai/',
    'https://fal.ai\u200b/',
    // parser disagreements: backslashes, whitespace, control characters
    'https://evil.com\\@fal.ai/',
    'https://fal.ai\\@evil.com/',
    ' https://fal.ai/',
    'https://fal.ai/\n',
    'https://fa\tl.ai/',
    // the project host, but not the project
    'https://github.com/',
    'https://github.com/reanimate-app',
    'https://github.com/reanimate-app/reanimate-evil',
    'https://github.com/reanimate-app/reanimate/../../evil/repo', // normalises out of the project
    'https://github.com/reanimate-app/reanimate/%2e%2e/evil', // same, percent-encoded
    'https://github.com.evil.com/reanimate-app/reanimate',
    'http://github.com/reanimate-app/reanimate',
    'https://evil.com/reanimate-app/reanimate',
    // not URLs
    '',
    'fal.ai',
    'not a url',
    `https://fal.ai/${'a'.repeat(3000)}`,
  ])('refuses %j', (url) => {
    expect(isAllowedExternalUrl(url)).toBe(false)
  })

  it('refuses non-strings that slip past the types', () => {
    for (const v of [undefined, null, 1, {}, new URL('https://fal.ai/')]) {
      expect(isAllowedExternalUrl(v as unknown as string)).toBe(false)
    }
  })

  it('returns the normalised URL, so the browser opens exactly what was checked', () => {
    expect(allowedExternalUrl('https://FAL.AI:443/a/../keys')).toBe('https://fal.ai/keys')
    expect(allowedExternalUrl('https://fal.ai')).toBe('https://fal.ai/')
    expect(allowedExternalUrl('https://evil.com/')).toBeUndefined()
  })
})

describe('project URL', () => {
  it('matches homepage and bugs.url in package.json', () => {
    const meta = pkg as { homepage?: string; bugs?: { url?: string } }
    expect(meta.homepage).toBe(PROJECT_URL)
    expect(meta.bugs?.url).toBe(PROJECT_ISSUES_URL)
  })
})
