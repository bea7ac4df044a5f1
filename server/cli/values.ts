/**
 * Readers for setting values as text (a flag, an environment variable or a config file entry
 * all arrive as text): each takes exactly what `--help` documents and otherwise throws an error
 * naming the setting and the value.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Seed } from '../core/ids.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../log.js';
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, type Timeouts } from '../http/listen.js';

/** A whole number in [min, max], written in decimal digits. */
function wholeNumber(text: string, name: string, min: number, max: number, what: string): number {
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new Error(`${name} must be ${what}, got "${text}"`);
  }
  return n;
}

/** A whole number setting (>= 0). */
export function parseCount(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  return wholeNumber(text, name, 0, Number.MAX_SAFE_INTEGER, 'a whole number >= 0');
}

export function parseSwitch(text: string | undefined, name: string): boolean {
  const t = (text ?? 'on').trim().toLowerCase();
  if (['on', 'true', '1', 'yes'].includes(t)) return true;
  if (['off', 'false', '0', 'no'].includes(t)) return false;
  throw new Error(`${name} must be on or off, got "${text}"`);
}

/** A port setting: a number in 0..65535, or `off` (undefined). */
export function parsePort(text: string, name: string): number | undefined {
  if (text.trim().toLowerCase() === 'off') return undefined;
  return wholeNumber(text, name, 0, 65535, 'a port number (0-65535, 0 picks a free one) or "off"');
}

export function parseIdleTimeout(text: string | undefined, name: string): number | undefined {
  return text === undefined ? undefined : wholeNumber(text, name, 0, 1440, 'whole minutes 0-1440');
}

export function parseDelay(text: string | undefined, name: string): number | undefined {
  return text === undefined ? undefined : wholeNumber(text, name, 0, 3_600_000, 'whole milliseconds 0-3600000');
}

const MAX_NUMBER_SEED = 0xffff_ffff;

/**
 * `--seed`: a whole number 0..2^32-1 written plainly (no sign, no leading zero, no exponent) is
 * used as that number; any other non-empty text is the seed itself (hashed by the generator), so
 * two different texts never give the same sequence and nothing becomes NaN.
 */
export function parseSeed(text: string | undefined, name: string): Seed | undefined {
  if (text === undefined) return undefined;
  if (text === '') throw new Error(`${name} must be a whole number 0-${MAX_NUMBER_SEED} or a non-empty text, got ""`);
  if (/^(0|[1-9]\d{0,9})$/.test(text) && Number(text) <= MAX_NUMBER_SEED) return Number(text);
  return text;
}

/** The scenario folder, absolute; it must be a directory. */
export function scenarioDir(text: string | undefined, name: string): string | undefined {
  if (text === undefined || text === '') return undefined;
  const dir = path.resolve(text);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${name}: ${text} is not a directory`);
  return dir;
}

export function parseTimeouts(headers: string | undefined, request: string | undefined): Timeouts {
  const ms = (text: string | undefined, name: string): number | undefined =>
    text === undefined ? undefined : wholeNumber(text, name, 1, 3_600_000, 'whole milliseconds 1-3600000');
  const headersTimeoutMs = ms(headers, '--headers-timeout / AVISIM_HEADERS_TIMEOUT') ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const requestTimeoutMs = ms(request, '--request-timeout / AVISIM_REQUEST_TIMEOUT') ?? Math.max(DEFAULT_REQUEST_TIMEOUT_MS, headersTimeoutMs);
  if (requestTimeoutMs < headersTimeoutMs) {
    throw new Error(`--request-timeout (${requestTimeoutMs} ms) must be at least --headers-timeout (${headersTimeoutMs} ms)`);
  }
  return { headersTimeoutMs, requestTimeoutMs };
}

function oneOf<T extends string>(list: readonly T[], text: string | undefined, fallback: T, name: string): T {
  if (text === undefined) return fallback;
  const t = text.trim().toLowerCase();
  const found = list.find((v) => v === t);
  if (!found) throw new Error(`${name} must be one of ${list.join(', ')}, got "${text}"`);
  return found;
}

export const parseLogLevel = (text: string | undefined, name: string): LogLevel => oneOf(LOG_LEVELS, text, 'info', name);
export const parseLogFormat = (text: string | undefined, name: string): LogFormat => oneOf(LOG_FORMATS, text, 'auto', name);
