/**
 * Whether a live answer matches a recorded one. Both are normalised first, so that what differs
 * between any two runs of the same session does not count:
 * - uuids (and whatever other identifier a `uuid` field holds) become placeholders numbered by
 *   first appearance in the recording (`pool-<3>`); a live uuid takes the placeholder of the recorded uuid it was paired with (LiveValues), so a
 *   ref that points at another object than it did when recorded still shows;
 * - base URLs are taken off `url`s, refs and `next` links (`https://h/api/pool/…` → `/api/pool/…`);
 * - `_last_modified`, `current_time`, `up_since`, `expires_at` and NSX `_create_time` /
 *   `_last_modified_time` read `<volatile>` (present or absent still counts), as do runtime
 *   stamps and what a controller picks per object (SE MACs, a virtual service's redis port);
 * - secrets (token, session, CSRF, password fields; PEM private keys) read `<scrubbed>`, as the
 *   recording has them.
 * Then status, `Location` and body are compared; body differences are listed by JSON path.
 */
import { isObject } from '../core/json.js';
import type { RecordedResponse } from './exchange.js';
import { headerOf } from './exchange.js';
import { isUuid, LiveValues, UUID_PATTERN, uuidPrefix } from './live-values.js';
import { isSecretKey, SCRUBBED } from './scrub.js';

export const VOLATILE = '<volatile>';
export const VOLATILE_KEYS = new Set([
  '_last_modified',
  'current_time',
  'up_since',
  'expires_at',
  '_create_time',
  '_last_modified_time',
  // runtime state-change stamps ({secs, usecs}) and what a controller assigns its Service Engines
  'last_changed_time',
  'first_se_assigned_time',
  'mac_address',
  // where a controller keeps a virtual service's runtime state: its own pick per object
  'redis_port',
  'redis_db',
]);

/**
 * A Service Engine's name: the controller picks it (`<se_name_prefix>-se-<5 letters>`), so no
 * two controllers, nor two runs, agree on it.
 */
const SE_NAME = /^[A-Za-z0-9_.]+-se-[a-z]{5}$/;
/** the same name after the `#` of a ref to the SE (`/api/serviceengine/se-…#Avi-se-abcde`) */
const SE_REF_NAME = /(\/api\/serviceengine\/[^#\s]+)#[A-Za-z0-9_.]+-se-[a-z]{5}$/;

const LEADING_ORIGIN = /^https?:\/\/[^/\s]+(?=\/)/;
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;

export interface Difference {
  /** JSON path (`$.results[0].name`), or `status` / `headers.Location` */
  path: string;
  /** normalised; undefined when absent */
  expected: unknown;
  actual: unknown;
}

/** Placeholders for uuids, stable across one replay. */
export class UuidLabels {
  private readonly numbers = new Map<string, number>();
  private readonly unpaired = new Map<string, number>();

  constructor(private readonly values: LiveValues) {}

  recorded(uuid: string): string {
    let n = this.numbers.get(uuid);
    if (n === undefined) this.numbers.set(uuid, (n = this.numbers.size + 1));
    return label(uuid, String(n));
  }

  live(uuid: string): string {
    const twin = this.values.recordedFor(uuid);
    if (twin !== undefined) return this.recorded(twin);
    let n = this.unpaired.get(uuid);
    if (n === undefined) this.unpaired.set(uuid, (n = this.unpaired.size + 1));
    return label(uuid, `unpaired ${n}`);
  }
}

function label(uuid: string, n: string): string {
  const prefix = uuidPrefix(uuid);
  return prefix ? `${prefix}-<${n}>` : `<${n}>`;
}

/** A JSON value (or text) with the volatile parts replaced; `uuid` labels each uuid. */
export function normalise(value: unknown, uuid: (u: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => normalise(v, uuid));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (VOLATILE_KEYS.has(k) && v !== null && v !== undefined) out[k] = VOLATILE;
      else if (isSecretKey(k) && typeof v === 'string' && v !== '') out[k] = SCRUBBED;
      // an identifier that is no uuid (a user token's) is as volatile as one
      else if (k === 'uuid' && typeof v === 'string' && v !== '' && !isUuid(v)) out[k] = uuid(v);
      else out[k] = normalise(v, uuid);
    }
    return out;
  }
  if (typeof value === 'string') return normaliseText(value, uuid);
  return value;
}

export function normaliseText(text: string, uuid: (u: string) => string): string {
  if (SE_NAME.test(text)) return '<se name>';
  return text
    .replace(SE_REF_NAME, '$1#<se name>')
    .replace(LEADING_ORIGIN, '')
    .replace(PEM_PRIVATE_KEY, SCRUBBED)
    .replace(UUID_PATTERN, uuid);
}

/** Differences between two normalised values, by JSON path. */
export function diff(expected: unknown, actual: unknown, path = '$'): Difference[] {
  if (typeof expected === 'string' && typeof actual === 'string') {
    return matchesScrubbed(expected, actual) ? [] : [{ path, expected, actual }];
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const out: Difference[] = [];
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      out.push(...diff(expected[i], actual[i], `${path}[${i}]`));
    }
    return out;
  }
  if (isObject(expected) && isObject(actual)) {
    const out: Difference[] = [];
    const keys = [...Object.keys(expected), ...Object.keys(actual).filter((k) => !(k in expected))];
    for (const k of keys) out.push(...diff(expected[k], actual[k], `${path}${/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`}`));
    return out;
  }
  return Object.is(expected, actual) ? [] : [{ path, expected, actual }];
}

/** A recorded string with `<scrubbed>` in it matches any text in its place. */
function matchesScrubbed(expected: string, actual: string): boolean {
  if (expected === actual) return true;
  if (!expected.includes(SCRUBBED)) return false;
  const pattern = expected.split(SCRUBBED).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*');
  return new RegExp(`^${pattern}$`).test(actual);
}

/**
 * A live answer against the recorded one. Pairs their uuids first (so a uuid the recording
 * first showed here gets its live twin), then normalises both and lists what differs.
 */
export function compareResponses(recorded: RecordedResponse, live: RecordedResponse, values: LiveValues, labels: UuidLabels): Difference[] {
  const recordedLocation = headerOf(recorded.headers, 'Location');
  const liveLocation = headerOf(live.headers, 'Location');
  if (recordedLocation !== undefined && liveLocation !== undefined) values.pairText(recordedLocation, liveLocation);
  values.pair(recorded.body, live.body);

  const expected = (v: unknown) => normalise(v, (u) => labels.recorded(u));
  const actual = (v: unknown) => normalise(v, (u) => labels.live(u));
  const out: Difference[] = [];
  if (recorded.status !== live.status) out.push({ path: 'status', expected: recorded.status, actual: live.status });
  const e = expected(recordedLocation);
  const a = actual(liveLocation);
  if (e !== a && !(typeof e === 'string' && typeof a === 'string' && matchesScrubbed(e, a))) {
    out.push({ path: 'headers.Location', expected: e, actual: a });
  }
  out.push(...diff(expected(emptyAsUndefined(recorded.body)), actual(emptyAsUndefined(live.body))));
  return out;
}

function emptyAsUndefined(body: unknown): unknown {
  return body === '' || body === null ? undefined : body;
}
