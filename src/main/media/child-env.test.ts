import { describe, expect, it } from 'vitest'
import { childEnv } from './child-env'

describe('childEnv', () => {
  const parent = {
    PATH: '/usr/bin',
    HOME: '/home/u',
    LANG: 'de_DE.UTF-8',
    LC_ALL: 'de_DE.UTF-8',
    TMPDIR: '/tmp/u',
    FAL_KEY: 'secret-key',
    FAL_KEY_ID: 'id',
    FAL_PROXY_URL: 'https://proxy.example',
    AWS_SECRET_ACCESS_KEY: 'aws',
    NODE_OPTIONS: '--require /tmp/evil.js',
    ELECTRON_RUN_AS_NODE: '1',
    Path: 'C:\\Windows',
    SystemRoot: 'C:\\Windows',
  }

  it('keeps what a program needs to start, its locale and temp folder', () => {
    expect(childEnv(parent)).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/u',
      LANG: 'de_DE.UTF-8',
      LC_ALL: 'de_DE.UTF-8',
      TMPDIR: '/tmp/u',
      Path: 'C:\\Windows',
      SystemRoot: 'C:\\Windows',
    })
  })

  it('never passes the fal key, other secrets or Node/Electron switches', () => {
    const names = Object.keys(childEnv(parent))
    for (const name of ['FAL_KEY', 'FAL_KEY_ID', 'FAL_PROXY_URL', 'AWS_SECRET_ACCESS_KEY'])
      expect(names).not.toContain(name)
    expect(names).not.toContain('NODE_OPTIONS')
    expect(names).not.toContain('ELECTRON_RUN_AS_NODE')
  })
})
