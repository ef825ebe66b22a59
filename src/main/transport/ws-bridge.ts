import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Services } from '../services'
import { serveMedia, serveStatic } from '../protocol/serve-file'
import type { CallContext } from '../../shared/contract/dispatch'

export interface BridgeOptions {
  /** Folder of the built renderer to serve at `/`; omit to serve only `/ws` and `/media/`. */
  rendererDir?: string
  port?: number
}

export interface Bridge {
  url: string
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

async function sendWebResponse(res: http.ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status
  response.headers.forEach((value, key) => res.setHeader(key, value))
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
 * renderer's strict CSP (`'self'`) needs no exception. Sockets from any other origin are refused.
 */
export async function startBridge(
  services: Services,
  options: BridgeOptions = {},
): Promise<Bridge> {
  const server = http.createServer()
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 })
  let origin = ''

  server.on('request', (req, res) => {
    void (async () => {
      const request = await toWebRequest(req, origin)
      const { pathname } = new URL(request.url)
      let response: Response
      if (pathname.startsWith('/media/')) {
        response = await serveMedia(services.access, pathname.slice('/media/'.length), request)
      } else if (options.rendererDir) {
        response = await serveStatic(options.rendererDir, pathname, request)
      } else {
        response = new Response('Not found', { status: 404 })
      }
      await sendWebResponse(res, response)
    })().catch(() => {
      if (!res.headersSent) res.statusCode = 500
      res.end()
    })
  })

  server.on('upgrade', (req, socket, head) => {
    // A page from anywhere else (another site, another port) must not drive the services.
    if (req.url !== '/ws' || req.headers.origin !== origin) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
      socket.destroy()
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
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  origin = `http://127.0.0.1:${port}`
  ctx.mediaBaseUrl = `${origin}/media/`

  return {
    url: origin,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate()
        wss.close()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
