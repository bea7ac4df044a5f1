/**
 * The first bytes of a served answer, kept for the journal's detail view (what the client got
 * back). The answer's text is the one the JSON writer (server/http/respond.ts) wrote; only a
 * bounded prefix of it is kept, copied so that a large list does not stay alive with it. The
 * response itself is not wrapped: patching every response's write and end cost the server a
 * fifth of its reads on a large store.
 */
import type { ServerResponse } from 'node:http';
import { answeredText } from '../http/respond.js';

export const ANSWER_BYTES = 8 * 1024;

export interface Answer {
  /** the answer's first ANSWER_BYTES */
  text: string;
  /** the whole answer's size */
  bytes: number;
}

/** What `res` answered through the JSON writer, bounded; undefined for any other answer. */
export function answerOf(res: ServerResponse): Answer | undefined {
  const text = answeredText(res);
  if (text === undefined) return undefined;
  const bytes = Buffer.byteLength(text);
  if (bytes <= ANSWER_BYTES) return { text, bytes };
  const kept = Buffer.from(text.slice(0, ANSWER_BYTES)).subarray(0, ANSWER_BYTES);
  return { text: kept.toString('utf8').replace(/\uFFFD$/, ''), bytes };
}
