/**
 * Multipart forms with their files as bytes, for the upload endpoints (the generic body reader,
 * server/http/media.ts, keeps only text values). Parsed with busboy over the body the API
 * handler already read within its limit, so memory stays bounded by that limit; fields and
 * parts are counted and sized too.
 *
 * What busboy tolerates, clients rely on: the Go SDK's file-service upload writes its `uri`
 * field after the closing boundary, which is ignored here (the endpoint's own directory is the
 * default), and a part's file name is its last path segment.
 */
import { Readable } from 'node:stream';
import busboy from 'busboy';
import { AviError, errors } from '../avi/errors.js';
import { mediaTypeOf } from './media.js';

export interface FormFile {
  field: string;
  filename: string;
  mimeType: string;
  content: Buffer;
}

export interface Form {
  /** text fields by name (a repeated name keeps its first value) */
  fields: Map<string, string>;
  files: FormFile[];
}

const LIMITS = { fields: 64, fieldSize: 64 * 1024, parts: 256, fieldNameSize: 200 };

/** The form of a `multipart/form-data` body; any other body is an empty form. */
export function readMultipartForm(raw: Buffer | undefined, contentType: string | undefined): Promise<Form> {
  const form: Form = { fields: new Map(), files: [] };
  if (!raw || raw.length === 0 || mediaTypeOf(contentType) !== 'multipart/form-data') return Promise.resolve(form);
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType! }, limits: LIMITS, defParamCharset: 'utf8' });
    } catch (e) {
      return reject(errors.multipart((e as Error).message));
    }
    let open = 0;
    let closed = false;
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      reject(e instanceof AviError ? e : errors.multipart((e as Error)?.message ?? String(e)));
    };
    const settle = () => {
      if (closed && open === 0 && !failed) resolve(form);
    };
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated || info.nameTruncated) return fail(errors.multipart(`field '${name.slice(0, 64)}' is too long`));
      if (!form.fields.has(name)) form.fields.set(name, value);
    });
    parser.on('file', (field, stream, info) => {
      open++;
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', fail);
      stream.on('end', () => {
        form.files.push({ field, filename: info.filename ?? '', mimeType: info.mimeType, content: Buffer.concat(chunks) });
        open--;
        settle();
      });
    });
    parser.on('fieldsLimit', () => fail(errors.multipart('too many fields')));
    parser.on('partsLimit', () => fail(errors.multipart('too many parts')));
    parser.on('error', fail);
    parser.on('close', () => {
      closed = true;
      settle();
    });
    Readable.from([raw]).pipe(parser);
  });
}
