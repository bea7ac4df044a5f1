/**
 * The generic operations every object type gets from the document: list, create, get,
 * replace, patch, delete (and get/replace/patch on the collection path for singletons).
 * A write answers only once the store's change is durable (group commit when persisted), and is
 * one transaction with its answer (Engine.transact): whatever fails before the answer is sent,
 * rendering included, undoes it.
 */
import type { ServerResponse } from 'node:http';
import type { Context } from 'openapi-backend';
import type { Engine } from '../engine.js';
import { errors } from '../avi/errors.js';
import { preparedBody } from '../avi/behaviour.js';
import { listObjects, readView, renderRead } from '../avi/query.js';
import { renderLocation } from '../avi/refs.js';
import type { Rec } from '../core/store.js';
import { sendJsonText, type ApiCall } from './api.js';

export const GENERIC_KINDS = new Set(['list', 'create', 'get', 'replace', 'patch', 'delete']);

/** Singletons live on the collection path; their one object is the first (and only) one. */
function singleton(engine: Engine, type: string): Rec {
  for (const rec of engine.store.collection(type).values()) return rec;
  throw errors.objectNotFound(engine.catalog.typeInfo(type)!.model);
}

export async function genericHandler(
  engine: Engine,
  type: string,
  kind: string,
  c: Context,
  call: ApiCall,
  res: ServerResponse,
): Promise<void> {
  const { ctx, query, rawQuery, body } = call;
  const svc = engine.objects;
  const info = svc.info(type);
  const uuid = info.singleton ? singleton(engine, type).uuid : String(c.request.params.uuid ?? '');
  switch (kind) {
    case 'list':
      return sendJsonText(res, 200, listObjects(svc, type, query, rawQuery, ctx).json);
    case 'get':
      return sendJsonText(res, 200, renderRead(svc, svc.getOne(type, uuid, ctx), ctx, readView(query)));
    case 'create': {
      const slug = call.headers.slug;
      const input = await preparedBody(svc, type, body, undefined, ctx);
      // The whole answer is built inside the write: if it cannot be, the write is undone.
      const answer = await engine.transact(() => {
        const rec = svc.create(type, input, ctx, { slug: typeof slug === 'string' ? slug : undefined });
        const location = renderLocation(ctx.base, type, rec.uuid, svc.nameOf(rec));
        return { json: JSON.stringify(svc.render(rec, ctx, true)), location };
      });
      return sendJsonText(res, 201, answer.json, { Location: answer.location });
    }
    case 'replace':
    case 'patch': {
      const input = kind === 'replace' ? await preparedBody(svc, type, body, svc.store.get(type, uuid), ctx) : body;
      const json = await engine.transact(() => {
        const rec = kind === 'replace' ? svc.replace(type, uuid, input, ctx) : svc.patch(type, uuid, input, ctx);
        return JSON.stringify(svc.render(rec, ctx, true));
      });
      return sendJsonText(res, 200, json);
    }
    case 'delete':
      await engine.transact(() => svc.remove(type, uuid, ctx));
      res.writeHead(204).end();
      return;
  }
}
