/**
 * The first bytes of a served answer, kept for the journal's detail view (what the client got
 * back). Only a bounded prefix is copied as the answer is written, so a large list costs the
 * journal no more than ANSWER_BYTES.
 */
import type { ServerResponse } from 'node:http';

export const ANSWER_BYTES = 8 * 1024;

export interface Answer {
  /** the answer's first ANSWER_BYTES as written */
  text: string;
  /** the whole answer's size */
  bytes: number;
}

type Chunk = string | Uint8Array;

/** Starts copying what `res` writes; the returned function gives what was copied so far. */
export function captureAnswer(res: ServerResponse): () => Answer {
  const kept: Buffer[] = [];
  let held = 0;
  let bytes = 0;
  const keep = (chunk: unknown, encoding: unknown) => {
    if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) return;
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : Buffer.from(chunk);
    bytes += buf.length;
    if (held >= ANSWER_BYTES) return;
    const part = buf.subarray(0, ANSWER_BYTES - held);
    kept.push(Buffer.from(part));
    held += part.length;
  };
  const write = res.write;
  const end = res.end;
  res.write = function (this: ServerResponse, chunk: Chunk, ...rest: unknown[]) {
    keep(chunk, rest[0]);
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    if (typeof chunk !== 'function') keep(chunk, rest[0]);
    return (end as (...a: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as ServerResponse['end'];
  return () => ({ text: Buffer.concat(kept).toString('utf8'), bytes });
}
