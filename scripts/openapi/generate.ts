/**
 * Builds avisim's OpenAPI 3.1 document from the Avi Swagger 2.0 files (one file per object
 * family) and, optionally, from recorded controller GET responses (fixtures).
 *
 * Only machine facts are carried over: types, formats, $refs, read-only flags, defaults, and a
 * few facts the swagger states in prose (enum lists, ranges, item counts, object references,
 * version of introduction/deprecation, units). No description, title or example text is copied.
 *
 * The output must be deterministic: everything that comes from iterating over files or maps is
 * sorted, so the same input gives a byte-identical document.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { systemPaths } from './system-paths.js';
import { filePaths } from './file-paths.js';

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/** Any JSON object (swagger input or OpenAPI output). */
export type Json = Record<string, any>;

export interface SwaggerFile {
  /** File name without the `.json` extension, e.g. "Pool". */
  name: string;
  doc: Json;
}

export interface AviTypeEntry {
  model: string;
  schema: string;
  uuidPrefix: string;
  singleton: boolean;
}

/** A type candidate as one swagger file describes it; several files may describe one segment. */
interface TypeCandidate extends AviTypeEntry {
  file: string;
}

export interface DefinitionConflict {
  name: string;
  files: string[];
  chosen: string;
}

export interface GenerationReport {
  conflicts: DefinitionConflict[];
  fixtureDefaults: number;
  fixtureObjects: number;
}

export interface GenerationResult {
  document: Json;
  report: GenerationReport;
}

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const SEGMENT_PATTERN = /^\/([a-z0-9_-]+)$/;
const DEFINITION_REF_PREFIX = '#/definitions/';
const COMPONENT_REF_PREFIX = '#/components/schemas/';

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

/** The OpenAPI document for a swagger folder (and optional fixtures folder). */
export function generateDocument(swaggerDir: string, fixturesDir?: string): object {
  return buildDocument(swaggerDir, fixturesDir).document;
}

/** Like generateDocument, but also returns what the CLI reports (conflicts, fixture defaults). */
export function buildDocument(swaggerDir: string, fixturesDir?: string): GenerationResult {
  const files = readSwaggerFiles(swaggerDir);
  const types = collectTypes(files);
  const knownModels = new Set(Object.values(types).map((t) => t.model));

  const { definitions, conflicts } = mergeDefinitions(files);
  const schemas: Json = {};
  for (const name of Object.keys(definitions).sort()) {
    schemas[name] = convertDefinition(definitions[name], knownModels);
  }
  schemas.AviPatch = aviPatchSchema();
  schemas.AviError = aviErrorSchema();

  let fixtureDefaults = 0;
  let fixtureObjects = 0;
  if (fixturesDir !== undefined) {
    const result = applyFixtureDefaults(schemas, types, readFixtureObjects(fixturesDir));
    fixtureDefaults = result.defaultsAdded;
    fixtureObjects = result.objectsWalked;
  }

  const version = swaggerVersion(files);
  const document: Json = {
    openapi: '3.1.0',
    info: { title: 'avisim: Avi controller API', version },
    'x-avi-version': version,
    'x-avi-types': types,
    paths: buildPaths(files, types, schemas),
    components: { schemas },
  };
  return { document, report: { conflicts, fixtureDefaults, fixtureObjects } };
}

// ---------------------------------------------------------------------------------------------
// Reading input
// ---------------------------------------------------------------------------------------------

/** Every swagger file of the folder, sorted by name. package.json is npm metadata, not swagger. */
export function readSwaggerFiles(swaggerDir: string): SwaggerFile[] {
  return readdirSync(swaggerDir)
    .filter((f) => f.endsWith('.json') && f !== 'package.json')
    .sort()
    .map((f) => ({ name: f.slice(0, -'.json'.length), doc: JSON.parse(readFileSync(join(swaggerDir, f), 'utf8')) }))
    .filter((f) => f.doc && typeof f.doc === 'object' && (f.doc.paths || f.doc.definitions));
}

/** The API version all files declare (the first file's, in sorted order). */
function swaggerVersion(files: SwaggerFile[]): string {
  for (const f of files) {
    const v = f.doc.info?.version;
    if (typeof v === 'string') return v;
  }
  return '0.0.0';
}

/** All JSON files under a folder (recursively), sorted by relative path. */
function listJsonFilesRecursively(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    const rel = prefix ? `${prefix}/${entry}` : entry;
    if (statSync(full).isDirectory()) out.push(...listJsonFilesRecursively(full, rel));
    else if (entry.endsWith('.json')) out.push(rel);
  }
  return out;
}

/** Every recorded object: the `results` items of collection responses, or the single object. */
export function readFixtureObjects(fixturesDir: string): Json[] {
  const objects: Json[] = [];
  for (const rel of listJsonFilesRecursively(fixturesDir)) {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(join(fixturesDir, rel), 'utf8'));
    } catch {
      continue; // a fixture that is not JSON carries no facts we can use
    }
    if (!isPlainObject(data)) continue;
    const items = Array.isArray(data.results) ? data.results : [data];
    for (const item of items) if (isPlainObject(item)) objects.push(item);
  }
  return objects;
}

// ---------------------------------------------------------------------------------------------
// Object types (x-avi-types)
// ---------------------------------------------------------------------------------------------

function definitionNameOf(ref: unknown): string | undefined {
  return typeof ref === 'string' && ref.startsWith(DEFINITION_REF_PREFIX) ? ref.slice(DEFINITION_REF_PREFIX.length) : undefined;
}

/** The $ref'd definition name of an operation's body parameter, if it has one. */
function bodyDefinitionName(operation: Json | undefined): string | undefined {
  const body = (operation?.parameters ?? []).find((p: Json) => p.in === 'body');
  return definitionNameOf(body?.schema?.$ref);
}

/**
 * What one file says about a top-level segment: a normal collection (POST creates, /{uuid}
 * addresses one object) or a singleton (GET+PUT on the segment itself, no POST, no /{uuid}).
 */
function typeCandidateFromFile(file: SwaggerFile, segment: string): TypeCandidate | undefined {
  const paths: Json = file.doc.paths ?? {};
  const item: Json = paths[`/${segment}`];
  const hasUuidPath = `/${segment}/{uuid}` in paths;
  const created = bodyDefinitionName(item.post);
  if (created && hasUuidPath) {
    return { file: file.name, model: created, schema: created, uuidPrefix: segment, singleton: false };
  }
  const replaced = bodyDefinitionName(item.put);
  if (!item.post && item.get && replaced && !hasUuidPath) {
    return { file: file.name, model: replaced, schema: replaced, uuidPrefix: segment, singleton: true };
  }
  return undefined;
}

/**
 * When files disagree about a segment (copy-paste artefacts: CloudProperties.json also declares
 * /controllerproperties as a collection), the file named after the model is authoritative, then
 * the model named like the segment, then the first file.
 */
function chooseTypeCandidate(segment: string, candidates: TypeCandidate[]): TypeCandidate {
  return (
    candidates.find((c) => c.file === c.model) ??
    candidates.find((c) => c.model.toLowerCase() === segment) ??
    candidates[0]
  );
}

/** Every config object type, keyed by its path segment, sorted by key. */
export function collectTypes(files: SwaggerFile[]): Record<string, AviTypeEntry> {
  const candidatesBySegment = new Map<string, TypeCandidate[]>();
  for (const file of files) {
    for (const path of Object.keys(file.doc.paths ?? {})) {
      const segment = SEGMENT_PATTERN.exec(path)?.[1];
      if (!segment) continue;
      const candidate = typeCandidateFromFile(file, segment);
      if (!candidate) continue;
      const list = candidatesBySegment.get(segment) ?? [];
      list.push(candidate);
      candidatesBySegment.set(segment, list);
    }
  }
  const types: Record<string, AviTypeEntry> = {};
  for (const segment of [...candidatesBySegment.keys()].sort()) {
    const { model, schema, uuidPrefix, singleton } = chooseTypeCandidate(segment, candidatesBySegment.get(segment)!);
    types[segment] = { model, schema, uuidPrefix, singleton };
  }
  return types;
}

// ---------------------------------------------------------------------------------------------
// Definitions: merging across files
// ---------------------------------------------------------------------------------------------

/**
 * The union of all files' definitions. The same name may be defined slightly differently in
 * different files; the file named after the definition wins, then the definition with the most
 * properties, then the first file in sorted order.
 */
export function mergeDefinitions(files: SwaggerFile[]): { definitions: Record<string, Json>; conflicts: DefinitionConflict[] } {
  const versions = new Map<string, { file: string; def: Json }[]>();
  for (const file of files) {
    for (const [name, def] of Object.entries<Json>(file.doc.definitions ?? {})) {
      const list = versions.get(name) ?? [];
      list.push({ file: file.name, def });
      versions.set(name, list);
    }
  }
  const definitions: Record<string, Json> = {};
  const conflicts: DefinitionConflict[] = [];
  for (const name of [...versions.keys()].sort()) {
    const list = versions.get(name)!;
    const distinct = new Set(list.map((v) => canonicalJson(v.def)));
    const chosen = distinct.size > 1 ? chooseDefinitionVersion(name, list) : list[0];
    definitions[name] = chosen.def;
    if (distinct.size > 1) conflicts.push({ name, files: list.map((v) => v.file), chosen: chosen.file });
  }
  return { definitions, conflicts };
}

function chooseDefinitionVersion(name: string, list: { file: string; def: Json }[]): { file: string; def: Json } {
  const sameName = list.find((v) => v.file === name);
  if (sameName) return sameName;
  const size = (v: { def: Json }) => Object.keys(v.def.properties ?? {}).length;
  // Largest first; ties keep sorted-file order because the sort is stable.
  return [...list].sort((a, b) => size(b) - size(a))[0];
}

/** JSON with sorted keys, to compare definitions regardless of key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    isPlainObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  );
}

// ---------------------------------------------------------------------------------------------
// Definitions: converting to JSON Schema 2020-12
// ---------------------------------------------------------------------------------------------

/** `{type: object, required?, properties}`; open objects (no additionalProperties), like the controller. */
export function convertDefinition(def: Json, knownModels: Set<string>): Json {
  const out: Json = { type: 'object' };
  if (Array.isArray(def.required) && def.required.length > 0) out.required = [...def.required];
  const properties: Json = {};
  for (const [name, prop] of Object.entries<Json>(def.properties ?? {})) {
    properties[name] = convertProperty(prop, knownModels);
  }
  out.properties = properties;
  return out;
}

function convertRef(ref: string): string {
  const name = definitionNameOf(ref);
  return name !== undefined ? COMPONENT_REF_PREFIX + name : ref;
}

/** Structural facts only: $ref, type, format, items (the latter converted recursively). */
function convertStructure(schema: Json): Json {
  const out: Json = {};
  if (typeof schema.$ref === 'string') out.$ref = convertRef(schema.$ref);
  if (schema.type !== undefined) out.type = schema.type;
  if (schema.format !== undefined) out.format = schema.format;
  if (isPlainObject(schema.items)) out.items = convertStructure(schema.items);
  // One swagger property (a map of series) uses additionalProperties; keeping it is structure,
  // and dropping it would make the value unconstrained.
  if (isPlainObject(schema.additionalProperties)) out.additionalProperties = convertStructure(schema.additionalProperties);
  return out;
}

/**
 * A swagger property → JSON Schema. Descriptions are dropped, but the facts Avi states in them
 * (enums, ranges, item counts, references, versions, units, edition defaults) are kept as keywords.
 */
export function convertProperty(prop: Json, knownModels: Set<string>): Json {
  const out = convertStructure(prop);
  const facts = parseDescriptionFacts(typeof prop.description === 'string' ? prop.description : '');
  const isArray = prop.type === 'array';
  const scalarType = isArray ? out.items?.type : out.type;
  // Array facts about the elements go on `items`, facts about the array itself stay on the array.
  const valueSchema: Json | undefined = isArray ? out.items : out;

  if (facts.enum && scalarType === 'string' && valueSchema) valueSchema.enum = facts.enum;
  if (facts.range && (scalarType === 'integer' || scalarType === 'number') && valueSchema) {
    applyRange(valueSchema, facts.range, facts.specialValues);
  }
  if (isArray && facts.minItems !== undefined) out.minItems = facts.minItems;
  if (isArray && facts.maxItems !== undefined) out.maxItems = facts.maxItems;

  if (prop.default !== undefined) out.default = prop.default;
  else {
    const editionDefault = editionDefaultFor(facts.enterpriseDefault, prop.type);
    if (editionDefault !== undefined) out.default = editionDefault;
  }
  if (prop.readOnly === true) out.readOnly = true;
  if (facts.reference) out['x-avi-ref'] = canonicalModelName(facts.reference, knownModels);
  if (facts.introduced) out['x-avi-introduced'] = facts.introduced;
  if (facts.deprecated) out['x-avi-deprecated'] = facts.deprecated;
  if (facts.unit) out['x-avi-unit'] = facts.unit;
  return out;
}

/**
 * min/max, or — when Avi also names special values outside the normal meaning (0 = disable,
 * -1 = unlimited) — either the range or one of the special values.
 */
function applyRange(schema: Json, range: [number, number], specialValues: number[] | undefined): void {
  const [minimum, maximum] = range;
  if (specialValues && specialValues.length > 0) {
    schema.anyOf = [{ minimum, maximum }, { enum: specialValues }];
  } else {
    schema.minimum = minimum;
    schema.maximum = maximum;
  }
}

/**
 * The swagger drops some false/0 defaults that exist only per edition; the Enterprise edition's
 * value (the edition the simulator models) is the default, if it fits the property's type.
 */
function editionDefaultFor(value: string | undefined, type: unknown): boolean | number | undefined {
  if (value === undefined) return undefined;
  if (type === 'boolean' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  if (type === 'integer' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

/** References name models with inconsistent case ("Virtualservice"); use the type's own spelling. */
function canonicalModelName(name: string, knownModels: Set<string>): string {
  if (knownModels.has(name)) return name;
  const lower = name.toLowerCase();
  for (const model of knownModels) if (model.toLowerCase() === lower) return model;
  return name;
}

// ---------------------------------------------------------------------------------------------
// Facts stated in description text
// ---------------------------------------------------------------------------------------------

export interface DescriptionFacts {
  enum?: string[];
  range?: [number, number];
  specialValues?: number[];
  minItems?: number;
  maxItems?: number;
  reference?: string;
  introduced?: string;
  deprecated?: string;
  unit?: string;
  /** Raw Enterprise-edition value of a "Special default for ..." sentence. */
  enterpriseDefault?: string;
}

const NUMBER = String.raw`[-+]?\d+(?:\.\d+)?`;
const RANGE_RE = new RegExp(String.raw`Allowed values are (${NUMBER})\s?-\s?(${NUMBER})(?![\d,])`);
const ENUM_RE = /Enum options - (.*?)(?:\.\s|\.?$)/;
const ENUM_TOKEN_RE = /^[A-Za-z0-9_]+$/;
const SPECIAL_VALUES_RE = /Special values are (.*?)(?:\.\s|\.?$)/;
const SPECIAL_VALUE_ENTRY_RE = /(?:^|,\s*)(-?\d+)\s*-/g;
const SPECIAL_DEFAULT_RE = /Special default for [^.]*?Enterprise(?: edition)? is (\w+)/;
const MAX_ITEMS_RE = /Maximum of (\d+) items/;
const MIN_ITEMS_RE = /Minimum of (\d+) items required/;
const REFERENCE_RE = /It is a reference to an object of type ([A-Za-z0-9_]+)/;
const INTRODUCED_RE = /Field introduced in (\d+(?:\.\d+)+)/;
// Both "Field deprecated in X" and the shorter "Deprecated in X" state the same fact.
const DEPRECATED_RE = /\b[Dd]eprecated in (\d+(?:\.\d+)+)/;
const UNIT_RE = /Unit is ([A-Za-z_]+)/;

/** Extracts the machine facts from a property description; nothing else of the text is kept. */
export function parseDescriptionFacts(description: string): DescriptionFacts {
  const facts: DescriptionFacts = {};
  const enumMatch = ENUM_RE.exec(description);
  if (enumMatch) {
    const tokens = enumMatch[1].split(',').map((t) => t.trim());
    if (tokens.length > 0 && tokens.every((t) => ENUM_TOKEN_RE.test(t))) facts.enum = tokens;
  }
  const range = RANGE_RE.exec(description);
  if (range) facts.range = [Number(range[1]), Number(range[2])];
  const special = SPECIAL_VALUES_RE.exec(description);
  if (special) {
    const values = [...special[1].matchAll(SPECIAL_VALUE_ENTRY_RE)].map((m) => Number(m[1]));
    if (values.length > 0) facts.specialValues = values;
  }
  const maxItems = MAX_ITEMS_RE.exec(description);
  if (maxItems) facts.maxItems = Number(maxItems[1]);
  const minItems = MIN_ITEMS_RE.exec(description);
  if (minItems) facts.minItems = Number(minItems[1]);
  const reference = REFERENCE_RE.exec(description);
  if (reference) facts.reference = reference[1];
  const introduced = INTRODUCED_RE.exec(description);
  if (introduced) facts.introduced = introduced[1];
  const deprecated = DEPRECATED_RE.exec(description);
  if (deprecated) facts.deprecated = deprecated[1];
  const unit = UNIT_RE.exec(description);
  if (unit) facts.unit = unit[1];
  const specialDefault = SPECIAL_DEFAULT_RE.exec(description);
  if (specialDefault) facts.enterpriseDefault = specialDefault[1];
  return facts;
}

// ---------------------------------------------------------------------------------------------
// Defaults the swagger omits but real controllers return (false / 0)
// ---------------------------------------------------------------------------------------------

const FIXTURE_URL_TYPE_RE = /\/api\/([a-z0-9_-]+)\/[^/?#]+/;

/**
 * Real controllers fill in false/0 for many fields whose swagger default is missing (protobuf
 * zero values). Where a recorded object shows such a value for a field without a default, that
 * value is the default. Only false and 0 are taken: other recorded values are data, not defaults.
 */
export function applyFixtureDefaults(
  schemas: Json,
  types: Record<string, AviTypeEntry>,
  objects: Json[],
): { defaultsAdded: number; objectsWalked: number } {
  let defaultsAdded = 0;
  let objectsWalked = 0;
  for (const object of objects) {
    const typeKey = typeof object.url === 'string' ? FIXTURE_URL_TYPE_RE.exec(object.url)?.[1] : undefined;
    const type = typeKey !== undefined ? types[typeKey] : undefined;
    if (!type || !schemas[type.schema]) continue;
    objectsWalked++;
    defaultsAdded += walkObjectWithSchema(object, schemas[type.schema], schemas);
  }
  return { defaultsAdded, objectsWalked };
}

/** Walks a recorded object and its schema together; returns how many defaults it set. */
function walkObjectWithSchema(object: Json, schema: Json, schemas: Json): number {
  const properties: Json = schema.properties ?? {};
  let added = 0;
  for (const key of Object.keys(object).sort()) {
    const prop: Json | undefined = properties[key];
    if (!isPlainObject(prop)) continue;
    const value = object[key];
    if (zeroValueDefaultFits(value, prop)) {
      prop.default = value;
      added++;
    } else if (isPlainObject(value)) {
      added += walkNested(value, prop, schemas);
    } else if (Array.isArray(value) && isPlainObject(prop.items)) {
      for (const element of value) if (isPlainObject(element)) added += walkNested(element, prop.items, schemas);
    }
  }
  return added;
}

/** A nested recorded object, walked with the schema its property refers to (if any). */
function walkNested(value: Json, schema: Json, schemas: Json): number {
  const target = resolveComponentRef(schema, schemas);
  return target ? walkObjectWithSchema(value, target, schemas) : 0;
}

function resolveComponentRef(schema: Json, schemas: Json): Json | undefined {
  if (typeof schema.$ref === 'string' && schema.$ref.startsWith(COMPONENT_REF_PREFIX)) {
    return schemas[schema.$ref.slice(COMPONENT_REF_PREFIX.length)];
  }
  return schema.properties ? schema : undefined;
}

function zeroValueDefaultFits(value: unknown, prop: Json): boolean {
  if (prop.default !== undefined) return false;
  if (value === false) return prop.type === 'boolean';
  if (value === 0) return prop.type === 'integer';
  return false;
}

// ---------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------

function componentRef(name: string): Json {
  return { $ref: COMPONENT_REF_PREFIX + name };
}

function jsonContent(schema: Json): Json {
  return { 'application/json': { schema } };
}

function jsonResponse(description: string, schema: Json): Json {
  return { description, content: jsonContent(schema) };
}

function jsonRequestBody(schema: Json, required = true): Json {
  return { required, content: jsonContent(schema) };
}

function pathParameter(name: string): Json {
  return { name, in: 'path', required: true, schema: { type: 'string' } };
}

/** The swagger's query parameters of an operation, as typed OpenAPI parameters (first of a name wins). */
function queryParameters(operation: Json | undefined): Json[] {
  const seen = new Set<string>();
  const out: Json[] = [];
  for (const p of operation?.parameters ?? []) {
    if (p.in !== 'query' || typeof p.name !== 'string' || seen.has(p.name)) continue;
    seen.add(p.name);
    out.push({ name: p.name, in: 'query', required: false, schema: { type: p.type ?? 'string' } });
  }
  return out;
}

/** The file whose paths define a type (its model's own file if it has the path, else the first). */
function fileDefiningType(files: SwaggerFile[], segment: string, type: AviTypeEntry): SwaggerFile | undefined {
  const withPath = files.filter((f) => f.doc.paths?.[`/${segment}`]);
  return withPath.find((f) => f.name === type.model) ?? withPath[0];
}

function normalTypePaths(segment: string, type: AviTypeEntry, listOperation: Json | undefined, schemas: Json): Json {
  const schema = componentRef(type.schema);
  const listResponse = schemas[`${type.schema}ApiResponse`] ? componentRef(`${type.schema}ApiResponse`) : { type: 'object' };
  return {
    [`/api/${segment}`]: {
      get: { operationId: `${segment}.list`, parameters: queryParameters(listOperation), responses: { 200: jsonResponse('OK', listResponse) } },
      post: { operationId: `${segment}.create`, requestBody: jsonRequestBody(schema), responses: { 201: jsonResponse('Created', schema) } },
    },
    [`/api/${segment}/{uuid}`]: {
      parameters: [pathParameter('uuid')],
      get: { operationId: `${segment}.get`, responses: { 200: jsonResponse('OK', schema) } },
      put: { operationId: `${segment}.replace`, requestBody: jsonRequestBody(schema), responses: { 200: jsonResponse('OK', schema) } },
      patch: { operationId: `${segment}.patch`, requestBody: jsonRequestBody(componentRef('AviPatch')), responses: { 200: jsonResponse('OK', schema) } },
      delete: { operationId: `${segment}.delete`, responses: { 204: { description: 'No Content' } } },
    },
  };
}

function singletonTypePaths(segment: string, type: AviTypeEntry): Json {
  const schema = componentRef(type.schema);
  return {
    [`/api/${segment}`]: {
      get: { operationId: `${segment}.get`, responses: { 200: jsonResponse('OK', schema) } },
      put: { operationId: `${segment}.replace`, requestBody: jsonRequestBody(schema), responses: { 200: jsonResponse('OK', schema) } },
      patch: { operationId: `${segment}.patch`, requestBody: jsonRequestBody(componentRef('AviPatch')), responses: { 200: jsonResponse('OK', schema) } },
    },
  };
}

/** A swagger path that is not a type's CRUD path, kept as written (including trailing slashes). */
function otherPath(path: string, item: Json): Json {
  const apiPath = `/api${path}`;
  const out: Json = {};
  const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  if (names.length > 0) out.parameters = [...new Set(names)].map(pathParameter);
  for (const method of HTTP_METHODS) {
    const operation: Json | undefined = item[method];
    if (!operation) continue;
    const converted: Json = { operationId: `${method.toUpperCase()} ${apiPath}` };
    const body = (operation.parameters ?? []).find((p: Json) => p.in === 'body');
    if (typeof body?.schema?.$ref === 'string') {
      converted.requestBody = jsonRequestBody({ $ref: convertRef(body.schema.$ref) }, body.required === true);
    }
    converted.responses = { 200: { description: 'OK' } };
    converted['x-avisim-generic'] = false;
    out[method] = converted;
  }
  return out;
}

/**
 * Typed CRUD paths for every type, then every other swagger path (first file in sorted order
 * wins). The swagger's own `/<type>` and `/<type>/{uuid}` are always replaced by the typed ones,
 * also for singletons: a file that wrongly declares /{uuid} for a singleton must not add it back.
 */
export function buildPaths(files: SwaggerFile[], types: Record<string, AviTypeEntry>, schemas: Json): Json {
  const paths: Json = {};
  const ownedByTypes = new Set<string>();
  for (const [segment, type] of Object.entries(types)) {
    ownedByTypes.add(`/${segment}`);
    ownedByTypes.add(`/${segment}/{uuid}`);
    const file = fileDefiningType(files, segment, type);
    const typed = type.singleton
      ? singletonTypePaths(segment, type)
      : normalTypePaths(segment, type, file?.doc.paths?.[`/${segment}`]?.get, schemas);
    Object.assign(paths, typed);
  }
  for (const file of files) {
    for (const [path, item] of Object.entries<Json>(file.doc.paths ?? {})) {
      if (ownedByTypes.has(path) || paths[`/api${path}`]) continue;
      paths[`/api${path}`] = otherPath(path, item);
    }
  }
  Object.assign(paths, systemPaths(), filePaths());
  return Object.fromEntries(Object.keys(paths).sort().map((k) => [k, paths[k]]));
}

// ---------------------------------------------------------------------------------------------
// Our own schemas
// ---------------------------------------------------------------------------------------------

/** Avi's PATCH body: add/replace/delete maps of fields, or an RFC 6902 JSON Patch list. */
function aviPatchSchema(): Json {
  return {
    type: 'object',
    properties: {
      add: { type: 'object' },
      replace: { type: 'object' },
      delete: { type: 'object' },
      json_patch: {
        type: 'array',
        items: {
          type: 'object',
          required: ['op', 'path'],
          properties: {
            op: { enum: ['add', 'remove', 'replace', 'move', 'copy', 'test'] },
            path: { type: 'string' },
            from: { type: 'string' },
            value: {},
          },
        },
      },
    },
  };
}

/** Avi's error body. */
function aviErrorSchema(): Json {
  return { type: 'object', required: ['error'], properties: { error: { type: 'string' }, obj_name: { type: 'string' } } };
}

// ---------------------------------------------------------------------------------------------
// Document checks (used by the CLI)
// ---------------------------------------------------------------------------------------------

/** Every local `$ref` of the document that does not resolve. */
export function findUnresolvedRefs(document: Json): string[] {
  const unresolved = new Set<string>();
  visitJson(document, (node) => {
    const ref = node.$ref;
    if (typeof ref === 'string' && resolvePointer(document, ref) === undefined) unresolved.add(ref);
  });
  return [...unresolved].sort();
}

/** Every `x-avi-ref` name that is not the model of an x-avi-types entry, with its use count. */
export function findUnknownAviRefs(document: Json): Map<string, number> {
  const models = new Set(Object.values<AviTypeEntry>(document['x-avi-types'] ?? {}).map((t) => t.model));
  const unknown = new Map<string, number>();
  visitJson(document, (node) => {
    const name = node['x-avi-ref'];
    if (typeof name === 'string' && !models.has(name)) unknown.set(name, (unknown.get(name) ?? 0) + 1);
  });
  return new Map([...unknown.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

function resolvePointer(document: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isPlainObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Json)[key];
    if (node === undefined) return undefined;
  }
  return node;
}

function visitJson(node: unknown, visit: (node: Json) => void): void {
  if (Array.isArray(node)) for (const item of node) visitJson(item, visit);
  else if (isPlainObject(node)) {
    visit(node);
    for (const value of Object.values(node)) visitJson(value, visit);
  }
}

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
