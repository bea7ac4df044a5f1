/**
 * Builds the smallest body the document says an object of a type needs: a `name` (when the
 * type has one) and every `required` field, recursively. Nothing here knows a type by name:
 * values come from the schema (enum, default, minimum/maximum and their special values,
 * minItems, nested $ref) and references are delegated to the caller, who knows how to find
 * or create an object of the target type.
 */
import type { AviDocument } from '../../server/core/catalog.js';

type Json = Record<string, any>;

export interface MinimalBodyOptions {
  /** value for `name`, when the schema has that field */
  name?: string;
  /**
   * A reference (any form the API accepts) to an existing object of `targetType`, a path
   * segment of `x-avi-types`. Called for every required reference field.
   */
  refTo: (targetType: string) => Promise<string>;
}

/** How deep nested required objects are followed; guards against recursive schemas. */
const MAX_NESTING = 12;

/** `x-avi-ref` model name → the type (path segment) that stores it, if the document has one. */
export function refTargetType(doc: AviDocument, model: string): string | undefined {
  const wanted = model.toLowerCase();
  for (const [type, t] of Object.entries(doc['x-avi-types'])) {
    if (t.model.toLowerCase() === wanted) return type;
  }
  return undefined;
}

export async function minimalBody(doc: AviDocument, type: string, opts: MinimalBodyOptions): Promise<Json> {
  const info = doc['x-avi-types'][type];
  if (!info) throw new Error(`unknown type ${type}`);
  const gen = new Generator(doc, opts);
  const body = await gen.object(info.schema, 0);
  const props = doc.components.schemas[info.schema]?.properties ?? {};
  if (opts.name !== undefined && 'name' in props) body.name = opts.name;
  return body;
}

class Generator {
  constructor(
    private readonly doc: AviDocument,
    private readonly opts: MinimalBodyOptions,
  ) {}

  async object(schemaName: string, depth: number): Promise<Json> {
    if (depth > MAX_NESTING) throw new Error(`required fields nest deeper than ${MAX_NESTING} at ${schemaName}`);
    const schema = this.doc.components.schemas[schemaName] ?? {};
    const props: Json = schema.properties ?? {};
    const out: Json = {};
    for (const field of (schema.required ?? []) as string[]) {
      const prop = props[field];
      if (!prop) continue; // required but undeclared: nothing sensible to send
      out[field] = await this.field(field, prop, depth);
    }
    return out;
  }

  private async field(field: string, prop: Json, depth: number): Promise<unknown> {
    if (prop.type === 'array') {
      const items: Json = prop.items ?? {};
      let n = Math.max(typeof prop.minItems === 'number' ? prop.minItems : 0, 1);
      if (typeof prop.maxItems === 'number') n = Math.min(n, prop.maxItems);
      const ref: string | undefined = prop['x-avi-ref'] ?? items['x-avi-ref'];
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(await this.value(field, items, ref, depth, i));
      return out;
    }
    return this.value(field, prop, prop['x-avi-ref'], depth, 0);
  }

  private async value(field: string, s: Json, refModel: string | undefined, depth: number, index: number): Promise<unknown> {
    if (typeof s.$ref === 'string') return this.object(s.$ref.split('/').pop()!, depth + 1);
    const enumValues: unknown[] | undefined = Array.isArray(s.enum) ? s.enum : undefined;
    if (enumValues?.length) return enumValues[Math.min(index, enumValues.length - 1)];
    switch (s.type) {
      case 'boolean':
        return false;
      case 'integer':
      case 'number':
        return numberFor(s);
      case 'object':
        return {};
      default: {
        if (refModel) {
          const target = refTargetType(this.doc, refModel);
          if (target) return this.opts.refTo(target);
          return `${refModel.toLowerCase()}-${index + 1}`; // a target the API does not store
        }
        if (typeof s.default === 'string') return s.default;
        return plausibleString(field, index);
      }
    }
  }
}

/** The minimum of the allowed range, else the default, else 1 (kept within the maximum). */
function numberFor(s: Json): number {
  const range: Json = Array.isArray(s.anyOf)
    ? s.anyOf.find((x: Json) => 'minimum' in x || 'maximum' in x) ?? {}
    : s;
  const special: unknown[] = Array.isArray(s.anyOf) ? s.anyOf.flatMap((x: Json) => (Array.isArray(x.enum) ? x.enum : [])) : [];
  const min = typeof range.minimum === 'number' ? range.minimum : undefined;
  const max = typeof range.maximum === 'number' ? range.maximum : undefined;
  if (min !== undefined) return min;
  if (typeof s.default === 'number') {
    const inRange = max === undefined || s.default <= max;
    if (inRange || special.includes(s.default)) return s.default;
  }
  return max !== undefined && max < 1 ? max : 1;
}

/** A string that reads like what the field holds; the simulator only needs it non-empty. */
function plausibleString(field: string, index: number): string {
  const f = field.toLowerCase();
  const n = index + 1;
  if (/(^|_)(addr|ip|ip_address|address)$/.test(f)) return `10.10.10.${n}`;
  if (/(url|uri)$/.test(f)) return `https://example.com/${f}/${n}`;
  if (/email/.test(f)) return `admin${n}@example.com`;
  if (/(_at|_until|date|timestamp)$/.test(f)) return '2030-01-01T00:00:00Z';
  if (/(dir|path)$/.test(f)) return `/tmp/${f}${n}`;
  if (/uuid$/.test(f)) return `${f.replace(/_?uuid$/, '') || 'obj'}-${n}`;
  return `${f}-${n}`;
}
