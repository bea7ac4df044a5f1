/**
 * The object part of openapi/scenario.schema.json, made from openapi/avi.json: an entry of
 * `objects` is `<type>: {fields}`, and each type's fields are described by its Avi schema (and
 * the schemas it nests), so an editor checks an enum or a range inside an object as the write
 * path will. The rest of the scenario schema (controller, nsxt, exchanges, ...) is written by
 * hand in the same file and kept as it is.
 *
 * What a scenario object may hold is what a client may POST: read-only fields are left out,
 * refs are strings (a name, a uuid or a URL), and unknown fields are not refused (the write
 * path drops them; `avisim validate` warns about them).
 */

type Json = Record<string, any>;

/** `$defs` names of the Avi schemas: `avi.<Schema>`, apart from the hand-written ones. */
const PREFIX = 'avi.';

/** The keywords of an Avi property schema that describe values; the rest (units, versions) is not kept. */
const KEPT = ['type', 'enum', 'minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'default', 'description'];

export function buildScenarioSchema(avi: Json, current: Json): Json {
  const schemas: Json = avi.components.schemas;
  const types: Json = avi['x-avi-types'];
  const defs: Json = {};
  const queue: string[] = [];
  const want = (name: string) => {
    if (!(PREFIX + name in defs)) {
      defs[PREFIX + name] = null;
      queue.push(name);
    }
    return { $ref: `#/$defs/${PREFIX}${name}` };
  };
  const property = (p: Json): Json => {
    if (typeof p.$ref === 'string') return want(p.$ref.slice('#/components/schemas/'.length));
    const out: Json = {};
    for (const k of KEPT) if (p[k] !== undefined) out[k] = p[k];
    if (p['x-avi-ref']) out.description = `a ref to a ${p['x-avi-ref']}: its name, uuid or URL`;
    if (Array.isArray(p.anyOf)) out.anyOf = p.anyOf.map(property);
    if (p.items) out.items = property(p.items);
    return out;
  };
  const typeNames = Object.keys(types).sort();
  for (const type of typeNames) want(types[type].schema);
  while (queue.length) {
    const name = queue.shift()!;
    const s = schemas[name] ?? {};
    const properties: Json = {};
    for (const [field, p] of Object.entries<Json>(s.properties ?? {})) {
      if (p.readOnly) continue;
      properties[field] = property(p);
    }
    const def: Json = { type: 'object', properties };
    const required = (s.required ?? []).filter((r: string) => r in properties);
    if (required.length) def.required = required;
    defs[PREFIX + name] = def;
  }
  const object: Json = {
    type: 'object',
    description: "one Avi object: '<type>: {fields}' with the type as in /api/<type>; fields as a client would POST them (refs by name), plus _system",
    minProperties: 1,
    maxProperties: 1,
    propertyNames: { enum: typeNames },
    properties: Object.fromEntries(
      typeNames.map((type) => [
        type,
        {
          type: 'object',
          allOf: [{ $ref: `#/$defs/${PREFIX}${types[type].schema}` }],
          properties: { _system: { type: 'boolean', description: 'a system-default object: it cannot be deleted' } },
        },
      ]),
    ),
  };
  const handWritten = Object.fromEntries(Object.entries<Json>(current.$defs ?? {}).filter(([k]) => !k.startsWith(PREFIX)));
  const sorted = Object.fromEntries(Object.keys(defs).sort().map((k) => [k, defs[k]]));
  return { ...current, $defs: { ...handWritten, object, ...sorted } };
}

/** The file's text: the hand-written part indented, each Avi schema on a line of its own (the file stays diffable). */
export function formatSchema(schema: Json): string {
  const generated = Object.entries<Json>(schema.$defs).filter(([k]) => k.startsWith(PREFIX));
  const rest = { ...schema, $defs: Object.fromEntries(Object.entries<Json>(schema.$defs).filter(([k]) => !k.startsWith(PREFIX))) };
  const text = JSON.stringify(rest, null, 2);
  // the $defs mapping is the last member: its closing brace precedes the document's
  const at = text.lastIndexOf('\n  }\n}');
  const lines = generated.map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n');
  return `${text.slice(0, at)},\n${lines}${text.slice(at)}\n`;
}
