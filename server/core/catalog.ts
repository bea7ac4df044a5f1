/**
 * The catalog turns the generated OpenAPI document into what the engine needs at run time:
 * the table of object types and, per schema, a compiled "shape" that knows which fields exist,
 * which are references (and to what), their defaults and the version that introduced them.
 * Shapes are compiled lazily, on first use of a type, so start-up does not pay for all of them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectFile } from './paths.js';

export interface TypeInfo {
  /** path segment, e.g. `pool`, `vsvip` */
  type: string;
  /** Avi model name, e.g. `Pool`, `VsVip` */
  model: string;
  /** name of the schema in components.schemas */
  schema: string;
  uuidPrefix: string;
  singleton: boolean;
  /** objects carry a tenant_ref */
  tenantScoped: boolean;
  /** objects carry a cloud_ref; their names are unique per (tenant, cloud) */
  cloudScoped: boolean;
}

/** What a scalar value (or each scalar item of a list) must satisfy, from the schema. */
export interface ValueRule {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'object';
  enum?: ReadonlySet<unknown>;
  min?: number;
  max?: number;
  /** values allowed outside [min, max] ("Special values are 0 - Disable") */
  special?: readonly number[];
  /** string length bounds, in characters (code points) */
  minLength?: number;
  maxLength?: number;
}

/**
 * The longest object name a controller takes: 255 characters, as its documentation of object
 * names says. The document states no bound of its own, so every type's top-level `name` gets it.
 */
export const MAX_NAME_LENGTH = 255;

export interface FieldShape {
  name: string;
  kind: 'scalar' | 'object' | 'array';
  /** rule for the value itself (scalars) or for each item (lists of scalars) */
  rule?: ValueRule;
  minItems?: number;
  maxItems?: number;
  /** target type (path segment) when the field (or each item of it) is a reference */
  ref?: string;
  /** nested shape for objects and arrays of objects */
  child?: Shape;
  default?: unknown;
  readOnly: boolean;
  introduced?: string;
}

export interface Shape {
  schema: string;
  fields: Map<string, FieldShape>;
  required: readonly string[];
  /** true when this shape or anything below it has a reference field */
  hasRefs: boolean;
  /** true when this shape or anything below it has a default */
  hasDefaults: boolean;
}

type JsonSchema = Record<string, any>;
export interface AviDocument {
  openapi: string;
  info: { title: string; version: string };
  'x-avi-version': string;
  'x-avi-types': Record<string, { model: string; schema: string; uuidPrefix: string; singleton: boolean }>;
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, JsonSchema> };
}

export const defaultDocumentPath = projectFile('openapi', 'avi.json');

let cachedDocument: AviDocument | undefined;

/** The committed document, read once per process (it is large and never mutated). */
export function loadDocument(file = defaultDocumentPath): AviDocument {
  if (file === defaultDocumentPath) {
    cachedDocument ??= JSON.parse(readFileSync(file, 'utf8')) as AviDocument;
    return cachedDocument;
  }
  return JSON.parse(readFileSync(path.resolve(file), 'utf8')) as AviDocument;
}

function valueRule(s: JsonSchema): ValueRule | undefined {
  const rule: ValueRule = {};
  if (['string', 'integer', 'number', 'boolean', 'object'].includes(s.type)) rule.type = s.type;
  if (Array.isArray(s.enum)) rule.enum = new Set(s.enum);
  let range: JsonSchema = s;
  if (Array.isArray(s.anyOf)) {
    range = s.anyOf.find((x: JsonSchema) => 'minimum' in x || 'maximum' in x) ?? {};
    rule.special = s.anyOf.flatMap((x: JsonSchema) => (Array.isArray(x.enum) ? x.enum : []));
  }
  if (typeof range.minimum === 'number') rule.min = range.minimum;
  if (typeof range.maximum === 'number') rule.max = range.maximum;
  if (typeof s.minLength === 'number') rule.minLength = s.minLength;
  if (typeof s.maxLength === 'number') rule.maxLength = s.maxLength;
  return Object.keys(rule).length ? rule : undefined;
}

export class Catalog {
  readonly types = new Map<string, TypeInfo>();
  private readonly byModel = new Map<string, TypeInfo>();
  private readonly shapes = new Map<string, Shape>();
  /** schemas that are an object type's own (whose `name` is an object name) */
  private readonly typeSchemas = new Set<string>();
  /** shapes built during the current outermost shape() call, settled when it returns */
  private pending: Shape[] = [];
  private depth = 0;

  constructor(readonly doc: AviDocument) {
    const schemas = doc.components.schemas;
    for (const [type, t] of Object.entries(doc['x-avi-types'])) {
      const props = schemas[t.schema]?.properties ?? {};
      const info: TypeInfo = {
        type,
        model: t.model,
        schema: t.schema,
        uuidPrefix: t.uuidPrefix,
        singleton: t.singleton,
        tenantScoped: 'tenant_ref' in props,
        cloudScoped: 'cloud_ref' in props,
      };
      this.types.set(type, info);
      this.byModel.set(t.model.toLowerCase(), info);
      this.typeSchemas.add(t.schema);
    }
  }

  get version(): string {
    return this.doc['x-avi-version'];
  }

  typeInfo(type: string): TypeInfo | undefined {
    return this.types.get(type);
  }

  /** Model name as written in "reference to an object of type X" → the type it names. */
  typeOfModel(model: string): TypeInfo | undefined {
    return this.byModel.get(model.toLowerCase());
  }

  shapeOf(type: string): Shape {
    const info = this.types.get(type);
    if (!info) throw new Error(`unknown type ${type}`);
    return this.shape(info.schema);
  }

  shape(schemaName: string): Shape {
    const cached = this.shapes.get(schemaName);
    if (cached) return cached;
    const schema = this.doc.components.schemas[schemaName];
    const shape: Shape = {
      schema: schemaName,
      fields: new Map(),
      required: schema?.required ?? [],
      hasRefs: false,
      hasDefaults: false,
    };
    // Register before filling so recursive schemas terminate.
    this.shapes.set(schemaName, shape);
    this.pending.push(shape);
    this.depth++;
    try {
      for (const [name, prop] of Object.entries<JsonSchema>(schema?.properties ?? {})) {
        shape.fields.set(name, this.field(name, prop));
      }
      const name = shape.fields.get('name')?.rule;
      if (this.typeSchemas.has(schemaName) && name?.type === 'string') name.maxLength ??= MAX_NAME_LENGTH;
    } finally {
      this.depth--;
    }
    if (this.depth === 0) {
      this.settleFlags(this.pending);
      this.pending = [];
    }
    return shape;
  }

  private field(name: string, prop: JsonSchema): FieldShape {
    const f: FieldShape = { name, kind: 'scalar', readOnly: prop.readOnly === true };
    if (prop.default !== undefined) f.default = prop.default;
    if (prop['x-avi-introduced']) f.introduced = prop['x-avi-introduced'];
    const refModel: string | undefined = prop['x-avi-ref'];
    if (refModel) f.ref = this.typeOfModel(refModel)?.type ?? refModel.toLowerCase();
    const item = prop.type === 'array' ? prop.items ?? {} : undefined;
    if (item) {
      f.kind = 'array';
      if (typeof prop.minItems === 'number') f.minItems = prop.minItems;
      if (typeof prop.maxItems === 'number') f.maxItems = prop.maxItems;
    }
    const target = item ?? prop;
    if (typeof target.$ref === 'string') {
      if (!item) f.kind = 'object';
      f.child = this.shape(target.$ref.slice('#/components/schemas/'.length));
    } else {
      const rule = valueRule(target);
      if (rule) f.rule = rule;
    }
    return f;
  }

  /** hasRefs/hasDefaults are transitive; recursive schemas need a fixpoint over the new shapes. */
  private settleFlags(shapes: Shape[]): void {
    let changed = true;
    while (changed) {
      changed = false;
      for (const shape of shapes) {
        for (const f of shape.fields.values()) {
          const refs = !!f.ref || !!f.child?.hasRefs;
          const defaults = f.default !== undefined || !!f.child?.hasDefaults;
          if (refs && !shape.hasRefs) changed = shape.hasRefs = true;
          if (defaults && !shape.hasDefaults) changed = shape.hasDefaults = true;
        }
      }
    }
  }
}
