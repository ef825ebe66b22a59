import { FAL_KEYS_URL, type KeyStatus } from '../../shared/secrets'
import type { SecretStore } from './secret-store'

const FAL_KEY = 'fal-key'

/**
 * The fal key's only owner. `status` is all the renderer ever learns; `resolve` is for the fal
 * client factory in main and is deliberately not part of the contract.
 */
export class KeyService {
  constructor(
    private readonly store: SecretStore,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly proxyConfigured: () => boolean = () => Boolean(env.FAL_PROXY_URL),
  ) {}

  async status(): Promise<KeyStatus> {
    const stored = await this.store.get(FAL_KEY)
    const source = stored ? 'stored' : this.env.FAL_KEY ? 'env' : 'none'
    return {
      source,
      canStore: this.store.canStore,
      storage: this.store.storage,
      proxy: this.proxyConfigured(),
      helpUrl: FAL_KEYS_URL,
    }
  }

  async set(key: string): Promise<KeyStatus> {
    await this.store.set(FAL_KEY, key)
    return this.status()
  }

  async clear(): Promise<KeyStatus> {
    await this.store.delete(FAL_KEY)
    return this.status()
  }

  /** The stored key, else FAL_KEY, else undefined (a proxy may hold the key). */
  async resolve(): Promise<string | undefined> {
    return (await this.store.get(FAL_KEY)) ?? (this.env.FAL_KEY || undefined)
  }
}
