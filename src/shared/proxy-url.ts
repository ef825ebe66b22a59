/** Loopback hosts: plain http to these never leaves the computer. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h)
}

/**
 * Why a fal proxy address cannot be used, in the user's words; null when it can. https anywhere;
 * plain http only on this computer, because the proxy may carry the fal key and the clips.
 */
export function proxyUrlProblem(raw: string): string | null {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'is not a web address. Use one that starts with https://'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return 'is not a web address. Use one that starts with https://'
  if (url.username || url.password) return 'must not contain a user name or password'
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
    return `plain http is only allowed on this computer (localhost, 127.0.0.1). Use https://${url.host}${url.pathname}`
  return null
}
