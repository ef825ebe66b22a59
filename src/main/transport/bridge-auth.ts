import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

/**
 * The local server's gate, kept pure: a random per-launch token, handed over once in the address
 * (`?token=`) and then carried by an HttpOnly cookie; the Host header must name the bound address
 * exactly (no DNS rebinding); the socket also needs our own Origin.
 */
export interface Gate {
  /** `127.0.0.1:<port>`, exactly as a browser sends it in Host. */
  hostPort: string
  /** `http://127.0.0.1:<port>` */
  origin: string
  token: string
  cookieName: string
}

export type Verdict =
  | { kind: 'allow' }
  | { kind: 'redirect'; location: string; setCookie: string }
  | { kind: 'forbid'; message: string }

const HINT = 'Open the address reanimate printed, with its token.'

export function newToken(): string {
  return randomBytes(32).toString('base64url')
}

/** Constant-time comparison; a value of another length (or none) never matches. */
export function tokenMatches(candidate: string | null | undefined, token: string): boolean {
  if (typeof candidate !== 'string') return false
  const a = Buffer.from(candidate)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** `host:port` as it appears in a Host header; IPv6 literals go in brackets. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

/** Cookies ignore ports, so each bridge names its own and two on one machine do not collide. */
export function cookieNameFor(port: number): string {
  return `reanimate_token_${port}`
}

export function sessionCookie(name: string, token: string): string {
  return `${name}=${token}; HttpOnly; SameSite=Strict; Path=/`
}

/** Every value of cookie `name` in a Cookie header (another local server may have added one). */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return []
  const values: string[] = []
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue
    values.push(part.slice(eq + 1).trim())
  }
  return values
}

function hasCookie(gate: Gate, headers: IncomingHttpHeaders): boolean {
  return cookieValues(headers.cookie, gate.cookieName).some((v) => tokenMatches(v, gate.token))
}

function forbid(why: string): { kind: 'forbid'; message: string } {
  return { kind: 'forbid', message: `Forbidden: ${why}. ${HINT}\n` }
}

/**
 * Exactly one Host header, ours. Node keeps the first of several, so a second one is refused
 * rather than guessed at; `rawHeaders` (name, value, name, value…) shows them all.
 */
function hostIsOurs(gate: Gate, headers: IncomingHttpHeaders, rawHeaders?: string[]): boolean {
  if (rawHeaders) {
    const hosts = rawHeaders.filter((v, i) => i % 2 === 0 && v.toLowerCase() === 'host')
    if (hosts.length !== 1) return false
  }
  return headers.host === gate.hostPort
}

/**
 * Any HTTP request: the right Host, then either the token in the query (answered with the cookie
 * and a redirect that drops it from the address bar) or the cookie.
 */
export function checkRequest(
  gate: Gate,
  req: { url?: string; headers: IncomingHttpHeaders; rawHeaders?: string[] },
): Verdict {
  if (!hostIsOurs(gate, req.headers, req.rawHeaders))
    return forbid(`this server answers only to ${gate.hostPort}`)
  // Origin-form only (`/path`): an absolute target names a host of its own.
  if (!(req.url ?? '/').startsWith('/')) return forbid('bad address')
  let url: URL
  try {
    url = new URL(req.url ?? '/', gate.origin)
  } catch {
    return forbid('bad address')
  }
  if (url.searchParams.has('token')) {
    if (!tokenMatches(url.searchParams.get('token'), gate.token)) return forbid('wrong token')
    url.searchParams.delete('token')
    return {
      kind: 'redirect',
      // Always our own origin: a path like `//elsewhere` must not become an open redirect.
      location: `${gate.origin}${url.pathname}${url.search}`,
      setCookie: sessionCookie(gate.cookieName, gate.token),
    }
  }
  return hasCookie(gate, req.headers) ? { kind: 'allow' } : forbid('missing or wrong token')
}

/** The `/ws` upgrade: the right Host, our own Origin, and the cookie (never a token in the URL). */
export function checkUpgrade(
  gate: Gate,
  req: { url?: string; headers: IncomingHttpHeaders; rawHeaders?: string[] },
): Exclude<Verdict, { kind: 'redirect' }> {
  if (!hostIsOurs(gate, req.headers, req.rawHeaders))
    return forbid(`this server answers only to ${gate.hostPort}`)
  if (req.url !== '/ws') return forbid('the socket is at /ws')
  // A page from anywhere else (another site, another port) must not drive the services.
  if (req.headers.origin !== gate.origin) return forbid('the socket is only for the page it serves')
  return hasCookie(gate, req.headers) ? { kind: 'allow' } : forbid('missing or wrong token')
}
