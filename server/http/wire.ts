/**
 * Old Go SDKs send query strings unencoded, spaces and all (`GET /api/pool?name=a b HTTP/1.1`).
 * A controller's web front end takes them; Node's HTTP parser answers 400 before any handler
 * runs. So every connection is read through `RequestLineFixer`, which percent-encodes spaces
 * inside the request target of each request line and passes everything else through untouched.
 *
 * It follows the HTTP/1.1 message framing to know where request lines are: the line, the
 * headers up to the blank line, then `Content-Length` bytes of body. A chunked body ends the
 * fixing for that connection (the rest passes through as sent).
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

type State = 'line' | 'headers' | 'body' | 'passthrough';

const MAX_HEAD = 64 * 1024;

export class RequestLineFixer extends Duplex {
  private state: State = 'line';
  private pending: Buffer = Buffer.alloc(0);
  private bodyLeft = 0;
  private contentLength = 0;
  private chunked = false;
  /** set for connections that arrived over TLS, read as `req.socket.encrypted` */
  encrypted?: boolean;

  constructor(readonly inner: Socket) {
    super({ allowHalfOpen: true });
    inner.on('data', (chunk: Buffer) => {
      if (!this.push(this.fix(chunk))) inner.pause();
    });
    inner.on('end', () => {
      if (this.pending.length) this.push(this.pending);
      this.push(null);
    });
    inner.on('error', (e) => this.destroy(e));
    inner.on('close', () => this.destroy());
    inner.on('timeout', () => this.emit('timeout'));
  }

  // Socket-like surface the HTTP server uses.
  get remoteAddress() { return this.inner.remoteAddress; }
  get remotePort() { return this.inner.remotePort; }
  get localAddress() { return this.inner.localAddress; }
  get localPort() { return this.inner.localPort; }
  setTimeout(ms: number, cb?: () => void) { this.inner.setTimeout(ms, cb); return this; }
  setNoDelay(noDelay?: boolean) { this.inner.setNoDelay(noDelay); return this; }
  setKeepAlive(enable?: boolean, delay?: number) { this.inner.setKeepAlive(enable, delay); return this; }
  ref() { this.inner.ref(); return this; }
  unref() { this.inner.unref(); return this; }

  override _read(): void {
    this.inner.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.inner.write(chunk, encoding, cb);
  }

  override _writev(chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>, cb: (e?: Error | null) => void): void {
    this.inner.cork();
    for (const { chunk, encoding } of chunks) this.inner.write(chunk, encoding);
    this.inner.uncork();
    cb();
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.inner.end(cb);
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.inner.destroy(err ?? undefined);
    cb(err);
  }

  /** The bytes to hand to the HTTP parser for this chunk (request lines fixed). */
  fix(chunk: Buffer): Buffer {
    if (this.state === 'passthrough') return chunk;
    const out: Buffer[] = [];
    let data: Buffer = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (data.length) {
      if (this.state === 'passthrough') {
        out.push(data);
        break;
      }
      if (this.state === 'body') {
        const n = Math.min(this.bodyLeft, data.length);
        out.push(data.subarray(0, n));
        data = data.subarray(n);
        this.bodyLeft -= n;
        if (this.bodyLeft === 0) this.state = 'line';
        continue;
      }
      const nl = data.indexOf(10); // \n
      if (nl < 0) {
        if (data.length > MAX_HEAD) {
          // Not HTTP as we know it: let the parser say so.
          out.push(data);
          this.state = 'passthrough';
        } else this.pending = data;
        break;
      }
      const line = data.subarray(0, nl + 1);
      data = data.subarray(nl + 1);
      if (this.state === 'line') {
        if (line.length <= 2) {
          out.push(line); // stray CRLF between requests
          continue;
        }
        out.push(fixRequestLine(line));
        this.contentLength = 0;
        this.chunked = false;
        this.state = 'headers';
        continue;
      }
      // headers
      out.push(line);
      if (line.length <= 2) {
        if (this.chunked) this.state = 'passthrough';
        else if (this.contentLength > 0) {
          this.bodyLeft = this.contentLength;
          this.state = 'body';
        } else this.state = 'line';
        continue;
      }
      const text = line.toString('latin1');
      const m = /^([^:]+):\s*(.*?)\s*$/.exec(text);
      if (!m) continue;
      const name = m[1]!.toLowerCase();
      if (name === 'content-length') this.contentLength = Number(m[2]) || 0;
      else if (name === 'transfer-encoding' && /chunked/i.test(m[2]!)) this.chunked = true;
    }
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }
}

/** `GET /a b?c=d e HTTP/1.1\r\n` → `GET /a%20b?c=d%20e HTTP/1.1\r\n`; other lines unchanged. */
export function fixRequestLine(line: Buffer): Buffer {
  const text = line.toString('latin1');
  const m = /^([A-Z]+) (.*) (HTTP\/\d\.\d)(\r?\n)$/.exec(text);
  if (!m || !m[2]!.includes(' ')) return line;
  return Buffer.from(`${m[1]} ${m[2]!.replace(/ /g, '%20')} ${m[3]}${m[4]}`, 'latin1');
}
