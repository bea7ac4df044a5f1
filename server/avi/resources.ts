/**
 * What an object type answers beyond its CRUD: the sub-resources a GET reads
 * (`/api/virtualservice/<uuid>/runtime/`) and the actions a POST runs
 * (`/api/virtualservice/<uuid>/scaleout`), declared in the type's module under
 * server/avi/types/ and registered in types/index.ts. The HTTP pipeline routes every operation
 * of the API document whose path is `/api/<type>/{uuid}/<name>` to the type's declaration of
 * `<name>` (the path's rest, without its trailing slash), so a type's behaviour is added here
 * without touching server/http/. Nothing here knows HTTP: a resource answers a value.
 */
import type { Rec } from '../core/store.js';
import type { ObjectService } from './objects.js';
import type { Ctx } from './context.js';

export interface ResourceCall {
  svc: ObjectService;
  /** tenant, base URL, query and API version of the request */
  ctx: Ctx;
  query: URLSearchParams;
  rawQuery: string;
  /** the query's `include_name` */
  includeName: boolean;
  /** the path's `{uuid}` ('' on a collection path) */
  uuid: string;
  /** the request body, parsed */
  body: unknown;
  /** the object the path names, as a GET finds it (the usual 404 when this tenant cannot see it) */
  object(): Rec;
  /** runs a change as one write: undone when anything in it throws, durable once it resolves */
  transact<T>(work: () => T): Promise<T>;
}

/**
 * A sub-resource or action: answers the JSON body of a 200, or a `Reply` for another status;
 * throws an AviError (server/avi/errors.ts) to refuse.
 */
export type Resource = (call: ResourceCall) => unknown;

export interface TypeResources {
  /** GET `/api/<type>/<uuid>/<name>/`, by name: `runtime`, `runtime/detail`, ... */
  views?: Readonly<Record<string, Resource>>;
  /** POST `/api/<type>/<uuid>/<name>`, by name: `scaleout`, ... */
  actions?: Readonly<Record<string, Resource>>;
  /** the type's own collection read, in place of the generic one */
  list?: Resource;
  /** the type's own object read, in place of the generic one */
  get?: Resource;
}

/** An answer with another status than 200 (a body of `undefined` is an empty answer). */
export class Reply {
  constructor(
    readonly status: number,
    readonly body?: unknown,
  ) {}
}

/** The declaration of `name` in `table`, own entries only. */
export function resourceIn(table: Readonly<Record<string, Resource>> | undefined, name: string): Resource | undefined {
  return table && Object.hasOwn(table, name) ? table[name] : undefined;
}

/**
 * `GET /api/<type>/<uuid>/runtime/` as a controller answers it: the object's url (with uuid and
 * name when `identity`), then its runtime fields.
 */
export function runtimeView(type: string, identity: boolean, body: (rec: Rec, call: ResourceCall) => Record<string, unknown>): Resource {
  return (call) => {
    const rec = call.object();
    const url = call.svc.renderRef(call.ctx.base, type, rec.uuid, call.includeName);
    const head = identity ? { uuid: rec.uuid, name: call.svc.nameOf(rec), url } : { url };
    return { ...head, ...body(rec, call) };
  };
}
