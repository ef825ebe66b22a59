/**
 * The only links the app hands to the user's browser (shell.openExternal): fal.ai and its
 * subdomains (keys, billing, docs) and the project's own pages. Defined once; the main process's
 * window-open handler (src/main/electron/guard.ts) asks this module and nothing else.
 */

/** The project's home page. Kept equal to `homepage` in package.json (a test checks it). */
export const PROJECT_URL = 'https://github.com/reanimate-app/reanimate'
/** Where users report problems. Kept equal to `bugs.url` in package.json (a test checks it). */
export const PROJECT_ISSUES_URL = `${PROJECT_URL}/issues`

const PROJECT = new URL(PROJECT_URL)

/** `fal.ai` or `<label>.…fal.ai`, every label a plain LDH label (lowercase after URL parsing). */
const FAL_HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*fal\.ai$/

/**
 * The URL to open in the browser, normalised by the WHATWG parser, or undefined when it is not
 * allow-listed. Open the returned string, not the input: the browser then gets exactly what was
 * checked. Refused: any scheme but https, user info (`https://fal.ai@evil.com`), a port other than
 * 443, any host but fal.ai, its subdomains and the project's pages, and input that is not plain
 * printable ASCII or holds a backslash (Unicode look-alikes; characters parsers disagree about).
 */
export function allowedExternalUrl(url: string): string | undefined {
  // Printable ASCII only: our links never need more, and it rules out look-alike Unicode hosts.
  if (
    typeof url !== 'string' ||
    url.length > 2048 ||
    !/^[\x21-\x7e]+$/.test(url) ||
    url.includes('\\')
  ) {
    return undefined
  }
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return undefined
  }
  if (u.protocol !== 'https:' || u.username !== '' || u.password !== '' || u.port !== '') {
    return undefined
  }
  const host = u.hostname
  if (FAL_HOST.test(host)) return u.href
  if (
    host === PROJECT.hostname &&
    (u.pathname === PROJECT.pathname || u.pathname.startsWith(`${PROJECT.pathname}/`))
  ) {
    return u.href
  }
  return undefined
}

/** May this link be opened in the user's browser? See {@link allowedExternalUrl}. */
export function isAllowedExternalUrl(url: string): boolean {
  return allowedExternalUrl(url) !== undefined
}
