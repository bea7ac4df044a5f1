/**
 * The time side of analytics answers: the step grid a query asks for, a smooth value series
 * that depends only on (seed, subject, time), and the statistics a series header carries.
 *
 * Determinism: a value is a function of the engine's seed, the series' subject (entity, metric,
 * object id) and the point's timestamp, never of the query window, so overlapping queries agree
 * and the same request under `--seed` gets the same answer. Timestamps are snapped to the step
 * grid, so requests made a few (seeded) clock ticks apart still see the same grid.
 */
import { errors } from '../errors.js';

/** Granularity a controller keeps [inferred: any step of at least 5 s is taken as given]. */
export const MIN_STEP = 5;
export const DEFAULT_STEP = 300;
/** Largest step taken (a year): a longer one is read as this, so every timestamp stays a date. */
export const MAX_STEP = 365 * 86400;
/** Points when neither `limit` nor `start` bounds the window [inferred]. */
export const DEFAULT_LIMIT = 72;
/** Most points per series one query may ask for (a bound on hostile `limit`s) [inferred]. */
export const MAX_LIMIT = 4320;
/** Most points one answer may hold, over all its series [inferred]. */
export const MAX_POINTS = 500_000;

export interface Window {
  step: number;
  /** timestamps of the points, seconds since the epoch, oldest first */
  times: number[];
}

export interface WindowQuery {
  step?: unknown;
  limit?: unknown;
  start?: unknown;
  stop?: unknown;
}

/** A positive integer from a query value (number or decimal text), else undefined; 400 when malformed. */
export function intParam(name: string, v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,12}$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw errors.invalid(`Invalid data: field '${name}' must be a positive integer`);
  return n;
}

/** A boolean query value (`true`/`false` in any case, or a JSON boolean), else the fallback. */
export function boolParam(v: unknown, fallback: boolean): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
  return fallback;
}

/**
 * An ISO 8601 time (`2024-03-26T08:15:00`, with or without zone; no zone reads as UTC, as the
 * controller's examples mean it), in seconds; 400 when it is none.
 */
export function timeParam(name: string, v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const text = typeof v === 'string' ? v.trim() : '';
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  const ms = m ? Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}${m[3] ?? 'Z'}`) : NaN;
  if (!Number.isFinite(ms)) throw errors.invalid(`Invalid data: field '${name}' must be an ISO 8601 time`);
  return Math.floor(ms / 1000);
}

/**
 * The points a query covers: `stop` (default now) and `start` snapped down to the step grid;
 * without `start`, the last `limit` steps up to `stop`; with it, every step from `start` to
 * `stop`, the latest `limit` of them when a limit is given [inferred].
 */
export function windowOf(q: WindowQuery, nowSeconds: number): Window {
  const step = Math.min(MAX_STEP, Math.max(MIN_STEP, intParam('step', q.step) ?? DEFAULT_STEP));
  const limit = intParam('limit', q.limit);
  const start = timeParam('start', q.start);
  const stopAt = timeParam('stop', q.stop) ?? nowSeconds;
  const last = Math.floor(stopAt / step) * step;
  let count: number;
  if (start === undefined) count = limit ?? DEFAULT_LIMIT;
  else {
    const first = Math.ceil(start / step) * step;
    count = first > last ? 0 : Math.floor((last - first) / step) + 1;
    if (limit !== undefined) count = Math.min(count, limit);
  }
  count = Math.max(0, Math.min(count, MAX_LIMIT));
  const times: number[] = [];
  for (let i = count - 1; i >= 0; i--) times.push(last - i * step);
  return { step, times };
}

/** `2024-03-26T08:15:00+00:00`, the controller's metrics timestamp form. */
export function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19) + '+00:00';
}

/** FNV-1a over the text, then mixed: a 32-bit hash for the series' parameters. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** A number in [0, 1) drawn from a subject and a salt. */
export function unit(subject: string, salt: string): number {
  return hash32(`${salt}|${subject}`) / 2 ** 32;
}

/**
 * A smooth positive series around `base`: a daily and an hourly swing with phases and depths
 * drawn from the subject. Its value at `t` does not depend on any other point.
 */
export function smooth(subject: string, base: number): (t: number) => number {
  const dailyDepth = 0.1 + 0.2 * unit(subject, 'dd');
  const hourlyDepth = 0.03 + 0.07 * unit(subject, 'hd');
  const dailyPhase = 2 * Math.PI * unit(subject, 'dp');
  const hourlyPhase = 2 * Math.PI * unit(subject, 'hp');
  return (t) =>
    Math.max(
      0,
      base *
        (1 +
          dailyDepth * Math.sin((2 * Math.PI * t) / 86400 + dailyPhase) +
          hourlyDepth * Math.sin((2 * Math.PI * t) / 3600 + hourlyPhase)),
    );
}

export interface Point {
  timestamp: string;
  value: number;
  /** set on a padded point: no data was there */
  is_null?: boolean;
}

/** The header's `statistics` (MetricStatistics) over the points that hold data. */
export function statistics(points: Point[]): Record<string, number | string> {
  const real = points.filter((p) => !p.is_null);
  if (real.length === 0) return { num_samples: 0, mean: 0, min: 0, max: 0, sum: 0, trend: 0 };
  let sum = 0;
  let min = real[0]!;
  let max = real[0]!;
  for (const p of real) {
    sum += p.value;
    if (p.value < min.value) min = p;
    if (p.value > max.value) max = p;
  }
  const mean = sum / real.length;
  const last = real[real.length - 1]!.value;
  return {
    num_samples: real.length,
    mean: round(mean),
    min: min.value,
    min_ts: min.timestamp,
    max: max.value,
    max_ts: max.timestamp,
    sum: round(sum),
    last_sample: last,
    // the document's definition: (last value - average) / average
    trend: mean === 0 ? 0 : round((last - mean) / mean),
  };
}

export function round(n: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
