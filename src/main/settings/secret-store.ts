import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { AppError } from '../../shared/errors'

/** Encryption supplied by the platform (Electron's safeStorage in the app). */
export interface Cipher {
  isAvailable(): boolean
  encrypt(plain: string): Promise<Buffer>
  /** `stale`: readable, but under a key the platform has since replaced; the store rewrites it. */
  decrypt(data: Buffer): Promise<{ text: string; stale?: boolean }>
}

/** Holds secrets by name. Implementations never log values. */
export interface SecretStore {
  readonly canStore: boolean
  readonly storage: 'os' | 'memory'
  get(name: string): Promise<string | undefined>
  set(name: string, value: string): Promise<void>
  delete(name: string): Promise<void>
}

/** Secrets encrypted by a Cipher, one file each in `<dataDir>/secrets/`. Plain text never reaches disk. */
export class EncryptedFileSecretStore implements SecretStore {
  readonly storage = 'os'
  constructor(
    private readonly dir: string,
    private readonly cipher: Cipher,
  ) {}

  get canStore(): boolean {
    return this.cipher.isAvailable()
  }

  private file(name: string): string {
    if (!/^[a-z0-9-]+$/.test(name)) throw new AppError('internal', 'invalid secret name')
    return path.join(this.dir, `${name}.bin`)
  }

  async get(name: string): Promise<string | undefined> {
    let data: Buffer
    try {
      data = await fs.readFile(this.file(name))
    } catch {
      return undefined
    }
    if (!this.cipher.isAvailable()) return undefined
    let text: string
    let stale: boolean | undefined
    try {
      ;({ text, stale } = await this.cipher.decrypt(data))
    } catch {
      // Encrypted under another OS account or keyring: unusable, so treat it as absent.
      return undefined
    }
    // Best effort: the old ciphertext still reads, so failing to rewrite it loses nothing.
    if (stale) await this.set(name, text).catch(() => undefined)
    return text
  }

  async set(name: string, value: string): Promise<void> {
    if (!this.cipher.isAvailable()) {
      throw new AppError(
        'secret-storage-unavailable',
        'This system offers no secure storage for the fal key (no OS keychain or keyring). Set the FAL_KEY environment variable instead.',
      )
    }
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 })
    const target = this.file(name)
    const tmp = `${target}.${process.pid}.${crypto.randomUUID()}.tmp`
    await fs.writeFile(tmp, await this.cipher.encrypt(value), { mode: 0o600 })
    await fs.rename(tmp, target)
  }

  async delete(name: string): Promise<void> {
    await fs.rm(this.file(name), { force: true })
  }
}

/** For the WebSocket bridge and tests: lives only as long as the process, never written anywhere. */
export class MemorySecretStore implements SecretStore {
  readonly canStore = true
  readonly storage = 'memory'
  private readonly values = new Map<string, string>()

  async get(name: string): Promise<string | undefined> {
    return this.values.get(name)
  }

  async set(name: string, value: string): Promise<void> {
    this.values.set(name, value)
  }

  async delete(name: string): Promise<void> {
    this.values.delete(name)
  }
}
