/**
 * The two questions every walk over parsed JSON asks (client bodies, stored objects, scenario
 * files, recorded exchanges): is this a plain object, and the list that is here or none. One copy,
 * so every layer reads JSON the same way.
 */

export type JsonObject = Record<string, unknown>;

/** A JSON object (not null, not a list). */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The list `v` is, or an empty one when it is anything else (absent, null, a scalar). */
export function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
