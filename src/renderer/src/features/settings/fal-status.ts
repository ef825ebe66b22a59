import type { KeyStatus } from '@shared/secrets'
import type { Settings } from '@shared/settings'

export interface FalStatus {
  /** Rendering can reach fal: with a key, or through a proxy. */
  ready: boolean
  /** The top bar badge's words. */
  badge: string
  /** Settings' sentence: what renders use now, and what to do when they cannot. */
  text: string
}

/**
 * How renders reach fal, in one place, so the top bar badge and Settings say the same thing: a
 * key, a proxy (which may add its own key), or neither.
 */
export function falStatus(key: KeyStatus, proxy: Settings['falProxy'] | undefined): FalStatus {
  const hasKey = key.source !== 'none'
  const where = proxy ? ` through ${hostOf(proxy.url)}` : ''
  if (key.proxy && !hasKey)
    return {
      ready: true,
      badge: 'Using your fal proxy',
      text: proxy
        ? `Renders go${where}, which adds its own fal key. No fal key is needed here.`
        : 'Renders go through the proxy set in FAL_PROXY_URL, which adds its own fal key. No fal key is needed here.',
    }
  if (hasKey) {
    const from =
      key.source === 'env'
        ? 'the FAL_KEY environment variable'
        : key.storage === 'memory'
          ? 'the fal key set for this session (not written to disk)'
          : 'your saved fal key, encrypted by your system'
    const keyGoes = key.proxy && proxy && !proxy.sendKey ? ' (the key stays here)' : ''
    return {
      ready: true,
      badge: 'fal key ready',
      text: `Renders use ${from}${where}${keyGoes}.`,
    }
  }
  return {
    ready: false,
    badge: 'Add a fal key to render',
    text: 'No fal key and no proxy yet: rendering needs one. Paste a fal key below, or set a fal proxy.',
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}
