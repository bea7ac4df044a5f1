/**
 * Every call the page makes: /_mock calls with the control-plane token (as X-Mock-Token, kept
 * for the tab in sessionStorage) and the sandbox chosen in the header (X-Mock-Sandbox).
 */
const TOKEN_KEY = 'avisim-mock-token';

export const session = {
  token: '' as string,
  sandbox: '' as string,
};

/** The token from `?token=` on first load (then taken out of the address bar), or the tab's. */
export function initToken(): void {
  const params = new URLSearchParams(location.search);
  const given = params.get('token');
  if (given) {
    sessionStorage.setItem(TOKEN_KEY, given);
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? `?${rest}` : '') + location.hash);
  }
  session.token = sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function setToken(token: string): void {
  session.token = token;
  sessionStorage.setItem(TOKEN_KEY, token);
}

export class CallError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function headers(json: boolean, sandbox = session.sandbox): Record<string, string> {
  const h: Record<string, string> = { Accept: 'application/json' };
  if (json) h['Content-Type'] = 'application/json';
  if (session.token) h['X-Mock-Token'] = session.token;
  if (sandbox) h['X-Mock-Sandbox'] = sandbox;
  return h;
}

/** A /_mock call; `path` is below /_mock. Answers the JSON body (undefined for 204). */
export async function mock<T = any>(method: string, path: string, body?: unknown, sandbox?: string): Promise<T> {
  const res = await fetch(`/_mock${path}`, {
    method,
    headers: headers(body !== undefined, sandbox),
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit',
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: any;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (!res.ok && !(res.status === 417 && path === '/verify')) {
    throw new CallError(res.status, typeof parsed?.error === 'string' ? parsed.error : `${res.status} ${text.slice(0, 200)}`);
  }
  return parsed as T;
}

export const enc = encodeURIComponent;
