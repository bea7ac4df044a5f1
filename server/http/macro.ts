/**
 * The macro API (contract §12): an object and its inline children created (or deleted) in one
 * request, all or nothing.
 *
 * `{"model_name": "VirtualService", "data": {..., "vsvip_ref_data": {...}, "pool_group_ref_data":
 * {"members": [{"pool_ref_data": {...}}]}}}`: every `<x>_ref_data` (at any depth, also inside a
 * child) is a child object of the type `<x>_ref` refers to; a `<x>_refs_data` list holds several.
 * Children come first (depth first, in body order), each referred to by its parent through
 * `<x>_ref` = `/api/<type>/<uuid>`; the object itself is created last. A child without
 * `tenant_ref`/`cloud_ref` takes its parent's [inferred: the objects of one macro live together].
 *
 * All or nothing: the writes and the rendering of the answer run synchronously between a
 * snapshot of the store and the end, so no other request sees a half-done macro; when one fails,
 * the store is restored to the snapshot (order, indexes and clock included) and persistence
 * writes a snapshot of it (a restore is not a journal line), then the client gets the failing
 * write's error. A commit that fails afterwards undoes the macro's changes (Engine.transact).
 *
 * Statuses [inferred]: POST answers 200 with a JSON array of the created objects, children first,
 * each rendered as a POST answers it (older AKO reads the array and looks for each type in the
 * objects' `url`); DELETE answers 204 like a DELETE of one object.
 */
import type { Engine } from '../engine.js';
import { errors } from '../avi/errors.js';
import { isObject } from '../avi/shape-ops.js';
import { ADMIN_TENANT, ALL_TENANTS, type Ctx } from '../avi/objects.js';
import type { Shape, TypeInfo } from '../core/catalog.js';
import type { Data, Rec } from '../core/store.js';
import { sendJsonText, type ApiHandler } from './api.js';

/** Fields a child takes from the object it is inlined in when it has none of its own. */
const INHERITED = ['tenant_ref', 'cloud_ref'] as const;

/** Called for each inline child, depth first; answers the ref the parent gets. */
type OnChild = (info: TypeInfo, data: Data) => string;

export function macroHandlers(engine: Engine): Record<string, ApiHandler> {
  const svc = engine.objects;

  /** The body's model and object, or the 400. */
  function parseBody(body: unknown): { info: TypeInfo; data: Data } {
    if (!isObject(body) || typeof body.model_name !== 'string' || !isObject(body.data)) throw errors.macroBody();
    const info = engine.catalog.typeOfModel(body.model_name);
    if (!info) throw errors.macroModel(body.model_name);
    return { info, data: body.data };
  }

  /**
   * `data` with every `<x>_ref_data` (`<x>_refs_data`) replaced by `<x>_ref` (`<x>_refs`) as
   * `onChild` answers for the child, below nested objects and lists too. A `*_ref_data` field
   * whose `<x>_ref` the schema lacks is left as sent (and dropped as unknown, like any field).
   */
  function expand(data: Data, shape: Shape, parent: Data, onChild: OnChild, path: string): Data {
    const out: Data = {};
    const appended = new Map<string, string[]>();
    for (const [key, value] of Object.entries(data)) {
      const single = key.endsWith('_ref_data') ? key.slice(0, -'_data'.length) : undefined;
      const many = key.endsWith('_refs_data') ? key.slice(0, -'_data'.length) : undefined;
      const target = single ?? many;
      const field = target ? shape.fields.get(target) : undefined;
      const info = field?.ref ? engine.catalog.typeInfo(field.ref) : undefined;
      if (target && field && info && (field.kind === 'array') === !!many) {
        if (value === null || value === undefined) continue;
        if (many) {
          if (!Array.isArray(value)) throw errors.macroChild(path + key);
          const refs = value.map((item, i) => {
            if (!isObject(item)) throw errors.macroChild(`${path}${key}[${i}]`);
            return child(info, item, parent, onChild);
          });
          appended.set(target, [...(appended.get(target) ?? []), ...refs]);
        } else {
          if (!isObject(value)) throw errors.macroChild(path + key);
          out[target] = child(info, value, parent, onChild);
        }
        continue;
      }
      const nested = shape.fields.get(key)?.child;
      if (nested && isObject(value)) out[key] = expand(value, nested, parent, onChild, `${path}${key}.`);
      else if (nested && Array.isArray(value)) {
        out[key] = value.map((item, i) => (isObject(item) ? expand(item, nested, parent, onChild, `${path}${key}[${i}].`) : item));
      } else out[key] = value;
    }
    for (const [target, refs] of appended) {
      out[target] = [...(Array.isArray(out[target]) ? (out[target] as unknown[]) : []), ...refs];
    }
    return out;
  }

  /** One inline child: its own children first, then `onChild` for it. */
  function child(info: TypeInfo, data: Data, parent: Data, onChild: OnChild): string {
    const own: Data = { ...data };
    const props = engine.catalog.shapeOf(info.type).fields;
    for (const f of INHERITED) if (own[f] === undefined && parent[f] !== undefined && props.has(f)) own[f] = parent[f];
    return onChild(info, expand(own, engine.catalog.shapeOf(info.type), own, onChild, ''));
  }

  /**
   * Runs `work` (synchronous: no other request interleaves) as one write: when it throws, the
   * store is put back exactly as it was (order and indexes included); when the commit fails
   * after it, its changes are undone (Engine.transact). Either way that is durable before the
   * error is answered.
   */
  function atomically<T>(work: () => T): Promise<T> {
    return engine.transact(() => {
      const before = engine.store.snapshot();
      let changed = false;
      const stop = engine.store.subscribe(() => (changed = true));
      try {
        return work();
      } catch (e) {
        if (changed) engine.store.restore(before);
        throw e;
      } finally {
        stop();
      }
    });
  }

  /** The stored object a macro's DELETE names: by uuid when given, else by name. */
  function find(info: TypeInfo, data: Data, ctx: Ctx): Rec {
    const tenant = ctx.tenant === ALL_TENANTS ? ADMIN_TENANT : ctx.tenant;
    let uuid = typeof data.uuid === 'string' ? data.uuid : undefined;
    if (!uuid && typeof data.name === 'string') {
      const cloud = info.cloudScoped
        ? typeof data.cloud_ref === 'string'
          ? svc.tryResolve('cloud', data.cloud_ref, { tenant })
          : svc.defaultCloud()
        : undefined;
      uuid = svc.lookupByName(info.type, data.name, { tenant, cloud })?.uuid;
    }
    if (!uuid) throw errors.objectNotFound(info.model);
    return svc.getWritable(info.type, uuid, ctx);
  }

  return {
    'macro.create': async (_c, call, res) => {
      const { info, data } = parseBody(call.body);
      const { ctx } = call;
      // rendered inside the write: an answer that cannot be made undoes the macro
      const json = await atomically(() => {
        const recs: Rec[] = [];
        const onChild: OnChild = (childInfo, childData) => {
          const rec = svc.create(childInfo.type, childData, ctx);
          recs.push(rec);
          return `/api/${rec.type}/${rec.uuid}`;
        };
        onChild(info, expand(data, engine.catalog.shapeOf(info.type), data, onChild, ''));
        return JSON.stringify(recs.map((rec) => svc.render(rec, ctx, true)));
      });
      sendJsonText(res, 200, json);
    },
    'macro.delete': async (_c, call, res) => {
      const { info, data } = parseBody(call.body);
      const { ctx } = call;
      // Found in creation order (children first, as the POST made them), deleted in reverse.
      const plan: Rec[] = [];
      const onChild: OnChild = (childInfo, childData) => {
        const rec = find(childInfo, childData, ctx);
        if (!plan.includes(rec)) plan.push(rec);
        return `/api/${rec.type}/${rec.uuid}`;
      };
      onChild(info, expand(data, engine.catalog.shapeOf(info.type), data, onChild, ''));
      await atomically(() => {
        for (const rec of plan.reverse()) svc.remove(rec.type, rec.uuid, ctx);
      });
      res.writeHead(204).end();
    },
  };
}
