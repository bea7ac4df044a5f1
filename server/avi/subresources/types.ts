/**
 * The shape of a type's sub-resources (`GET /api/<type>/<uuid>/<path>`) and actions
 * (`POST|PUT|PATCH /api/<type>[/<uuid>]/<path>`), written against the object service only: no
 * HTTP here. A handler takes the call and answers the body, or throws an AviError.
 */
import type { Rec } from '../../core/store.js';
import type { Ctx, ObjectService } from '../objects.js';

export interface SubCall {
  svc: ObjectService;
  type: string;
  /** the path after the object (or the collection), without slashes at the ends: `runtime/detail` */
  sub: string;
  method: string;
  /** the object the path names; absent for a collection-level action (`POST /api/<type>/clear`) */
  rec?: Rec;
  query: URLSearchParams;
  body: unknown;
  /** the document's request schema of the operation, when it has one */
  bodySchema?: string;
  ctx: Ctx;
  includeName: boolean;
}

export type SubHandler = (call: SubCall) => unknown;

/**
 * An action that must first do work that waits (a key generation): `prepare` runs before the
 * write, `run` then does the write synchronously with what it made (one transaction).
 */
export interface PreparedAction {
  prepare(call: SubCall): Promise<unknown>;
  run(call: SubCall, prepared: unknown): unknown;
}

export type Action = SubHandler | PreparedAction;

export interface TypeSubresources {
  /** GET sub-resources by path (`runtime/detail`) */
  get?: Record<string, SubHandler>;
  /** the document's response schema (component name) a GET answer follows, by path */
  schemas?: Record<string, string>;
  /** actions by path (`scaleout`, `runtime/stats/clear`) */
  actions?: Record<string, Action>;
}
