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
