/**
 * Files the simulated controller keeps. Every uploaded file is a `fileobject` (size, SHA-1
 * checksum, path under the controller's file root) whose bytes are held on the object itself,
 * in a field no answer shows (types/fileobject.ts), so persistence, reset, sandboxes and delete
 * follow the file like any other state. A file is addressed by the file service's URI,
 * `controller://<directory>/<file>`, which is its path below the file root.
 *
 * Bounded: one file is at most a request body; all files of a controller together at most
 * MAX_STORED_BYTES (an upload that would pass it is refused with 413, nothing stored).
 */
import { createHash } from 'node:crypto';
import { errors } from './errors.js';
import type { Ctx, ObjectService } from './objects.js';
import type { Data, Rec } from '../core/store.js';

export const FILE_TYPE = 'fileobject';
/** The field holding a file's bytes (base64) on its fileobject; never answered. */
export const CONTENT = '_content';
/** Where `controller://` points [inferred: the controller keeps uploads below /var/lib/avi]. */
export const FILE_ROOT = '/var/lib/avi/';
const SCHEME = 'controller://';
/** All stored file bytes of one controller together. */
export const MAX_STORED_BYTES = 128 * 1024 * 1024;

export interface Upload {
  /** the part's file name, without any directory */
  filename: string;
  content: Buffer;
}

export function sha1Hex(content: Buffer): string {
  return createHash('sha1').update(content).digest('hex');
}

/** The bytes a fileobject holds, if it holds any. */
export function contentOf(rec: Rec): Buffer | undefined {
  const b64 = rec.data[CONTENT];
  return typeof b64 === 'string' ? Buffer.from(b64, 'base64') : undefined;
}

/**
 * A `controller://` URI as a path below the file root (`uploads/a.bin`, `uploads`), or the
 * controller's 400. No `..`, no empty segments: a URI names a place inside the root or nothing.
 */
export function relativePathOf(uri: string | null): string {
  if (!uri || !uri.startsWith(SCHEME)) throw errors.fileUri(uri ?? '');
  const rel = uri.slice(SCHEME.length).replace(/^\/+|\/+$/g, '');
  const segments = rel.split('/');
  if (!rel || segments.some((s) => s === '' || s === '.' || s === '..')) throw errors.fileUri(uri);
  return rel;
}

export function uriOf(path: string): string {
  return SCHEME + (path.startsWith(FILE_ROOT) ? path.slice(FILE_ROOT.length) : path.replace(/^\/+/, ''));
}

/** A file name as kept: its last path segment (clients send local paths), or a 400. */
export function cleanFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  if (!base || base === '.' || base === '..' || /[\u0000-\u001f]/.test(base)) throw errors.fileName(name);
  return base;
}

/** The fileobject stored at a path below the root, if any (files are few: a scan). */
export function fileAt(svc: ObjectService, rel: string, ctx: Ctx): Rec | undefined {
  const path = FILE_ROOT + rel;
  for (const rec of svc.store.collection(FILE_TYPE).values()) {
    if (rec.data.path === path && svc.visible(rec, ctx)) return rec;
  }
  return undefined;
}

/** The files directly in a directory below the root, newest first. */
export function filesIn(svc: ObjectService, dir: string, ctx: Ctx): Rec[] {
  const prefix = FILE_ROOT + dir + '/';
  const found: Rec[] = [];
  for (const rec of svc.store.collection(FILE_TYPE).values()) {
    const path = rec.data.path;
    if (typeof path === 'string' && path.startsWith(prefix) && !path.slice(prefix.length).includes('/') && svc.visible(rec, ctx)) {
      found.push(rec);
    }
  }
  return found.reverse();
}

function storedBytes(svc: ObjectService): number {
  let total = 0;
  for (const rec of svc.store.collection(FILE_TYPE).values()) {
    if (typeof rec.data[CONTENT] === 'string' && typeof rec.data.size === 'number') total += rec.data.size;
  }
  return total;
}

/**
 * Stores a file: a new fileobject made through the normal write path from `meta` (the client's
 * fields, validated like any create), or, when `replacing` is given, that object with the new
 * bytes. Size and checksum are the bytes'. Call inside a transaction: a refusal stores nothing.
 */
export function putFile(svc: ObjectService, ctx: Ctx, meta: Data, content: Buffer, replacing?: Rec): Rec {
  const freed = replacing && typeof replacing.data.size === 'number' && typeof replacing.data[CONTENT] === 'string' ? replacing.data.size : 0;
  if (storedBytes(svc) - freed + content.length > MAX_STORED_BYTES) throw errors.fileStoreFull(MAX_STORED_BYTES);
  const facts = { size: content.length, checksum: sha1Hex(content) };
  const rec = replacing ?? svc.create(FILE_TYPE, { ...meta, ...facts, created: createdNow(svc) }, ctx);
  return svc.rewrite(rec, { ...rec.data, ...facts, [CONTENT]: content.toString('base64') });
}

/** `YYYY-MM-DD HH:MM:SS` UTC [inferred: the controller's usual timestamp form]. */
function createdNow(svc: ObjectService): string {
  return new Date(Math.floor(svc.ids.nowMicros() / 1000)).toISOString().replace('T', ' ').slice(0, 19);
}
