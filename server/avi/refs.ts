/**
 * The reference forms clients send and the one we render. Accepted: a full URL with or without
 * `#name`, `/api/<type>/<uuid>`, `/api/<type>?name=X` or `/api/<type>/?name=X`, a bare uuid.
 */
export interface RefInput {
  /** the type named in the path, when a path was given */
  type?: string;
  uuid?: string;
  name?: string;
}

export function parseRefInput(value: string): RefInput {
  const hash = value.indexOf('#');
  const text = (hash >= 0 ? value.slice(0, hash) : value).trim();
  const api = text.indexOf('/api/');
  if (api < 0) return { uuid: text };
  const rest = text.slice(api + 5);
  const q = rest.indexOf('?');
  const pathPart = (q >= 0 ? rest.slice(0, q) : rest).split('/').filter(Boolean);
  const type = pathPart[0];
  if (q >= 0) {
    const name = new URLSearchParams(rest.slice(q + 1)).get('name');
    if (name !== null) return { type, name };
  }
  return { type, uuid: pathPart[1] };
}

/** `https://host/api/<type>/<uuid>` with `#name` when asked for and known. */
export function renderRef(base: string, type: string, uuid: string, name: string | undefined): string {
  const url = `${base}/api/${type}/${uuid}`;
  return name !== undefined ? `${url}#${name}` : url;
}

/*
 * A Location header must be ASCII without controls, and a URI. JSON bodies carry refs and urls
 * with the name as stored (any character; clients split at `#` and compare names); the header
 * carries the same URL with every character a URI cannot hold percent-encoded as UTF-8 (RFC 3986,
 * as IRIs map to URIs), so that it can always be written and decodes back to the name.
 */

/** A fragment keeps unreserved characters, sub-delims, `:` `@` `/` `?`; everything else is escaped. */
const NOT_FRAGMENT = /[^A-Za-z0-9\-._~!$&'()*+,;=:@/?]+/g;
/** A path segment keeps the same less `/` and `?`. */
const NOT_SEGMENT = /[^A-Za-z0-9\-._~!$&'()*+,;=:@]+/g;
/** The scheme and host (from the Host header) keep every URI character, escapes included. */
const NOT_URI = /[^A-Za-z0-9\-._~!$&'()*+,;=:@/?#[\]%]+/g;

/** UTF-8 percent-escapes of a run of characters (a lone surrogate, which UTF-8 cannot carry, as U+FFFD). */
function percentEscape(run: string): string {
  let out = '';
  for (const byte of Buffer.from(run, 'utf8')) out += `%${byte < 16 ? '0' : ''}${byte.toString(16).toUpperCase()}`;
  return out;
}

/** `renderRef`'s URL in the form a response header can carry. */
export function renderLocation(base: string, type: string, uuid: string, name: string | undefined): string {
  const url = `${base.replace(NOT_URI, percentEscape)}/api/${type}/${uuid.replace(NOT_SEGMENT, percentEscape)}`;
  return name !== undefined ? `${url}#${name.replace(NOT_FRAGMENT, percentEscape)}` : url;
}
