import { createFalClient, type FalClient } from '@fal-ai/client'
import { AppError } from '../../shared/errors'

export interface FalConnection {
  /** The key, or undefined when a proxy holds it. */
  key: string | undefined
  /** fal server proxy (fal-js `libs/proxy` contract); null = fal directly. */
  proxyUrl: string | null
}

/**
 * A fal client for one connection. Credentials go through a resolver so the client never falls
 * back to reading FAL_KEY itself (which key is used is decided in one place, KeyService). The proxy
 * uses the object form with `when: 'always'`: the string form is silently ignored outside browsers.
 */
export function createFal(conn: FalConnection, fetchImpl?: typeof fetch): FalClient {
  if (!conn.key && !conn.proxyUrl) {
    throw new AppError(
      'key-missing',
      'No fal key. Add one in Settings (or set FAL_KEY); get a key at https://fal.ai/dashboard/keys.',
      { field: 'key' },
    )
  }
  const key = conn.key
  return createFalClient({
    credentials: () => key,
    suppressLocalCredentialsWarning: true,
    ...(conn.proxyUrl ? { proxyUrl: { url: conn.proxyUrl, when: 'always' as const } } : {}),
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  })
}
