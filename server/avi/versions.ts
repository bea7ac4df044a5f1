/**
 * API version gating. With `X-Avi-Version: A`, a body field introduced after A (swagger "Field
 * introduced in X", kept as `x-avi-introduced`) is refused the way the controller refuses it.
 */
import type { Shape } from '../core/catalog.js';
import { AviError, errors } from './errors.js';
import { isObject } from './shape-ops.js';

export type Version = number[];

/** `22.1.3` or `22_1_3` → [22, 1, 3]; anything else is the controller's "Invalid version". */
export function parseVersion(text: string): Version {
  const t = text.trim();
  if (!/^\d+([._]\d+){1,3}$/.test(t)) throw new AviError(400, `Invalid version ${text}`);
  return t.split(/[._]/).map(Number);
}

export const dotted = (v: Version) => v.join('.');
export const underscored = (v: Version) => v.join('_');

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Throws for the first field of `body` (depth first) introduced after `requested`. */
export function checkIntroduced(body: Record<string, unknown>, shape: Shape, requested: Version): void {
  const found = firstNewer(body, shape, requested);
  if (found) throw errors.fieldTooNew(underscored(requested), found.field, underscored(found.introduced));
}

function firstNewer(obj: Record<string, unknown>, shape: Shape, requested: Version): { field: string; introduced: Version } | undefined {
  for (const [key, v] of Object.entries(obj)) {
    const f = shape.fields.get(key);
    if (!f) continue;
    if (f.introduced && isNewer(f.introduced, requested)) return { field: key, introduced: parseVersion(f.introduced) };
    if (!f.child) continue;
    const items = Array.isArray(v) ? v : [v];
    for (const item of items) {
      if (!isObject(item)) continue;
      const inner = firstNewer(item, f.child, requested);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** True when a field introduced in `introduced` is unknown to a client of version `requested`. */
export function isNewer(introduced: string, requested: Version): boolean {
  return compareVersions(parseVersion(introduced), requested) > 0;
}

/** A copy without the fields (at any depth) introduced after `requested`. */
export function stripNewer(obj: Record<string, unknown>, shape: Shape, requested: Version): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(obj)) {
    const f = shape.fields.get(key);
    if (f?.introduced && isNewer(f.introduced, requested)) continue;
    const child = f?.child;
    if (child && isObject(v)) out[key] = stripNewer(v, child, requested);
    else if (child && Array.isArray(v)) out[key] = v.map((i) => (isObject(i) ? stripNewer(i, child, requested) : i));
    else out[key] = v;
  }
  return out;
}
