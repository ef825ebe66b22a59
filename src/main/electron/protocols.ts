import path from 'node:path'
import type { Protocol } from 'electron'
import type { FileAccess } from '../access/file-access'
import { serveMedia, serveStatic } from '../protocol/serve-file'
import { APP_HOST, APP_SCHEME, MEDIA_SCHEME, contentSecurityPolicy } from '../../shared/csp'

/** Must run before `app.ready`: lets `<video>` stream and seek on our schemes. */
export const PRIVILEGED_SCHEMES = [
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  {
    scheme: MEDIA_SCHEME,
    privileges: { standard: true, secure: true, stream: true, supportFetchAPI: true },
  },
]

export const APP_BASE_URL = `${APP_SCHEME}://${APP_HOST}/`

/**
 * `app://reanimate/` serves the built renderer (not file://, so 'self' in the CSP means our pages
 * only); `reanimate-media://file/<path>` streams allow-listed local media with Range support.
 */
export function registerProtocols(
  protocol: Protocol,
  rendererDir: string,
  access: FileAccess,
): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url)
    if (url.host !== APP_HOST) return new Response('Not found', { status: 404 })
    const response = await serveStatic(path.resolve(rendererDir), url.pathname, request)
    response.headers.set('content-security-policy', contentSecurityPolicy('production'))
    response.headers.set('x-content-type-options', 'nosniff')
    return response
  })
  protocol.handle(MEDIA_SCHEME, async (request) => {
    const url = new URL(request.url)
    if (url.host !== 'file') return new Response('Not found', { status: 404 })
    const response = await serveMedia(access, url.pathname.replace(/^\//, ''), request)
    // Media is inert: a granted file that happens to be HTML or SVG cannot run script here.
    response.headers.set('content-security-policy', 'sandbox')
    response.headers.set('x-content-type-options', 'nosniff')
    return response
  })
}
