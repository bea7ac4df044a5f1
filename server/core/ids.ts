/**
 * Where uuids and timestamps come from. Without a seed they are random and wall-clock; with
 * `--seed N` both are reproducible, so a recorded scenario replays byte for byte.
 */
import { createHash, randomUUID } from 'node:crypto';

export interface Ids {
  uuid4(): string;
  /** microseconds since the epoch */
  nowMicros(): number;
}

/**
 * The uuids a client may choose on create (`Slug` header, else a body `uuid`): each must stay
 * reachable as the last segment of `/api/<type>/<uuid>` however a client builds that path, so
 * only what a path segment carries without encoding is taken: 1 to 128 RFC 3986 unreserved
 * characters (letters, digits, `-` `.` `_` `~`), the first a letter or digit (never a `.` or
 * `..` segment). Generated uuids (`<prefix>-<uuid4>`, at most 68 characters) and the readable
 * ones of scenarios (`admin`, `user-1`, `default`) are all of this form.
 */
export const MAX_CHOSEN_UUID_LENGTH = 128;
const CHOSEN_UUID = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$/;

export function isAddressableUuid(uuid: string): boolean {
  return uuid.length <= MAX_CHOSEN_UUID_LENGTH && CHOSEN_UUID.test(uuid);
}

export function randomIds(): Ids {
  return { uuid4: () => randomUUID(), nowMicros: () => Date.now() * 1000 };
}

/** sfc32: small, fast, good enough to make distinct uuids from a seed. */
function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    a |= 0; b |= 0; c |= 0; d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
}

/**
 * A seed is a whole number (0 to 2^32-1, the generator's last state word) or a text: a text
 * fills all four state words from its SHA-256, so two different texts never share a sequence
 * (short of a 128-bit collision) and none meets a number's.
 */
export type Seed = number | string;

function seedState(seed: Seed): [number, number, number, number] {
  if (typeof seed === 'number') return [0x9e3779b9, 0x243f6a88, 0xb7e15162, seed >>> 0];
  const h = createHash('sha256').update(seed, 'utf8').digest();
  return [h.readUInt32BE(0), h.readUInt32BE(4), h.readUInt32BE(8), h.readUInt32BE(12)];
}

export function seededIds(seed: Seed, startMicros = 1_700_000_000_000_000): Ids {
  const next = sfc32(...seedState(seed));
  for (let i = 0; i < 16; i++) next();
  let clock = startMicros;
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  return {
    uuid4() {
      const w = [next(), next(), next(), next()].map(hex).join('');
      const variant = ((parseInt(w[16]!, 16) & 0x3) | 0x8).toString(16);
      return `${w.slice(0, 8)}-${w.slice(8, 12)}-4${w.slice(13, 16)}-${variant}${w.slice(17, 20)}-${w.slice(20, 32)}`;
    },
    // A seeded clock advances a millisecond per call: reproducible, still increasing.
    nowMicros: () => (clock += 1000),
  };
}
