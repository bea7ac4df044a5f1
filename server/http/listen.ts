/**
 * The listening sockets, one node:http server each on the same request listener:
 * - HTTPS: a TLS server whose connections are read through `RequestLineFixer`
 *   (server/http/wire.ts), so raw spaces in a request line (old Go SDKs, which speak HTTPS as
 *   every real controller does) do not end in a 400. TLS sockets are JS streams already, so
 *   the extra stream costs little there.
 * - plain HTTP: node:http directly. Reading plain sockets through the fixer takes Node's
 *   parser off its native fast path (measured: GET by name ~8k → ~7k req/s), and the clients
 *   that send raw spaces do not speak plain HTTP.
 *
 * Both are cut off from clients that take too long: the request head must arrive within
 * `headersTimeoutMs` and the whole request within `requestTimeoutMs` (node:http answers 408 and
 * closes), and a TLS handshake must end within `headersTimeoutMs`. node:http enforces the first
 * two only for servers that emitted 'listening' (that is where it starts tracking connections),
 * so the HTTP server behind the TLS one, which never listens itself, is told it does.
 */
import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http';
import type { Server as NetServer, Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { RequestLineFixer } from './wire.js';

export interface Listening {
  port: number;
  /** stop accepting; requests in flight get `graceMs` to finish */
  close(graceMs?: number): Promise<void>;
}

export interface TlsOptions {
  cert: string;
  key: string;
}

export interface Timeouts {
  /** ms for the request line and headers (and a TLS handshake) to arrive */
  headersTimeoutMs?: number;
  /** ms for the whole request, body included, to arrive */
  requestTimeoutMs?: number;
}

export const DEFAULT_HEADERS_TIMEOUT_MS = 20_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;

export function listen(listener: RequestListener, port: number, host: string, tls?: TlsOptions, timeouts: Timeouts = {}): Promise<Listening> {
  const headersTimeout = timeouts.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const requestTimeout = timeouts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (!(headersTimeout > 0 && requestTimeout >= headersTimeout)) {
    throw new Error(`timeouts: the headers timeout (${headersTimeout} ms) must be > 0 and at most the request timeout (${requestTimeout} ms)`);
  }
  const http = createHttpServer(
    {
      headersTimeout,
      requestTimeout,
      // how often expired requests are looked for: often enough to keep to short timeouts
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeout / 4))),
    },
    listener,
  );
  if (tls) http.emit('listening');
  const outer: NetServer = tls
    ? createTlsServer({ cert: tls.cert, key: tls.key, handshakeTimeout: headersTimeout }, (socket: Socket) => {
        const wrapped = new RequestLineFixer(socket);
        wrapped.encrypted = true;
        http.emit('connection', wrapped);
      }).on('tlsClientError', (_e: Error, socket: Socket) => socket.destroy()) // a failed or timed-out handshake
    : http;
  return new Promise((resolve, reject) => {
    const what = tls ? 'HTTPS' : 'HTTP';
    const onError = (e: NodeJS.ErrnoException) => {
      if (outer !== http) http.close(); // stops the connection tracking started above
      reject(new Error(`cannot listen for ${what} on ${host}:${port}: ${e.code ?? e.message}`));
    };
    outer.once('error', onError);
    outer.listen(port, host, () => {
      outer.off('error', onError);
      const addr = outer.address();
      resolve({ port: typeof addr === 'object' && addr ? addr.port : port, close: (graceMs = 2000) => stop(outer, http, graceMs) });
    });
  });
}

async function stop(outer: NetServer, http: HttpServer, graceMs: number): Promise<void> {
  const closed = new Promise<void>((r) => outer.close(() => r()));
  if (outer !== http) http.close();
  http.closeIdleConnections();
  const timer = setTimeout(() => http.closeAllConnections(), graceMs);
  timer.unref();
  await closed;
  clearTimeout(timer);
}
