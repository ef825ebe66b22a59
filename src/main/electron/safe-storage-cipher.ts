import type { SafeStorage } from 'electron'
import type { Cipher } from '../settings/secret-store'

/**
 * Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet) as the secret store's cipher. On
 * Linux without a keyring it falls back to a hard-coded password ("basic_text"): we treat that as
 * unavailable rather than pretend the key is protected.
 */
export function safeStorageCipher(safeStorage: SafeStorage, platform = process.platform): Cipher {
  return {
    isAvailable: () => {
      if (!safeStorage.isEncryptionAvailable()) return false
      if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text')
        return false
      return true
    },
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (data) => safeStorage.decryptString(data),
  }
}
