/**
 * The listening sockets: plain TCP and TLS servers whose connections are read through
 * `RequestLineFixer` (server/http/wire.ts) and then handed to one node:http server each, so the
 * same request listener serves both, and raw spaces in a request line do not end in a 400.
 */
import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
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
  const accept = (socket: Socket, encrypted: boolean) => {
    const wrapped = new RequestLineFixer(socket);
    if (encrypted) wrapped.encrypted = true;
    http.emit('connection', wrapped);
  };
  const outer: NetServer = tls
    ? createTlsServer({ cert: tls.cert, key: tls.key }, (s) => accept(s, true)).on('tlsClientError', () => {})
    : createNetServer((s) => accept(s, false));
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
  http.closeIdleConnections();
  const timer = setTimeout(() => http.closeAllConnections(), graceMs);
  timer.unref();
  await closed;
  clearTimeout(timer);
}
