import { describe, expect, it } from 'vitest'
import { KeyService } from './key-service'
import { MemorySecretStore, type SecretStore } from './secret-store'
import { FAL_KEYS_URL } from '../../shared/secrets'

const STORED = 'stored-key-1234567890'
const FROM_ENV = 'env-key-0987654321'

/** A store that cannot persist (Linux without a keyring). */
class NoStorage implements SecretStore {
  readonly canStore = false
  readonly storage = 'os'
  async get(): Promise<string | undefined> {
    return undefined
  }
  async set(): Promise<void> {
    throw new Error('cannot store')
  }
  async delete(): Promise<void> {}
}

describe('KeyService', () => {
  it('reports none when there is neither a stored key nor FAL_KEY', async () => {
    const keys = new KeyService(new MemorySecretStore(), {})
    expect(await keys.status()).toEqual({
      source: 'none',
      canStore: true,
      storage: 'memory',
      proxy: false,
      helpUrl: FAL_KEYS_URL,
    })
    expect(await keys.resolve()).toBeUndefined()
  })

  it('treats an empty FAL_KEY as absent', async () => {
    const keys = new KeyService(new MemorySecretStore(), { FAL_KEY: '' })
    expect((await keys.status()).source).toBe('none')
    expect(await keys.resolve()).toBeUndefined()
  })

  it('reports env when only FAL_KEY is set, and resolves to it', async () => {
    const keys = new KeyService(new MemorySecretStore(), { FAL_KEY: FROM_ENV })
    expect((await keys.status()).source).toBe('env')
    expect(await keys.resolve()).toBe(FROM_ENV)
  })

  it('prefers the stored key over FAL_KEY in status and resolve', async () => {
    const keys = new KeyService(new MemorySecretStore(), { FAL_KEY: FROM_ENV })
    const status = await keys.set(STORED)
    expect(status.source).toBe('stored')
    expect(await keys.status()).toEqual(status)
    expect(await keys.resolve()).toBe(STORED)
  })

  it('reports stored without any env', async () => {
    const keys = new KeyService(new MemorySecretStore(), {})
    expect((await keys.set(STORED)).source).toBe('stored')
    expect(await keys.resolve()).toBe(STORED)
  })

  it('clear falls back to FAL_KEY', async () => {
    const keys = new KeyService(new MemorySecretStore(), { FAL_KEY: FROM_ENV })
    await keys.set(STORED)
    const status = await keys.clear()
    expect(status.source).toBe('env')
    expect(await keys.resolve()).toBe(FROM_ENV)
  })

  it('clear without FAL_KEY leaves no key at all', async () => {
    const keys = new KeyService(new MemorySecretStore(), {})
    await keys.set(STORED)
    expect((await keys.clear()).source).toBe('none')
    expect(await keys.resolve()).toBeUndefined()
  })

  it('stores the key under a name the file store accepts, and in the store it was given', async () => {
    const store = new MemorySecretStore()
    await new KeyService(store, {}).set(STORED)
    expect(await store.get('fal-key')).toBe(STORED)
    // A second service over the same store sees it.
    expect(await new KeyService(store, {}).resolve()).toBe(STORED)
  })

  it('never puts the key in its status', async () => {
    const keys = new KeyService(new MemorySecretStore(), { FAL_KEY: FROM_ENV })
    const statuses = [
      await keys.status(),
      await keys.set(STORED),
      await keys.status(),
      await keys.clear(),
    ]
    for (const s of statuses) {
      const json = JSON.stringify(s)
      expect(json).not.toContain(STORED)
      expect(json).not.toContain(FROM_ENV)
      expect(Object.keys(s).sort()).toEqual(['canStore', 'helpUrl', 'proxy', 'source', 'storage'])
    }
  })

  it('reports canStore and storage from the store', async () => {
    const keys = new KeyService(new NoStorage(), { FAL_KEY: FROM_ENV })
    expect(await keys.status()).toEqual({
      source: 'env',
      canStore: false,
      storage: 'os',
      proxy: false,
      helpUrl: FAL_KEYS_URL,
    })
    await expect(keys.set(STORED)).rejects.toThrow('cannot store')
  })

  it('reads the env it was given, not process.env', async () => {
    const previous = process.env.FAL_KEY
    process.env.FAL_KEY = 'process-env-key-123'
    try {
      const keys = new KeyService(new MemorySecretStore(), {})
      expect((await keys.status()).source).toBe('none')
      expect(await keys.resolve()).toBeUndefined()
    } finally {
      if (previous === undefined) delete process.env.FAL_KEY
      else process.env.FAL_KEY = previous
    }
  })
})

describe('KeyService proxy', () => {
  it('says when a proxy may hold the key, so rendering needs none here', async () => {
    let proxy = false
    const keys = new KeyService(new MemorySecretStore(), {}, () => proxy)
    expect(await keys.status()).toMatchObject({ source: 'none', proxy: false })
    proxy = true
    expect(await keys.status()).toMatchObject({ source: 'none', proxy: true })
  })
})
