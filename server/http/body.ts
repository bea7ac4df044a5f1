/**
 * Request bodies: read whole and bounded, once per request, into the request's exchange
 * (server/http/exchange.ts): a body read ahead of the handler (a fault rule that matches on it)
 * is handed to the handler from there, and the journal shows what the handler parsed.
 *
 * A body over its limit is not buffered: the reader stops keeping bytes, the handler answers
 * 413 in its own error format, and the connection is closed once that answer is out (see
 * `closeAfterAnswer`), so the client reads a 413 rather than a reset.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Exchange } from './exchange.js';

/** The largest body an authenticated API call may send. */
export const DEFAULT_BODY_LIMIT = 32 * 1024 * 1024;
/**
 * The largest body a route that needs no credentials accepts (/login, the NSX session create).
 * A login form or JSON is a few hundred bytes; 64 KiB leaves room for any client's extras while
 * a stranger can make the server hold at most that much per request before it knows who calls.
 */
export const PUBLIC_BODY_LIMIT = 64 * 1024;
/**
 * How long a connection closed after an over-size body is still read (and the bytes dropped)
 * once the answer is written. Closing a socket with unread bytes makes the kernel send a reset,
 * which can destroy the answer before the client reads it; reading on for a moment avoids that
 * without holding the connection open for a client that keeps sending.
 */
export const LINGER_MS = 2000;

/**
 * The whole body, at most `limit` bytes. Over it (by `Content-Length` before anything is read,
 * or by counting), `tooLarge()` is the rejection, the rest of the body is dropped as it comes
 * and the connection closes after the answer. A body read ahead is handed out again; the
 * journal and fault rules see it too.
 */
export function readWholeBody(x: Exchange, limit: number, tooLarge: () => Error): Promise<Buffer> {
  const { req, res } = x;
  const refuse = () => {
    x.overSize = true;
    closeAfterAnswer(req, res);
    return Promise.reject(tooLarge());
  };
  if (x.overSize) return refuse();
  if (x.raw) return x.raw.length > limit ? refuse() : Promise.resolve(x.raw);
  if (!hasBody(req)) {
    req.resume();
    return Promise.resolve((x.raw = EMPTY));
  }
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return refuse();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= limit) return void chunks.push(c);
      // Keep flowing (and dropping) rather than destroying: the client must be able to read the answer.
      req.off('data', onData);
      req.on('data', drop);
      chunks.length = 0;
      refuse().catch(reject);
    };
    req.on('data', onData);
    req.on('end', () => {
      if (size > limit) return;
      resolve((x.raw = Buffer.concat(chunks)));
    });
    req.on('error', reject);
  });
}

const EMPTY = Buffer.alloc(0);

/** Whether the request announces a body (a length other than 0, or chunks). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

function drop(): void {}

/**
 * The answer now being made is the connection's last (`Connection: close`); it is closed gently
 * (see `linger`).
 */
export function closeAfterAnswer(req: IncomingMessage, res: ServerResponse): void {
  if (!res.headersSent) res.shouldKeepAlive = false;
  linger(req, res);
}

/**
 * For a request with a body: an answer that ends the connection before the body was all read
 * (a 401 to a stranger, an error, a client that sent `Connection: close`) closes it gently too,
 * rather than with a reset the client may see before the answer.
 */
export function closeGentlyIfAnsweredEarly(req: IncomingMessage, res: ServerResponse): void {
  // 'prefinish' comes before node:http's own 'finish' handler, which closes the socket
  res.once('prefinish', () => {
    if (!req.complete && !res.shouldKeepAlive) linger(req, res);
  });
}

const lingering = new WeakSet<object>();

/**
 * Once the answer is written the socket is half-closed, and whatever the client still sends is
 * read and dropped for at most LINGER_MS; then the socket is closed.
 */
function linger(req: IncomingMessage, res: ServerResponse): void {
  const socket = req.socket as IncomingMessage['socket'] & { destroySoon?: () => void };
  if (!socket || socket.destroyed || lingering.has(socket)) return;
  lingering.add(socket);
  // node:http closes a finished last answer's socket with destroySoon (end, then destroy at
  // once): with body bytes still unread that destroy is a reset. Ending is enough here; the
  // timer below closes it.
  if (typeof socket.destroySoon === 'function') socket.destroySoon = () => socket.end();
  res.once('finish', () => {
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
}

/** How many bytes the body had as read (the request's Content-Length when it was not read). */
export function bodySizeOf(x: Exchange): number {
  if (x.raw) return x.raw.length;
  const declared = Number(x.req.headers['content-length']);
  return Number.isFinite(declared) && declared > 0 ? declared : 0;
}
