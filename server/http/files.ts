/**
 * File endpoints as the SDKs call them (handlers keyed by the document's operationIds):
 *
 * - `POST /api/fileservice/<directory>` (uploads, hsmpackages, ipamdnsscripts): every file part
 *   of a multipart form is stored in the directory the form's `uri` names (`controller://...`,
 *   the endpoint's own by default); 201 without a body. A file already at that path is replaced.
 * - `GET /api/fileservice?uri=controller://<dir>/<file>`: the file's bytes, as uploaded;
 *   `?uri=controller://<dir>`: its files `{count, results: [{url, size, modified}]}`, newest first.
 *   `DELETE` with a file's URI removes it (204 also when there is none, as deleting a file that
 *   is not there leaves what was asked for).
 * - `POST /api/fileobject/upload`: the form's `file` becomes a fileobject with the form's
 *   fields (name, type, version, ...); 201 with the object.
 * - `POST /api/wafapplicationsignatureprovider/<uuid>/update`: the form's file becomes the
 *   provider's rule set (types/wafapplicationsignatureprovider.ts); 200 with the provider.
 *
 * Every upload is stored as a fileobject (server/avi/files.ts); writes are one transaction each.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Context } from 'openapi-backend';
import type { Engine } from '../engine.js';
import { errors } from '../avi/errors.js';
import {
  cleanFilename, contentOf, FILE_ROOT, FILE_TYPE, fileAt, filesIn, putFile, relativePathOf, uriOf, type Upload,
} from '../avi/files.js';
import { PROVIDER_TYPE, updateRuleset } from '../avi/types/wafapplicationsignatureprovider.js';
import { renderLocation } from '../avi/refs.js';
import type { Ctx, ObjectService } from '../avi/objects.js';
import type { Data, Rec } from '../core/store.js';
import { readMultipartForm, type Form, type FormFile } from './multipart.js';

/** What these handlers read of the API handler's call (server/http/api.ts, not imported: no cycle). */
interface FileCall {
  headers: IncomingHttpHeaders;
  raw: Buffer | undefined;
  query: URLSearchParams;
  ctx: Ctx;
}
type FileHandler = (c: Context, call: FileCall, res: ServerResponse) => unknown;

/** A JSON answer, as api.ts's. */
function sendJsonText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The file-service upload directories, and the fileobject type a file stored in each gets [inferred]. */
const UPLOAD_DIRECTORIES: Record<string, string> = { uploads: 'OTHER_FILE_TYPES', hsmpackages: 'HSMPACKAGES', ipamdnsscripts: 'IPAMDNSSCRIPTS' };
/** Directories that must be named as themselves (the others' uploads may name any directory). */
const FIXED_DIRECTORY = new Set(['hsmpackages', 'ipamdnsscripts']);
/** Where `POST /api/fileobject/upload` keeps files [inferred]. */
const FILEOBJECT_DIRECTORY = 'fileobjects';
/** The form fields of a fileobject upload that are fileobject fields (the rest are ignored). */
const FILEOBJECT_FIELDS = ['name', 'type', 'version', 'description', 'read_only', 'restrict_download', 'compressed', 'expires_at', 'is_federated'];

async function formOf(call: FileCall): Promise<Form> {
  const ct = call.headers['content-type'];
  return readMultipartForm(call.raw, Array.isArray(ct) ? ct[0] : ct);
}

function filesOf(form: Form): FormFile[] {
  if (form.files.length === 0) throw errors.noFileInUpload();
  return form.files;
}

function uploadOf(file: FormFile): Upload {
  return { filename: cleanFilename(file.filename || file.field), content: file.content };
}

/** `controller://...` in a query as a link (each segment percent-encoded). */
function fileUrl(base: string, path: string): string {
  const uri = uriOf(path);
  const [scheme, rest] = [uri.slice(0, 'controller://'.length), uri.slice('controller://'.length)];
  return `${base}/api/fileservice?uri=${scheme}${rest.split('/').map(encodeURIComponent).join('/')}`;
}

function timestamp(micros: unknown): string {
  const n = Number(micros);
  return Number.isFinite(n) ? new Date(Math.floor(n / 1000)).toISOString().replace('T', ' ').slice(0, 19) : '';
}

/** A name for a new file's object: its file name, else (taken in the tenant) its path below the root. */
function freeName(svc: ObjectService, rel: string, ctx: Ctx): string {
  const filename = rel.split('/').pop()!;
  const tenant = ctx.tenant === '*' ? 'admin' : ctx.tenant;
  for (const _ of svc.store.byName(FILE_TYPE, tenant, filename)) return rel;
  return filename;
}

function sendFile(res: ServerResponse, rec: Rec, content: Buffer): void {
  const name = String(rec.data.path ?? '').split('/').pop() || rec.uuid;
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': content.length,
    'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`,
  });
  res.end(content);
}

export function fileHandlers(engine: Engine): Record<string, FileHandler> {
  const svc = engine.objects;

  const upload = (dir: string): FileHandler => async (_c, call, res) => {
    const form = await formOf(call);
    const files = filesOf(form);
    const rel = relativePathOf(form.fields.get('uri') ?? `controller://${dir}`);
    if (FIXED_DIRECTORY.has(dir) && rel !== dir) throw errors.fileUri(form.fields.get('uri')!);
    const uploads = files.map(uploadOf);
    await engine.transact(() => {
      for (const u of uploads) {
        const path = `${rel}/${u.filename}`;
        const existing = fileAt(svc, path, call.ctx);
        const meta = { name: freeName(svc, path, call.ctx), type: UPLOAD_DIRECTORIES[dir], path: FILE_ROOT + path };
        putFile(svc, call.ctx, meta, u.content, existing);
      }
    });
    res.writeHead(201, { 'Content-Length': 0 }).end();
  };

  const handlers: Record<string, FileHandler> = {
    'fileservice.get': (_c, call, res) => {
      const uri = call.query.get('uri');
      const rel = relativePathOf(uri);
      const file = fileAt(svc, rel, call.ctx);
      if (file) {
        const content = contentOf(file);
        // an object made through the plain API describes a file; the controller only has uploaded ones
        if (!content) throw errors.fileNotFound(uri!);
        if (file.data.restrict_download === true) throw errors.downloadRestricted(uri!);
        return sendFile(res, file, content);
      }
      const listed = filesIn(svc, rel, call.ctx);
      if (listed.length === 0 && !Object.hasOwn(UPLOAD_DIRECTORIES, rel) && rel !== FILEOBJECT_DIRECTORY) throw errors.fileNotFound(uri!);
      const results = listed.map((r) => ({ url: fileUrl(call.ctx.base, String(r.data.path)), size: r.data.size ?? 0, modified: timestamp(r.data._last_modified) }));
      sendJsonText(res, 200, JSON.stringify({ count: results.length, results }));
    },

    'fileservice.delete': async (_c, call, res) => {
      const uri = call.query.get('uri');
      const rel = relativePathOf(uri);
      const file = fileAt(svc, rel, call.ctx);
      if (!file && (filesIn(svc, rel, call.ctx).length > 0 || Object.hasOwn(UPLOAD_DIRECTORIES, rel))) throw errors.directoryDelete(uri!);
      if (file) await engine.transact(() => svc.remove(FILE_TYPE, file.uuid, call.ctx));
      res.writeHead(204).end();
    },

    'fileobject.upload': async (_c, call, res) => {
      const form = await formOf(call);
      const file = filesOf(form).find((f) => f.field === 'file') ?? form.files[0]!;
      const u = uploadOf(file);
      const meta: Data = { name: u.filename };
      for (const k of FILEOBJECT_FIELDS) {
        const v = form.fields.get(k);
        if (v !== undefined) meta[k] = v;
      }
      const uuid = `${svc.info(FILE_TYPE).uuidPrefix}-${svc.ids.uuid4()}`;
      meta.uuid = uuid;
      meta.path = `${FILE_ROOT}${FILEOBJECT_DIRECTORY}/${uuid}/${u.filename}`;
      const answer = await engine.transact(() => {
        const rec = putFile(svc, call.ctx, meta, u.content);
        return { json: JSON.stringify(svc.render(rec, call.ctx, true)), location: renderLocation(call.ctx.base, FILE_TYPE, rec.uuid, svc.nameOf(rec)) };
      });
      sendJsonText(res, 201, answer.json, { Location: answer.location });
    },

    'wafapplicationsignatureprovider.update': async (c: Context, call, res) => {
      const uuid = String(c.request.params.uuid ?? '');
      svc.getWritable(PROVIDER_TYPE, uuid, call.ctx);
      const form = await formOf(call);
      const u = uploadOf(filesOf(form)[0]!);
      const json = await engine.transact(() => {
        const rec = updateRuleset(svc, svc.getWritable(PROVIDER_TYPE, uuid, call.ctx), u);
        return JSON.stringify(svc.render(rec, call.ctx, true));
      });
      sendJsonText(res, 200, json);
    },
  };
  for (const dir of Object.keys(UPLOAD_DIRECTORIES)) handlers[`fileservice.${dir}`] = upload(dir);
  return handlers;
}
