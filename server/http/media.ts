/**
 * Request bodies by media type, as the controller's API framework reads them: JSON, an
 * urlencoded form (the Python SDK logs in with one) or a multipart form (the Go SDK uploads files
 * with one; tools log in with one). Anything else with a body is refused with 415, so a JSON
 * text sent as `text/plain` is not taken for JSON. A body without a Content-Type is read as JSON
 * [inferred leniency: no client we know of sends one, and refusing it helps no test].
 *
 * JSON goes through parseClientJson (bounded depth, no `__proto__` keys); forms are flat, and a
 * `__proto__` field is refused the same way.
 */
import { errors } from '../avi/errors.js';
import { checkKeys, parseClientJson, UnsafeJson } from '../core/json-safety.js';

/** The media type of a Content-Type header, lowercased, without parameters ('' when absent). */
export function mediaTypeOf(contentType: string | undefined): string {
  if (!contentType) return '';
  const semi = contentType.indexOf(';');
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/** The body of an API request, or the controller's 400/415. */
export function parseApiBody(raw: Buffer | undefined, contentType: string | undefined): unknown {
  if (!raw || raw.length === 0) return undefined;
  try {
    switch (mediaTypeOf(contentType)) {
      case '':
      case 'application/json':
        try {
          return parseClientJson(raw);
        } catch (e) {
          if (e instanceof SyntaxError) throw errors.badJson(e.message);
          throw e;
        }
      case 'application/x-www-form-urlencoded':
        return parseForm(raw);
      case 'multipart/form-data':
        return parseMultipart(raw, contentType!);
      default:
        throw errors.unsupportedMediaType(contentType!);
    }
  } catch (e) {
    if (e instanceof UnsafeJson) throw errors.invalid(`Invalid data: ${e.message}`);
    throw e;
  }
}

/**
 * A body as the request journal and fault rules see it: parsed as the API would, else the text
 * itself (a refused body is still shown). Never throws.
 */
export function parseForJournal(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  try {
    return parseApiBody(raw, contentType);
  } catch {
    return raw.toString('utf8');
  }
}

function parseForm(raw: Buffer): Record<string, string> {
  const out = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  checkKeys(out);
  return out;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * `multipart/form-data`: each part's value by its field name (file parts as their text). No
 * boundary is a parse error, as on the controller; a body without any part is an empty form.
 */
function parseMultipart(raw: Buffer, contentType: string): Record<string, string> {
  const m = /;\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw errors.multipart('Invalid boundary in multipart: None');
  const delimiter = Buffer.from(`--${boundary}`);
  const fields: Array<[string, string]> = [];
  let at = raw.indexOf(delimiter);
  while (at >= 0) {
    at += delimiter.length;
    if (raw[at] === 0x2d && raw[at + 1] === 0x2d) break; // `--boundary--`: the end
    if (raw.indexOf(CRLF, at) !== at) throw errors.multipart('malformed part boundary');
    const headersEnd = raw.indexOf(HEADER_END, at);
    if (headersEnd < 0) throw errors.multipart('part without headers');
    const next = raw.indexOf(Buffer.concat([CRLF, delimiter]), headersEnd);
    if (next < 0) throw errors.multipart('part without a closing boundary');
    const headers = raw.subarray(at + CRLF.length, headersEnd).toString('utf8');
    const name = /^content-disposition:[^\r\n]*?;\s*name="([^"]*)"/im.exec(headers)?.[1];
    if (name !== undefined) fields.push([name, raw.subarray(headersEnd + HEADER_END.length, next).toString('utf8')]);
    at = next + CRLF.length;
  }
  const out = Object.fromEntries(fields);
  checkKeys(out);
  return out;
}
