/**
 * The console log: one line per request (time, method, path, status, ms, sandbox) through pino,
 * as JSON lines or, on a terminal, as short readable lines. Secrets stay out: query parameters
 * named like secrets (`?token=`, `password=`) are scrubbed as the journal scrubs them, and no
 * header or body is logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type Logger } from 'pino';
import { Scrubber } from './record/scrub.js';

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['auto', 'pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Where lines go: stdout by default; `isTTY` decides `auto`. */
export interface LogStream {
  write(text: string): unknown;
  isTTY?: boolean;
  on?(event: 'error', listener: (e: Error) => void): unknown;
}

const MAX_PATH = 1024;
const MAX_SANDBOX = 80;

export function createLogger(level: LogLevel, format: LogFormat, stream: LogStream = process.stdout): Logger {
  let open = true;
  // A reader that goes away (`avisim | head`) must not take the simulator down with it.
  stream.on?.('error', () => (open = false));
  const pretty = format === 'pretty' || (format === 'auto' && stream.isTTY === true);
  const colour = pretty && stream.isTTY === true;
  // Lines are written in batches, once per turn of the event loop (or when a batch grows large):
  // a write to a pipe is synchronous on Linux, and one per request cost a third of the
  // throughput. The batch is written out before the process exits.
  let batch: string[] = [];
  let bytes = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (batch.length === 0) return;
    const text = batch.join('');
    batch = [];
    bytes = 0;
    if (open) stream.write(text);
  };
  process.once('exit', flush);
  const destination = {
    write(line: string) {
      if (!open) return;
      const text = pretty ? prettyLine(line, colour) : line;
      batch.push(text);
      bytes += text.length;
      if (bytes >= MAX_BATCH) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
  };
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

/** Characters of log lines held before they are written at once. */
const MAX_BATCH = 64 * 1024;

/** `listener` with a log line for each request it answers (or that the client gives up on). */
export function withRequestLog<L extends (req: IncomingMessage, res: ServerResponse) => void>(listener: L, logger: Logger): L {
  if (logger.level === 'silent') return listener;
  const logged = (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const ms = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
      const method = req.method ?? '?';
      const path = cut(new Scrubber().path(req.url ?? ''), MAX_PATH);
      const status = res.statusCode;
      const sandbox = sandboxOf(req);
      const entry: Record<string, unknown> = { method, path, status, ms, ...(sandbox ? { sandbox } : {}) };
      if (!res.writableFinished) entry.aborted = true;
      if (logger.isLevelEnabled('debug')) {
        entry.remote = req.socket.remoteAddress;
        entry.tls = 'encrypted' in req.socket && req.socket.encrypted === true;
      }
      // 5xx are what a `--log-level warn` run wants to see
      const level = status >= 500 ? 'warn' : 'info';
      logger[level](entry, `${method} ${path} ${status}`);
    });
    listener(req, res);
  };
  return logged as L;
}

function sandboxOf(req: IncomingMessage): string | undefined {
  const h = req.headers['x-mock-sandbox'];
  const id = Array.isArray(h) ? h[0] : h;
  return id ? cut(id, MAX_SANDBOX) : undefined;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** A JSON line from pino as `12:00:01.234 GET /api/pool 200 3.1 ms [sandbox s1]`. */
export function prettyLine(json: string, colour: boolean): string {
  let e: Record<string, unknown>;
  try {
    e = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof e.time === 'string' ? new Date(e.time) : new Date();
  const clock = `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}.${String(time.getMilliseconds()).padStart(3, '0')}`;
  const paint = (code: number, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  let text: string;
  if (typeof e.status === 'number' && typeof e.method === 'string') {
    const s = e.status;
    const status = paint(s >= 500 ? 31 : s >= 400 ? 33 : 32, String(s));
    text = `${safe(e.method)} ${safe(String(e.path))} ${status} ${e.ms} ms`;
    if (typeof e.sandbox === 'string') text += ` [sandbox ${safe(e.sandbox)}]`;
    if (e.aborted) text += ' (client went away)';
    if (typeof e.remote === 'string') text += ` from ${e.remote}${e.tls ? ' (TLS)' : ''}`;
  } else {
    text = `${LEVEL_NAMES[Number(e.level)] ?? e.level} ${safe(String(e.msg ?? ''))}`;
  }
  return `${paint(2, clock)} ${text}\n`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Control characters shown as escapes: a request cannot write terminal sequences or fake lines. */
function safe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
