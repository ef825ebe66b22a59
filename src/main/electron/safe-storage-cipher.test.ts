import type { SafeStorage } from 'electron'
import { describe, expect, it } from 'vitest'
import { safeStorageCipher } from './safe-storage-cipher'

/** Stands in for Electron's safeStorage; "encrypts" by reversing bytes so delegation is observable. */
function fakeSafeStorage(available: boolean, backend: string, rotated = false) {
  const calls: string[] = []
  const fake = {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptStringAsync: async (plain: string) => {
      calls.push(`encrypt:${plain}`)
      return Buffer.from(plain, 'utf8').reverse()
    },
    decryptStringAsync: async (data: Buffer) => {
      calls.push('decrypt')
      return { result: Buffer.from(data).reverse().toString('utf8'), shouldReEncrypt: rotated }
    },
    // The sync methods Electron 45 deprecates: never to be called.
    encryptString: () => {
      throw new Error('deprecated encryptString called')
    },
    decryptString: () => {
      throw new Error('deprecated decryptString called')
    },
  }
  return { safeStorage: fake as unknown as SafeStorage, calls }
}

describe('safeStorageCipher', () => {
  it('is unavailable on Linux with the basic_text backend (hard-coded password)', () => {
    const { safeStorage } = fakeSafeStorage(true, 'basic_text')
    expect(safeStorageCipher(safeStorage, 'linux').isAvailable()).toBe(false)
  })

  it.each([['gnome_libsecret'], ['kwallet5'], ['kwallet6']])(
    'is available on Linux with the %s backend',
    (backend) => {
      const { safeStorage } = fakeSafeStorage(true, backend)
      expect(safeStorageCipher(safeStorage, 'linux').isAvailable()).toBe(true)
    },
  )

  it.each([['darwin'], ['win32']] as const)(
    'is available on %s whenever Electron says so',
    (platform) => {
      // getSelectedStorageBackend is Linux-only; its answer elsewhere must not matter.
      const { safeStorage } = fakeSafeStorage(true, 'basic_text')
      expect(safeStorageCipher(safeStorage, platform).isAvailable()).toBe(true)
    },
  )

  it.each([['linux'], ['darwin'], ['win32']] as const)(
    'is unavailable on %s when Electron has no encryption',
    (platform) => {
      const { safeStorage } = fakeSafeStorage(false, 'gnome_libsecret')
      expect(safeStorageCipher(safeStorage, platform).isAvailable()).toBe(false)
    },
  )

  it('asks Electron every time rather than caching', () => {
    let available = false
    const fake = {
      isEncryptionAvailable: () => available,
      getSelectedStorageBackend: () => 'gnome_libsecret',
    }
    const cipher = safeStorageCipher(fake as unknown as SafeStorage, 'linux')
    expect(cipher.isAvailable()).toBe(false)
    available = true
    expect(cipher.isAvailable()).toBe(true)
  })

  it("delegates encrypt and decrypt to safeStorage's async methods", async () => {
    const { safeStorage, calls } = fakeSafeStorage(true, 'gnome_libsecret')
    const cipher = safeStorageCipher(safeStorage, 'linux')
    const encrypted = await cipher.encrypt('sk-secret-value')
    expect(encrypted.equals(Buffer.from('sk-secret-value').reverse())).toBe(true)
    expect(await cipher.decrypt(encrypted)).toEqual({ text: 'sk-secret-value', stale: false })
    expect(calls).toEqual(['encrypt:sk-secret-value', 'decrypt'])
  })

  it('says when safeStorage wants the secret encrypted afresh', async () => {
    const { safeStorage } = fakeSafeStorage(true, 'gnome_libsecret', true)
    const cipher = safeStorageCipher(safeStorage, 'linux')
    expect(await cipher.decrypt(await cipher.encrypt('k'))).toEqual({ text: 'k', stale: true })
  })
})
