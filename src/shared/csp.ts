/**
 * The renderer's Content-Security-Policy, one definition for the built page (meta tag and the
 * `app://` response header). No remote code, no eval, no inline script; media only from the app's
 * own origin (the WebSocket bridge) or the allow-listed `reanimate-media:` protocol.
 */
export const MEDIA_SCHEME = 'reanimate-media'
export const APP_SCHEME = 'app'
export const APP_HOST = 'reanimate'

export function contentSecurityPolicy(mode: 'production' | 'development'): string {
  const dev = mode === 'development'
  const directives: Record<string, string> = {
    'default-src': "'self'",
    // Vite's dev server injects the React refresh preamble inline; the built app has none.
    'script-src': dev ? "'self' 'unsafe-inline'" : "'self'",
    'style-src': dev ? "'self' 'unsafe-inline'" : "'self'",
    'img-src': `'self' data: blob: ${MEDIA_SCHEME}:`,
    'media-src': `'self' blob: ${MEDIA_SCHEME}:`,
    'connect-src': dev ? "'self' ws://localhost:* ws://127.0.0.1:*" : "'self'",
    'font-src': "'self'",
    'object-src': "'none'",
    'base-uri': "'none'",
    'form-action': "'none'",
    'frame-src': "'none'",
    'worker-src': "'self' blob:",
  }
  return Object.entries(directives)
    .map(([k, v]) => `${k} ${v}`)
    .join('; ')
}
