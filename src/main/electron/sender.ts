/**
 * Is this frame URL our own page? The built app is served from `app://reanimate/`, the dev build
 * from the electron-vite dev server. Compared on scheme and host, because WHATWG `URL.origin` is
 * "null" for custom schemes.
 */
export function isTrustedUrl(frameUrl: string | undefined, trustedBase: string): boolean {
  if (!frameUrl) return false
  try {
    const a = new URL(frameUrl)
    const b = new URL(trustedBase)
    return a.protocol === b.protocol && a.host === b.host
  } catch {
    return false
  }
}

export interface SenderLike {
  senderFrame: { url: string; parent: unknown } | null
  sender: { id: number }
}

/** Only our window's top frame, showing our page, may call services. */
export function isTrustedSender(
  event: SenderLike,
  trustedBase: string,
  windowIds: ReadonlySet<number>,
): boolean {
  const frame = event.senderFrame
  if (!frame || frame.parent !== null) return false
  if (!windowIds.has(event.sender.id)) return false
  return isTrustedUrl(frame.url, trustedBase)
}
