/**
 * The listening sockets, one node:http server each on the same request listener:
 * - HTTPS: a TLS server whose connections are read through `RequestLineFixer`
 *   (server/http/wire.ts), so raw spaces in a request line (old Go SDKs, which speak HTTPS as
 *   every real controller does) do not end in a 400. TLS sockets are JS streams already, so
 *   the extra stream costs little there.
 * - plain HTTP: node:http directly. Reading plain sockets through the fixer takes Node's
 *   parser off its native fast path (measured: GET by name ~8k → ~7k req/s), and the clients
 *   that send raw spaces do not speak plain HTTP.
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

export function listen(listener: RequestListener, port: number, host: string, tls?: TlsOptions): Promise<Listening> {
  const http = createHttpServer(listener);
  const outer: NetServer = tls
    ? createTlsServer({ cert: tls.cert, key: tls.key }, (socket: Socket) => {
        const wrapped = new RequestLineFixer(socket);
        wrapped.encrypted = true;
        http.emit('connection', wrapped);
      }).on('tlsClientError', () => {})
    : http;
  return new Promise((resolve, reject) => {
    const what = tls ? 'HTTPS' : 'HTTP';
    const onError = (e: NodeJS.ErrnoException) => reject(new Error(`cannot listen for ${what} on ${host}:${port}: ${e.code ?? e.message}`));
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
