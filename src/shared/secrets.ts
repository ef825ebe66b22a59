/** What the renderer may learn about the fal key: whether one is usable and where it comes from. Never the key. */
export interface KeyStatus {
  /** `stored`: encrypted in the app's data folder; `env`: FAL_KEY; `none`: rendering will ask for one. */
  source: 'stored' | 'env' | 'none'
  /** False when the OS offers no encryption (e.g. Linux without a keyring): the key cannot be saved. */
  canStore: boolean
  /** Where a stored key lives: the OS-encrypted file, or (WebSocket bridge, tests) process memory only. */
  storage: 'os' | 'memory'
  /** A fal proxy is configured (setting or FAL_PROXY_URL): it may hold the key, so rendering works without one. */
  proxy: boolean
  /** Where the user gets a key. */
  helpUrl: string
}

export const FAL_KEYS_URL = 'https://fal.ai/dashboard/keys'
