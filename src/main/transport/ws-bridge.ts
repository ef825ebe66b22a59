import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Services } from '../services'
import { serveMedia, serveStatic } from '../protocol/serve-file'
import type { CallContext } from '../../shared/contract/dispatch'
import { toErrorInfo } from '../../shared/errors'
import { contentSecurityPolicy } from '../../shared/csp'
import {
  checkRequest,
  checkUpgrade,
  cookieNameFor,
  formatHostPort,
  newToken,
  type Gate,
} from './bridge-auth'

export interface BridgeOptions {
  /** Folder of the built renderer to serve at `/`; omit to serve only `/ws` and `/media/`. */
  rendererDir?: string
  port?: number
  /** Address to listen on and to expect in the Host header; loopback unless told otherwise. */
  host?: string
}

export interface Bridge {
  /** The address to open: the origin plus this launch's `?token=`. */
  url: string
  /** `http://127.0.0.1:<port>`, without the token. */
  origin: string
  close(): Promise<void>
}

/** Frames on the socket: calls carry an id, replies echo it, events have none. */
export type BridgeMessage =
  | { type: 'call'; id: number; method: string; params: unknown }
  | { type: 'reply'; id: number; reply: unknown }
  | { type: 'event'; name: string; payload: unknown }

async function toWebRequest(req: http.IncomingMessage, origin: string): Promise<Request> {
  const headers = new Headers()
  for (const [k, v] of Object.entries(req.headers)) {
    if (typeof v === 'string') headers.set(k, v)
  }
  return new Request(new URL(req.url ?? '/', origin), { method: req.method ?? 'GET', headers })
}

/** Pages and scripts get the renderer's own CSP; media is inert even if a granted file is HTML. */
const STATIC_HEADERS = {
  'content-security-policy': contentSecurityPolicy('production'),
  'x-content-type-options': 'nosniff',
}
const MEDIA_HEADERS = { 'content-security-policy': 'sandbox', 'x-content-type-options': 'nosniff' }

async function sendWebResponse(
  res: http.ServerResponse,
  response: Response,
  extra: Record<string, string> = {},
): Promise<void> {
  res.statusCode = response.status
  response.headers.forEach((value, key) => res.setHeader(key, value))
  for (const [key, value] of Object.entries(extra)) res.setHeader(key, value)
  if (!response.body) {
    res.end()
    return
  }
  const body = Readable.fromWeb(response.body as WebReadableStream)
  body.on('error', () => res.destroy())
  res.on('close', () => body.destroy())
  body.pipe(res)
}

/**
 * The second transport: the same contract over a WebSocket on 127.0.0.1, for tests and debugging.
 * It serves the built renderer too, so the page, its socket and its media share one origin and the
 * renderer's strict CSP (`'self'`) needs no exception. Every request needs this launch's token
 * (see bridge-auth.ts) and our exact Host; sockets also need our own Origin.
 */
export async function startBridge(
  services: Services,
  options: BridgeOptions = {},
): Promise<Bridge> {
  const server = http.createServer()
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 })
  const host = options.host ?? '127.0.0.1'
  // Filled in once the port is known; nothing is served before then.
  const gate: Gate = { hostPort: '', origin: '', token: newToken(), cookieName: '' }

  server.on('request', (req, res) => {
    void (async () => {
      const verdict = checkRequest(gate, req)
      if (verdict.kind === 'forbid') {
        res.writeHead(403, {
          'content-type': 'text/plain; charset=utf-8',
          'x-content-type-options': 'nosniff',
        })
        res.end(verdict.message)
        return
      }
      if (verdict.kind === 'redirect') {
        res.writeHead(303, {
          location: verdict.location,
          'set-cookie': verdict.setCookie,
          'cache-control': 'no-store',
        })
        res.end()
        return
      }
      const request = await toWebRequest(req, gate.origin)
      const { pathname, searchParams } = new URL(request.url)
      if (pathname === '/import') {
        // A file dropped into the tab (the browser gives no path): its bytes, streamed to disk.
        const reply =
          req.method !== 'POST'
            ? { status: 405, body: { error: { code: 'invalid-params', message: 'POST only' } } }
            : await services.importDroppedFile(searchParams.get('name') ?? '', req).then(
                (file) => ({ status: 200, body: { path: file } }),
                (err: unknown) => ({ status: 400, body: { error: toErrorInfo(err) } }),
              )
        res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8' })
        res.end(JSON.stringify(reply.body))
        return
      }
      if (pathname.startsWith('/media/')) {
        const encoded = pathname.slice('/media/'.length)
        await sendWebResponse(
          res,
          await serveMedia(services.access, encoded, request),
          MEDIA_HEADERS,
        )
      } else if (options.rendererDir) {
        const response = await serveStatic(options.rendererDir, pathname, request)
        await sendWebResponse(res, response, STATIC_HEADERS)
      } else {
        await sendWebResponse(res, new Response('Not found', { status: 404 }))
      }
    })().catch(() => {
      if (!res.headersSent) res.statusCode = 500
      res.end()
    })
  })

  server.on('upgrade', (req, socket, head) => {
    const verdict = checkUpgrade(gate, req)
    if (verdict.kind === 'forbid') {
      const body = verdict.message
      socket.once('finish', () => socket.destroy())
      socket.end(
        'HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      )
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws))
  })

  const ctx: CallContext = { transport: 'websocket', mediaBaseUrl: '' }
  wss.on('connection', (ws: WebSocket) => {
    const unsubscribe = services.bus.subscribe((name, payload) => {
      if (ws.readyState === ws.OPEN)
        ws.send(JSON.stringify({ type: 'event', name, payload } satisfies BridgeMessage))
    })
    ws.on('close', unsubscribe)
    ws.on('message', (data) => {
      let msg: Partial<Extract<BridgeMessage, { type: 'call' }>>
      try {
        msg = JSON.parse(String(data)) as typeof msg
      } catch {
        return
      }
      if (msg.type !== 'call' || typeof msg.id !== 'number') return
      const id = msg.id
      void services.dispatch(msg.method, msg.params, ctx).then((reply) => {
        if (ws.readyState === ws.OPEN)
          ws.send(JSON.stringify({ type: 'reply', id, reply } satisfies BridgeMessage))
      })
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  gate.hostPort = formatHostPort(host, port)
  gate.origin = `http://${gate.hostPort}`
  gate.cookieName = cookieNameFor(port)
  ctx.mediaBaseUrl = `${gate.origin}/media/`

  return {
    url: `${gate.origin}/?token=${gate.token}`,
    origin: gate.origin,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate()
        wss.close()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
