/** What the renderer may learn about the fal key: whether one is usable and where it comes from. Never the key. */
export interface KeyStatus {
  /** `stored`: encrypted in the app's data folder; `env`: FAL_KEY; `none`: rendering will ask for one. */
  source: 'stored' | 'env' | 'none'
  /** False when the OS offers no encryption (e.g. Linux without a keyring): the key cannot be saved. */
  canStore: boolean
  /** Where the user gets a key. */
  helpUrl: string
}

export const FAL_KEYS_URL = 'https://fal.ai/dashboard/keys'
