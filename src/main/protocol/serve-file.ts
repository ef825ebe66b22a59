import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import type { FileAccess } from '../access/file-access'

const TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.mkv': 'video/x-matroska',
  '.avi': 'video/x-msvideo',
  '.gif': 'image/gif',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
}

export function contentTypeOf(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/** `bytes=0-99` → {start, end} inclusive, clamped; null when absent; 'invalid' when unsatisfiable. */
export function parseRange(
  header: string | null,
  size: number,
): { start: number; end: number } | null | 'invalid' {
  if (!header) return null
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === '')) return 'invalid'
  let start: number
  let end: number
  if (m[1] === '') {
    // suffix range: the last N bytes
    const n = Number(m[2])
    if (n === 0) return 'invalid'
    start = Math.max(0, size - n)
    end = size - 1
  } else {
    start = Number(m[1])
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  }
  if (start >= size || start > end) return 'invalid'
  return { start, end }
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } })
}

/** Streams a file (whole or one byte range) as a web Response; the shared core of both media servers. */
export async function fileResponse(
  file: string,
  rangeHeader: string | null,
  method = 'GET',
): Promise<Response> {
  let handle: fs.promises.FileHandle
  try {
    handle = await fs.promises.open(file, 'r')
  } catch {
    return text(404, 'Not found')
  }
  return handleResponse(handle, file, rangeHeader, method)
}

/** Streams an open file; the handle is closed when the response is done with it. */
async function handleResponse(
  handle: fs.promises.FileHandle,
  name: string,
  rangeHeader: string | null,
  method: string,
): Promise<Response> {
  const st = await handle.stat().catch(() => null)
  if (!st?.isFile()) {
    await handle.close()
    return text(404, 'Not found')
  }
  const size = st.size
  const headers = new Headers({
    'content-type': contentTypeOf(name),
    'accept-ranges': 'bytes',
    'cache-control': 'no-cache',
  })
  const range = parseRange(rangeHeader, size)
  if (range === 'invalid') {
    await handle.close()
    headers.set('content-range', `bytes */${size}`)
    return new Response(null, { status: 416, headers })
  }
  const { start, end } = range ?? { start: 0, end: size - 1 }
  headers.set('content-length', String(size === 0 ? 0 : end - start + 1))
  if (range) headers.set('content-range', `bytes ${start}-${end}/${size}`)
  const status = range ? 206 : 200
  if (method === 'HEAD' || size === 0) {
    await handle.close()
    return new Response(null, { status, headers })
  }
  const stream = Readable.toWeb(
    handle.createReadStream({ start, end, autoClose: true }),
  ) as ReadableStream<Uint8Array>
  return new Response(stream, { status, headers })
}

/** Media URL paths carry the absolute file path, percent-encoded: `<base><encodeURIComponent(path)>`. */
export function mediaUrlFor(base: string, file: string): string {
  return base + encodeURIComponent(file)
}

/**
 * The local media endpoint behind `reanimate-media://` (app) and `/media/` (bridge): streams only
 * files on the allow-list, opened without following a link and checked to be the granted file; any
 * other path gets 403 without touching the disk.
 */
export async function serveMedia(
  access: FileAccess,
  encodedPath: string,
  request: Request,
): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Method not allowed')
  let file: string
  try {
    file = decodeURIComponent(encodedPath)
  } catch {
    return text(400, 'Bad path')
  }
  let handle: fs.promises.FileHandle | null
  try {
    handle = await access.open(file)
  } catch {
    return text(404, 'Not found')
  }
  if (!handle) return text(403, 'Forbidden: not a file opened in Reanimate')
  return handleResponse(handle, file, request.headers.get('range'), request.method)
}

/** Serves the built renderer from `root`; never outside it. */
export async function serveStatic(
  root: string,
  urlPath: string,
  request: Request,
): Promise<Response> {
  let rel: string
  try {
    rel = decodeURIComponent(urlPath.split('?')[0] ?? '/')
  } catch {
    return text(400, 'Bad path')
  }
  if (rel === '/' || rel === '') rel = '/index.html'
  const file = path.resolve(root, '.' + rel)
  const rootResolved = path.resolve(root)
  if (file !== rootResolved && !file.startsWith(rootResolved + path.sep))
    return text(403, 'Forbidden')
  return fileResponse(file, null, request.method)
}
