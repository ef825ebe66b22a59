import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EncryptedFileSecretStore, MemorySecretStore, type Cipher } from './secret-store'
import { AppError } from '../../shared/errors'

/** AES-256-GCM with a per-instance key: decrypting with another instance's key fails, like another OS account. */
class TestCipher implements Cipher {
  available = true
  encryptCalls = 0
  private readonly key = crypto.randomBytes(32)

  isAvailable(): boolean {
    return this.available
  }

  async encrypt(plain: string): Promise<Buffer> {
    this.encryptCalls++
    const iv = crypto.randomBytes(12)
    const c = crypto.createCipheriv('aes-256-gcm', this.key, iv)
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()])
    return Buffer.concat([iv, c.getAuthTag(), body])
  }

  async decrypt(data: Buffer): Promise<{ text: string }> {
    const d = crypto.createDecipheriv('aes-256-gcm', this.key, data.subarray(0, 12))
    d.setAuthTag(data.subarray(12, 28))
    return { text: Buffer.concat([d.update(data.subarray(28)), d.final()]).toString('utf8') }
  }
}

const SECRET = 'sk-test-PLAINTEXT-abcdef-123456'

let root: string
let counter = 0

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-secrets-'))
})

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true })
})

function freshDir(): string {
  return path.join(root, `case-${++counter}`, 'secrets')
}

/** Every byte under `dir`, so a test can assert the plaintext is nowhere, in any encoding we might use. */
async function allBytesUnder(dir: string): Promise<Buffer> {
  const parts: Buffer[] = []
  const walk = async (d: string): Promise<void> => {
    for (const entry of await fs.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name)
      if (entry.isDirectory()) await walk(p)
      else parts.push(await fs.readFile(p))
    }
  }
  await walk(dir)
  return Buffer.concat(parts)
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (err) {
    if (err instanceof AppError) return err
    throw err
  }
  throw new Error('expected a rejection')
}

describe('EncryptedFileSecretStore', () => {
  it('returns what was set, and never writes the plaintext to disk', async () => {
    const dir = freshDir()
    const cipher = new TestCipher()
    const store = new EncryptedFileSecretStore(dir, cipher)
    await store.set('fal-key', SECRET)
    expect(await store.get('fal-key')).toBe(SECRET)
    expect(cipher.encryptCalls).toBe(1)

    const files = await fs.readdir(dir)
    expect(files).toEqual(['fal-key.bin'])
    const bytes = await allBytesUnder(path.join(dir, '..'))
    expect(bytes.length).toBeGreaterThan(0)
    expect(bytes.includes(Buffer.from(SECRET, 'utf8'))).toBe(false)
    expect(bytes.includes(Buffer.from(SECRET, 'utf16le'))).toBe(false)
    expect(bytes.toString('latin1')).not.toContain(Buffer.from(SECRET).toString('base64'))
  })

  it('reads the secret back from a new instance with the same cipher', async () => {
    const dir = freshDir()
    const cipher = new TestCipher()
    await new EncryptedFileSecretStore(dir, cipher).set('fal-key', SECRET)
    expect(await new EncryptedFileSecretStore(dir, cipher).get('fal-key')).toBe(SECRET)
  })

  it('overwrites a secret and leaves no temp files behind', async () => {
    const dir = freshDir()
    const store = new EncryptedFileSecretStore(dir, new TestCipher())
    await store.set('fal-key', 'first-value-1234')
    await store.set('fal-key', 'second-value-5678')
    expect(await store.get('fal-key')).toBe('second-value-5678')
    expect(await fs.readdir(dir)).toEqual(['fal-key.bin'])
  })

  it('keeps secrets apart by name', async () => {
    const dir = freshDir()
    const store = new EncryptedFileSecretStore(dir, new TestCipher())
    await store.set('fal-key', 'aaa-value')
    await store.set('other-key', 'bbb-value')
    expect(await store.get('fal-key')).toBe('aaa-value')
    expect(await store.get('other-key')).toBe('bbb-value')
  })

  it('restricts the file and folder to the owner', async () => {
    if (process.platform === 'win32') return
    const dir = freshDir()
    await new EncryptedFileSecretStore(dir, new TestCipher()).set('fal-key', SECRET)
    expect((await fs.stat(path.join(dir, 'fal-key.bin'))).mode & 0o077).toBe(0)
    expect((await fs.stat(dir)).mode & 0o077).toBe(0)
  })

  it('returns undefined for a secret never set (and for a folder that does not exist yet)', async () => {
    const store = new EncryptedFileSecretStore(freshDir(), new TestCipher())
    expect(await store.get('fal-key')).toBeUndefined()
  })

  it('delete removes the secret from memory and disk; deleting twice is fine', async () => {
    const dir = freshDir()
    const store = new EncryptedFileSecretStore(dir, new TestCipher())
    await store.set('fal-key', SECRET)
    await store.delete('fal-key')
    expect(await store.get('fal-key')).toBeUndefined()
    expect(await fs.readdir(dir)).toEqual([])
    await expect(store.delete('fal-key')).resolves.toBeUndefined()
  })

  it('when the cipher is unavailable: canStore is false, set throws secret-storage-unavailable and writes nothing', async () => {
    const dir = freshDir()
    const cipher = new TestCipher()
    cipher.available = false
    const store = new EncryptedFileSecretStore(dir, cipher)
    expect(store.canStore).toBe(false)
    const error = await rejection(store.set('fal-key', SECRET))
    expect(error.code).toBe('secret-storage-unavailable')
    expect(error.message).toContain('FAL_KEY')
    expect(error.message).not.toContain(SECRET)
    expect(cipher.encryptCalls).toBe(0)
    await expect(fs.stat(dir)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('canStore follows the cipher; storage is the OS', () => {
    const cipher = new TestCipher()
    const store = new EncryptedFileSecretStore(freshDir(), cipher)
    expect(store.storage).toBe('os')
    expect(store.canStore).toBe(true)
    cipher.available = false
    expect(store.canStore).toBe(false)
  })

  it('reads as undefined once the cipher becomes unavailable', async () => {
    const dir = freshDir()
    const cipher = new TestCipher()
    const store = new EncryptedFileSecretStore(dir, cipher)
    await store.set('fal-key', SECRET)
    cipher.available = false
    expect(await store.get('fal-key')).toBeUndefined()
  })

  it('rewrites a secret the platform says is under a replaced key, and still returns it', async () => {
    const dir = freshDir()
    const cipher = new TestCipher()
    const store = new EncryptedFileSecretStore(dir, cipher)
    await store.set('fal-key', SECRET)
    expect(cipher.encryptCalls).toBe(1)
    const decrypt = cipher.decrypt.bind(cipher)
    cipher.decrypt = async (data) => ({ ...(await decrypt(data)), stale: true })
    expect(await store.get('fal-key')).toBe(SECRET)
    expect(cipher.encryptCalls).toBe(2)
  })

  it('a file that fails to decrypt (other key, or corrupted) reads as undefined', async () => {
    const dir = freshDir()
    await new EncryptedFileSecretStore(dir, new TestCipher()).set('fal-key', SECRET)
    // Encrypted under "another OS account": a different key.
    expect(await new EncryptedFileSecretStore(dir, new TestCipher()).get('fal-key')).toBeUndefined()

    const cipher = new TestCipher()
    const store = new EncryptedFileSecretStore(dir, cipher)
    await store.set('fal-key', SECRET)
    const file = path.join(dir, 'fal-key.bin')
    const data = await fs.readFile(file)
    data[data.length - 1] = (data[data.length - 1] ?? 0) ^ 0xff
    await fs.writeFile(file, data)
    expect(await store.get('fal-key')).toBeUndefined()

    await fs.writeFile(file, Buffer.alloc(0))
    expect(await store.get('fal-key')).toBeUndefined()
  })

  it.each([['../escape'], ['a/b'], ['FAL-KEY'], ['fal.key'], [''], ['fal key'], ['..']])(
    'rejects the invalid secret name %j for set and delete, and get never reads outside the folder',
    async (name) => {
      const dir = freshDir()
      const cipher = new TestCipher()
      const store = new EncryptedFileSecretStore(dir, cipher)
      // A readable, decryptable file where a traversal would land.
      await fs.mkdir(dir, { recursive: true })
      await fs
        .writeFile(path.join(dir, `${name}.bin`), await cipher.encrypt('odd-name-secret'))
        .catch(() => undefined)
      await fs.writeFile(path.join(dir, '..', 'escape.bin'), await cipher.encrypt('outside-secret'))

      await expect(store.set(name, 'value-1234')).rejects.toBeInstanceOf(AppError)
      await expect(store.delete(name)).rejects.toBeInstanceOf(AppError)
      expect(await store.get(name)).toBeUndefined()
      // Nothing was written or removed outside the folder.
      expect(await cipher.decrypt(await fs.readFile(path.join(dir, '..', 'escape.bin')))).toEqual({
        text: 'outside-secret',
      })
    },
  )
})

describe('MemorySecretStore', () => {
  it('sets, gets and deletes without touching disk', async () => {
    const store = new MemorySecretStore()
    expect(store.canStore).toBe(true)
    expect(store.storage).toBe('memory')
    expect(await store.get('fal-key')).toBeUndefined()
    await store.set('fal-key', SECRET)
    expect(await store.get('fal-key')).toBe(SECRET)
    await store.set('fal-key', 'replaced-value')
    expect(await store.get('fal-key')).toBe('replaced-value')
    await store.delete('fal-key')
    expect(await store.get('fal-key')).toBeUndefined()
  })

  it('separate instances share nothing', async () => {
    const a = new MemorySecretStore()
    const b = new MemorySecretStore()
    await a.set('fal-key', SECRET)
    expect(await b.get('fal-key')).toBeUndefined()
  })
})
