/**
 * Request bodies read ahead of the handlers (a fault rule that matches on the body must see it
 * before the request is served) and bodies as handlers parsed them (for the request journal).
 * Kept in WeakMaps keyed by the request, so nothing outlives it.
 */
import type { IncomingMessage } from 'node:http';

const readAhead = new WeakMap<IncomingMessage, Buffer>();
const parsed = new WeakMap<IncomingMessage, unknown>();

/**
 * The whole body, at most `limit` bytes (else the request is destroyed and `tooLarge()` is the
 * rejection). A body read ahead is handed out again; the journal and fault rules see it too.
 */
export function readWholeBody(req: IncomingMessage, limit: number, tooLarge: () => Error): Promise<Buffer> {
  const done = readAhead.get(req);
  if (done) return Promise.resolve(done);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(tooLarge());
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Reads the body before the handler runs (a fault rule matching on it); the handler gets it again. */
export async function readAheadBody(req: IncomingMessage, limit = 32 * 1024 * 1024): Promise<Buffer> {
  const buf = await readWholeBody(req, limit, () => new Error('request body too large'));
  readAhead.set(req, buf);
  return buf;
}

/** The body when it was read ahead of the handler. */
export function bodyReadAhead(req: IncomingMessage): Buffer | undefined {
  return readAhead.get(req);
}

export function noteParsedBody(req: IncomingMessage, body: unknown): void {
  if (body !== undefined) parsed.set(req, body);
}

export function parsedBodyOf(req: IncomingMessage): unknown {
  return parsed.get(req);
}
