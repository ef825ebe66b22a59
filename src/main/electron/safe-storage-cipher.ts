import type { SafeStorage } from 'electron'
import type { Cipher } from '../settings/secret-store'

/**
 * Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet) as the secret store's cipher. On
 * Linux without a keyring it falls back to a hard-coded password ("basic_text"): we treat that as
 * unavailable rather than pretend the key is protected. Availability stays the sync check: the
 * secret store's `canStore` is synchronous, and the backend name it needs is the sync API's.
 */
export function safeStorageCipher(safeStorage: SafeStorage, platform = process.platform): Cipher {
  return {
    isAvailable: () => {
      if (!safeStorage.isEncryptionAvailable()) return false
      if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text')
        return false
      return true
    },
    // The async methods (Electron 45 deprecates the sync ones); they read what the sync ones wrote.
    encrypt: (plain) => safeStorage.encryptStringAsync(plain),
    decrypt: async (data) => {
      const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(data)
      return { text: result, stale: shouldReEncrypt }
    },
  }
}
